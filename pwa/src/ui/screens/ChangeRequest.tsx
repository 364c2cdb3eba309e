import { useState } from "preact/hooks";
import { observe, requestChange, type ChangeKind } from "../../data";
import { addDays, DEFAULT_TZ, todayIn } from "../../domain/time";
import { t } from "../../i18n";
import { ChipChoice } from "../components/Chips";
import { Layout } from "../components/Layout";
import { useFormGuard, useLive } from "../hooks";
import { goBack } from "../router";
import { toast } from "../toast";
import { saveError } from "./Visit";

const KINDS: readonly ChangeKind[] = ["reschedule", "extension", "restructure", "legal"];

export function ChangeRequest({ id }: { id: string }) {
  useFormGuard();
  const detail = useLive(() => observe.visit(id), [id]);
  const ctx = useLive(() => observe.context(), []);
  const tz = ctx?.branch?.timezone ?? DEFAULT_TZ;
  const today = todayIn(tz);
  const [kind, setKind] = useState<ChangeKind | null>(null);
  const [date, setDate] = useState(addDays(today, 1));
  const [proposal, setProposal] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    if (!kind) return setError(t("change.needKind"));
    setBusy(true);
    const proposed: { date?: string; text?: string } = {};
    if (kind === "reschedule" || kind === "extension") proposed.date = date;
    if (proposal.trim()) proposed.text = proposal.trim();
    try {
      await requestChange(id, kind, reason.trim(), proposed);
      toast(t("visit.saved"));
      goBack(`/visit/${id}`);
    } catch (err) {
      setError(saveError(err));
      setBusy(false);
    }
  };

  return (
    <Layout
      title={`${t("change.title")} · ${detail?.borrower?.name ?? ""}`}
      back={`/visit/${id}`}
      sos={id}
      tz={tz}
      testId="change-form"
      actions={
        <button type="button" class="btn primary huge wide" disabled={busy} data-testid="save" onClick={() => void save()}>
          {t("change.send")}
        </button>
      }
    >
      <section class="field">
        <span>{t("change.kind")}</span>
        <ChipChoice
          name={t("change.kind")}
          value={kind}
          onChange={(v) => { setKind(v as ChangeKind); setError(null); }}
          options={KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
        />
      </section>
      {(kind === "reschedule" || kind === "extension") && (
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
      {error && <p class="error" role="alert">{error}</p>}
    </Layout>
  );
}
