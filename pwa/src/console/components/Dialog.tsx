import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n";

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  testId?: string;
}

/** A modal dialog: Escape or the backdrop closes it; focus moves into it. */
export function Dialog({ title, onClose, children, wide, testId }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    const first = ref.current?.querySelector<HTMLElement>("textarea, input, select, button.c-primary, button");
    first?.focus();
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div class="c-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class={`c-dialog${wide ? " wide" : ""}`} role="dialog" aria-modal="true" aria-label={title} ref={ref} data-testid={testId}>
        <header class="c-dialog-head">
          <h2>{title}</h2>
          <button type="button" class="c-icon" aria-label={t("console.close")} onClick={onClose}>
            ×
          </button>
        </header>
        <div class="c-dialog-body">{children}</div>
      </div>
    </div>
  );
}

interface ConfirmProps {
  title: string;
  text: string;
  yes: string;
  danger?: boolean;
  /** Ask for a reason: required (decline) or optional (approve). */
  reason?: { label: string; required: boolean; hint?: string };
  busy?: boolean;
  error?: string | null;
  onYes: (reason: string) => void;
  onNo: () => void;
}

/** Final actions ask once, in plain words. */
export function ConfirmDialog({ title, text, yes, danger, reason, busy, error, onYes, onNo }: ConfirmProps) {
  const [value, setValue] = useState("");
  const missing = !!reason?.required && !value.trim();
  return (
    <Dialog title={title} onClose={onNo} testId="confirm">
      <p class="c-confirm-text">{text}</p>
      {reason && (
        <label class="c-field">
          <span>
            {reason.label}
            {!reason.required && <span class="c-muted"> ({t("common.optional")})</span>}
          </span>
          <textarea name="reason" rows={3} maxLength={500} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          {reason.hint && <small class="c-muted">{reason.hint}</small>}
        </label>
      )}
      {error && (
        <p class="c-error" role="alert">
          {error}
        </p>
      )}
      <div class="c-dialog-actions">
        <button type="button" class="c-btn" onClick={onNo}>
          {t("common.cancel")}
        </button>
        <button
          type="button"
          class={danger ? "c-btn c-danger" : "c-btn c-primary"}
          disabled={busy || missing}
          onClick={() => onYes(value.trim())}
          data-confirm="yes"
        >
          {yes}
        </button>
      </div>
    </Dialog>
  );
}
