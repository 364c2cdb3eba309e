import { useState } from "preact/hooks";
import { addNote } from "../../data";
import { t } from "../../i18n";
import { FormScreen, useVisitForm } from "../components/FormScreen";

export function Note({ id }: { id: string }) {
  const form = useVisitForm(id);
  const [text, setText] = useState("");

  const save = () =>
    form.submit({
      check: () => (text.trim() ? null : t("note.empty")),
      write: () => (form.detail ? addNote(form.detail.visit.borrower_id, id, text.trim()) : undefined),
    });

  return (
    <FormScreen form={form} title={t("note.title")} testId="note-form" saveLabel={t("note.save")} onSave={() => void save()}>
      <label class="field">
        <span>{t("note.text")}</span>
        <textarea name="note" rows={6} value={text} onInput={(e) => { setText(e.currentTarget.value); form.setError(null); }} />
      </label>
    </FormScreen>
  );
}
