import { useState } from "preact/hooks";
import { observe, recordOutcome } from "../../data";
import { DEFAULT_TZ } from "../../domain/time";
import { label, t } from "../../i18n";
import { ChipChoice, ChipMulti } from "../components/Chips";
import { Layout } from "../components/Layout";
import { useFormGuard, useLive } from "../hooks";
import { contactOptions } from "../labels";
import { goBack } from "../router";
import { toast } from "../toast";
import { saveError } from "./Visit";

const NEXT_ACTIONS = ["revisit", "phone_follow_up", "await_payment", "restructure", "legal", "none"] as const;

export function Outcome({ id }: { id: string }) {
  useFormGuard();
  const detail = useLive(() => observe.visit(id), [id]);
  const ctx = useLive(() => observe.context(), []);
  const [contact, setContact] = useState<string | null>(null);
  const [reasons, setReasons] = useState<string[]>([]);
  const [detailText, setDetailText] = useState("");
  const [next, setNext] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    if (!contact) return setError(t("outcome.needContact"));
    if (!detail) return;
    setBusy(true);
    try {
      await recordOutcome({
        visitId: id,
        borrowerId: detail.visit.borrower_id,
        contact,
        hardshipReasons: reasons,
        hardshipDetail: detailText.trim(),
        nextAction: next ?? "none",
        note,
      });
      toast(t("visit.saved"));
      goBack(`/visit/${id}`);
    } catch (err) {
      setError(saveError(err));
      setBusy(false);
    }
  };

  return (
    <Layout
      title={`${t("outcome.title")} · ${detail?.borrower?.name ?? ""}`}
      back={`/visit/${id}`}
      sos={id}
      tz={ctx?.branch?.timezone ?? DEFAULT_TZ}
      testId="outcome"
      actions={
        <button type="button" class="btn primary huge wide" disabled={busy} data-testid="save" onClick={() => void save()}>
          {t("outcome.save")}
        </button>
      }
    >
      <section class="field" data-testid="contact">
        <span>{t("outcome.contact")}</span>
        <ChipChoice name={t("outcome.contact")} options={contactOptions(ctx)} value={contact} onChange={(v) => { setContact(v); setError(null); }} />
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
      {error && <p class="error" role="alert">{error}</p>}
    </Layout>
  );
}
