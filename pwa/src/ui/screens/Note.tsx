import { useState } from "preact/hooks";
import { addNote, observe } from "../../data";
import { DEFAULT_TZ } from "../../domain/time";
import { t } from "../../i18n";
import { Layout } from "../components/Layout";
import { useFormGuard, useLive } from "../hooks";
import { goBack } from "../router";
import { toast } from "../toast";
import { saveError } from "./Visit";

export function Note({ id }: { id: string }) {
  useFormGuard();
  const detail = useLive(() => observe.visit(id), [id]);
  const ctx = useLive(() => observe.context(), []);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    if (!text.trim()) return setError(t("note.empty"));
    if (!detail) return;
    setBusy(true);
    try {
      await addNote(detail.visit.borrower_id, id, text.trim());
      toast(t("visit.saved"));
      goBack(`/visit/${id}`);
    } catch (err) {
      setError(saveError(err));
      setBusy(false);
    }
  };

  return (
    <Layout
      title={`${t("note.title")} · ${detail?.borrower?.name ?? ""}`}
      back={`/visit/${id}`}
      sos={id}
      tz={ctx?.branch?.timezone ?? DEFAULT_TZ}
      testId="note-form"
      actions={
        <button type="button" class="btn primary huge wide" disabled={busy} data-testid="save" onClick={() => void save()}>
          {t("note.save")}
        </button>
      }
    >
      <label class="field">
        <span>{t("note.text")}</span>
        <textarea name="note" rows={6} value={text} onInput={(e) => { setText(e.currentTarget.value); setError(null); }} />
      </label>
      {error && <p class="error" role="alert">{error}</p>}
    </Layout>
  );
}
