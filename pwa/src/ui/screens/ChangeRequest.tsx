import { useState } from "preact/hooks";
import { requestChange, type ChangeKind } from "../../data";
import { addDays, todayIn } from "../../domain/time";
import { t } from "../../i18n";
import { ChipChoice } from "../components/Chips";
import { FormScreen, useVisitForm } from "../components/FormScreen";

const KINDS: readonly ChangeKind[] = ["reschedule", "extension", "restructure", "legal"];

/** A new date is proposed for these; the others are described in words. */
const withDate = (kind: ChangeKind | null) => kind === "reschedule" || kind === "extension";

export function ChangeRequest({ id }: { id: string }) {
  const form = useVisitForm(id);
  const today = todayIn(form.tz);
  const [kind, setKind] = useState<ChangeKind | null>(null);
  const [date, setDate] = useState(addDays(today, 1));
  const [proposal, setProposal] = useState("");
  const [reason, setReason] = useState("");

  const save = () =>
    form.submit({
      check: () => (kind ? null : t("change.needKind")),
      write: () => {
        if (!kind) return undefined;
        const proposed: { date?: string; text?: string } = {};
        if (withDate(kind)) proposed.date = date;
        if (proposal.trim()) proposed.text = proposal.trim();
        return requestChange(id, kind, reason.trim(), proposed);
      },
    });

  return (
    <FormScreen form={form} title={t("change.title")} testId="change-form" saveLabel={t("change.send")} onSave={() => void save()}>
      <section class="field">
        <span>{t("change.kind")}</span>
        <ChipChoice
          name={t("change.kind")}
          value={kind}
          onChange={(v) => { setKind(v as ChangeKind); form.setError(null); }}
          options={KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
        />
      </section>
      {withDate(kind) && (
        <label class="field">
          <span>{t("change.proposedDate")}</span>
          <input type="date" name="proposed_date" min={today} value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </label>
      )}
      <label class="field">
        <span>{t("change.proposedText")}</span>
        <textarea name="proposal" value={proposal} onInput={(e) => setProposal(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t("change.reason")}</span>
        <textarea name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
    </FormScreen>
  );
}
