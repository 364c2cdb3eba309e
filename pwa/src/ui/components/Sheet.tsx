import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { t } from "../../i18n";

interface SheetProps {
  onClose: () => void;
  children: ComponentChildren;
  label: string;
}

/** A bottom sheet: its buttons sit where the thumb is. */
export function Sheet({ onClose, children, label }: SheetProps) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div class="sheet-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="sheet" role="dialog" aria-modal="true" aria-label={label}>
        {children}
      </div>
    </div>
  );
}

interface ConfirmProps {
  text: string;
  yes: string;
  danger?: boolean;
  onYes: () => void;
  onNo: () => void;
  children?: ComponentChildren;
}

/** Final actions ask once, in plain words. */
export function Confirm({ text, yes, danger, onYes, onNo, children }: ConfirmProps) {
  return (
    <Sheet onClose={onNo} label={text}>
      <p>{text}</p>
      {children}
      <div class="btn-row">
        <button type="button" class="btn" onClick={onNo}>
          {t("common.cancel")}
        </button>
        <button type="button" class={danger ? "btn danger" : "btn primary"} onClick={onYes} data-confirm="yes">
          {yes}
        </button>
      </div>
    </Sheet>
  );
}
