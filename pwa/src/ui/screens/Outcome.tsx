import { useState } from "preact/hooks";
import { recordOutcome } from "../../data";
import { DEFAULT_TZ, todayIn } from "../../domain/time";
import { label, t } from "../../i18n";
import { ChipChoice, ChipMulti } from "../components/Chips";
import { FormScreen, useVisitForm } from "../components/FormScreen";
import { contactOptions } from "../labels";

const NEXT_ACTIONS = ["revisit", "phone_follow_up", "await_payment", "restructure", "legal", "none"] as const;
// Next actions with a due date: left empty, the branch's cadence sets it.
const DATED_ACTIONS: readonly string[] = ["revisit", "phone_follow_up", "await_payment"];
const ASSESSMENT = ["income_source", "business_condition", "willingness"] as const;
type AssessmentField = (typeof ASSESSMENT)[number];
const ASSESSMENT_LABEL = {
  income_source: "outcome.incomeSource",
  business_condition: "outcome.businessCondition",
  willingness: "outcome.willingness",
} as const satisfies Record<AssessmentField, string>;

/** 1 to 90 days after today (the server refuses other dates). */
function followUpOk(day: string, tz: string): boolean {
  const days = (Date.parse(`${day}T00:00:00Z`) - Date.parse(`${todayIn(tz, new Date())}T00:00:00Z`)) / 86_400_000;
  return days >= 1 && days <= 90;
}

export function Outcome({ id }: { id: string }) {
  const form = useVisitForm(id);
  const { ctx } = form;
  const [contact, setContact] = useState<string | null>(null);
  const [reasons, setReasons] = useState<string[]>([]);
  const [detailText, setDetailText] = useState("");
  const [next, setNext] = useState<string | null>(null);
  const [note, setNote] = useState("");
  // Optional, one tap each; tapping the chosen chip again clears it.
  const [assessed, setAssessed] = useState<Record<AssessmentField, string>>({ income_source: "", business_condition: "", willingness: "" });
  const [followUpOn, setFollowUpOn] = useState("");
  const dated = next !== null && DATED_ACTIONS.includes(next);

  const save = () =>
    form.submit({
      check: () => (!contact ? t("outcome.needContact") : dated && followUpOn && !followUpOk(followUpOn, ctx?.branch?.timezone ?? DEFAULT_TZ) ? t("outcome.followUpRange") : null),
      write: () =>
        form.detail && contact
          ? recordOutcome({
              visitId: id,
              borrowerId: form.detail.visit.borrower_id,
              contact,
              hardshipReasons: reasons,
              hardshipDetail: detailText.trim(),
              nextAction: next ?? "none",
              incomeSource: assessed.income_source,
              businessCondition: assessed.business_condition,
              willingness: assessed.willingness,
              followUpOn: dated && followUpOn ? followUpOn : null,
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
      {ctx?.assessment &&
        ASSESSMENT.map((field) => (
          <section class="field" data-testid={`assessment-${field}`} key={field}>
            <span>{t(ASSESSMENT_LABEL[field])}</span>
            <ChipChoice
              name={t(ASSESSMENT_LABEL[field])}
              options={(ctx.assessment?.[field] ?? []).map((c) => ({ value: c.code, label: label(c) }))}
              value={assessed[field] || null}
              onChange={(v) => setAssessed({ ...assessed, [field]: assessed[field] === v ? "" : v })}
            />
          </section>
        ))}
      <section class="field" data-testid="next-action">
        <span>{t("outcome.nextAction")}</span>
        <ChipChoice name={t("outcome.nextAction")} options={NEXT_ACTIONS.map((a) => ({ value: a, label: t(`next.${a}`) }))} value={next} onChange={setNext} />
      </section>
      {dated && (
        <label class="field">
          <span>{t("outcome.followUpOn")}</span>
          <input type="date" name="follow_up_on" value={followUpOn} onInput={(e) => setFollowUpOn(e.currentTarget.value)} />
          <small class="muted">{t("outcome.followUpHint")}</small>
        </label>
      )}
      <label class="field">
        <span>{t("outcome.note")}</span>
        <textarea name="note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
    </FormScreen>
  );
}
