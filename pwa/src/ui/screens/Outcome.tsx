import { useState } from "preact/hooks";
import { recordOutcome } from "../../data";
import { label, t } from "../../i18n";
import { ChipChoice, ChipMulti } from "../components/Chips";
import { FormScreen, useVisitForm } from "../components/FormScreen";
import { contactOptions } from "../labels";

const NEXT_ACTIONS = ["revisit", "phone_follow_up", "await_payment", "restructure", "legal", "none"] as const;

export function Outcome({ id }: { id: string }) {
  const form = useVisitForm(id);
  const { ctx } = form;
  const [contact, setContact] = useState<string | null>(null);
  const [reasons, setReasons] = useState<string[]>([]);
  const [detailText, setDetailText] = useState("");
  const [next, setNext] = useState<string | null>(null);
  const [note, setNote] = useState("");

  const save = () =>
    form.submit({
      check: () => (contact ? null : t("outcome.needContact")),
      write: () =>
        form.detail && contact
          ? recordOutcome({
              visitId: id,
              borrowerId: form.detail.visit.borrower_id,
              contact,
              hardshipReasons: reasons,
              hardshipDetail: detailText.trim(),
              nextAction: next ?? "none",
              note,
            })
          : undefined,
    });

  return (
    <FormScreen form={form} title={t("outcome.title")} testId="outcome" saveLabel={t("outcome.save")} onSave={() => void save()}>
      <section class="field" data-testid="contact">
        <span>{t("outcome.contact")}</span>
        <ChipChoice name={t("outcome.contact")} options={contactOptions(ctx)} value={contact} onChange={(v) => { setContact(v); form.setError(null); }} />
      </section>
      <section class="field" data-testid="hardship">
        <span>{t("outcome.hardship")}</span>
        <ChipMulti
          name={t("outcome.hardship")}
          options={(ctx?.hardshipReasons ?? []).map((r) => ({ value: r.code, label: label(r) }))}
          values={reasons}
          onChange={setReasons}
        />
      </section>
      <label class="field">
        <span>{t("outcome.hardshipDetail")}</span>
        <textarea name="hardship_detail" value={detailText} onInput={(e) => setDetailText(e.currentTarget.value)} />
      </label>
      <section class="field" data-testid="next-action">
        <span>{t("outcome.nextAction")}</span>
        <ChipChoice name={t("outcome.nextAction")} options={NEXT_ACTIONS.map((a) => ({ value: a, label: t(`next.${a}`) }))} value={next} onChange={setNext} />
      </section>
      <label class="field">
        <span>{t("outcome.note")}</span>
        <textarea name="note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
    </FormScreen>
  );
}
