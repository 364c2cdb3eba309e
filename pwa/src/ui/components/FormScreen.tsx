// The shell of the phone's forms about a visit (note, outcome, promise, change request,
// agreement): the header with back, title and SOS; the fields in the scrolling body; the
// save button in the thumb zone. Saving writes to this phone, says so ("saved on this
// phone"), and goes back; a failure (e.g. a full phone) shows under the fields and keeps
// what was typed.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { observe, type Context, type VisitDetail } from "../../data";
import { DEFAULT_TZ } from "../../domain/time";
import { t } from "../../i18n";
import { useFormGuard, useLive } from "../hooks";
import { saveError } from "../labels";
import { goBack } from "../router";
import { toast } from "../toast";
import { Layout } from "./Layout";

export interface Save<T> {
  /** What is wrong with the input, in words; null when it can be saved. */
  check?: () => string | null;
  /** The write; undefined when there is nothing to write yet (the visit is still loading). */
  write: () => Promise<T> | undefined;
  /** Where to go once saved (default: back to the visit). */
  after?: (result: T) => void;
}

export interface VisitForm {
  /** The visit the form is about. */
  id: string;
  detail: VisitDetail | null | undefined;
  ctx: Context | undefined;
  tz: string;
  busy: boolean;
  error: string | null;
  setError: (message: string | null) => void;
  submit: <T>(save: Save<T>) => Promise<void>;
}

/**
 * A form about visit `id`: its data, and the saving state. While it is open an app update
 * waits (useFormGuard), so nothing typed is lost to a reload.
 */
export function useVisitForm(id: string): VisitForm {
  useFormGuard();
  const detail = useLive(() => observe.visit(id), [id]);
  const ctx = useLive(() => observe.context(), []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async <T,>({ check, write, after }: Save<T>): Promise<void> => {
    const problem = check?.() ?? null;
    if (problem) return setError(problem);
    try {
      const pending = write();
      if (!pending) return;
      setBusy(true);
      const result = await pending;
      toast(t("visit.saved"));
      if (after) after(result);
      else goBack(`/visit/${id}`);
    } catch (err) {
      setError(saveError(err));
      setBusy(false);
    }
  };

  return { id, detail, ctx, tz: ctx?.branch?.timezone ?? DEFAULT_TZ, busy, error, setError, submit };
}

interface FormScreenProps {
  form: VisitForm;
  /** The form's name; the borrower's name follows it unless `plainTitle`. */
  title: string;
  plainTitle?: boolean;
  testId: string;
  /** The save button (with `onSave`), unless `actions` replaces it. */
  saveLabel?: string;
  saveTestId?: string;
  /** Disabled for another reason than saving (e.g. no loan to promise on). */
  saveDisabled?: boolean;
  onSave?: () => void;
  actions?: ComponentChildren;
  /** Leave the save error out (a step that does not save). */
  hideError?: boolean;
  children: ComponentChildren;
}

export function FormScreen({
  form,
  title,
  plainTitle,
  testId,
  saveLabel,
  saveTestId = "save",
  saveDisabled = false,
  onSave,
  actions,
  hideError,
  children,
}: FormScreenProps) {
  const heading = plainTitle ? title : `${title} · ${form.detail?.borrower?.name ?? ""}`;
  return (
    <Layout
      title={heading}
      back={`/visit/${form.id}`}
      sos={form.id}
      tz={form.tz}
      testId={testId}
      actions={
        actions ?? (
          <button type="button" class="btn primary huge wide" disabled={form.busy || saveDisabled} data-testid={saveTestId} onClick={onSave}>
            {saveLabel}
          </button>
        )
      }
    >
      {children}
      {form.error && !hideError && (
        <p class="error" role="alert">
          {form.error}
        </p>
      )}
    </Layout>
  );
}
