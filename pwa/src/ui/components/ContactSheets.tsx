// Issue 15: "Skip / 无法走访" on a planned visit, and the call and message buttons with the
// two-tap sheet that records who answered and the result. Everything goes through the outbox.
import { useState } from "preact/hooks";
import { logContact, skipVisit, type Branch, type ContactResult, type SkipReason } from "../../data";
import { telLink } from "../../domain/maps";
import { t } from "../../i18n";
import { saveError } from "../labels";
import { toast } from "../toast";
import { ChipChoice } from "./Chips";
import { ANSWERED_BY, MAX_NOTE, SKIP_REASONS, contactReady, fillSmsTemplate, resultsFor, smsLink, yuan } from "./contactSheets";
import { Sheet } from "./Sheet";

function NoteField({ value, onInput }: { value: string; onInput: (v: string) => void }) {
  return (
    <label class="field">
      <span class="small">{t("contact.noteOptional")}</span>
      <textarea name="note" rows={2} maxLength={MAX_NOTE} value={value} onInput={(e) => onInput(e.currentTarget.value)} />
    </label>
  );
}

export function SkipSheet({ visitId, onClose, onSkipped }: { visitId: string; onClose: () => void; onSkipped?: () => void }) {
  const [reason, setReason] = useState<SkipReason | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!reason) return;
    setBusy(true);
    try {
      await skipVisit(visitId, reason, note);
      toast(t("visit.saved"));
      onClose();
      onSkipped?.();
    } catch (err) {
      toast(saveError(err), 8_000);
      setBusy(false);
    }
  };
  return (
    <Sheet onClose={onClose} label={t("skip.title")}>
      <h2>{t("skip.title")}</h2>
      <p class="small">{t("skip.hint")}</p>
      <ChipChoice
        name={t("skip.reason")}
        value={reason}
        onChange={(v) => setReason(v as SkipReason)}
        options={SKIP_REASONS.map((code) => ({ value: code, label: t(`skip.${code}`) }))}
      />
      <NoteField value={note} onInput={setNote} />
      <div class="btn-row">
        <button type="button" class="btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button type="button" class="btn primary" data-testid="skip-confirm" disabled={!reason || busy} onClick={() => void submit()}>
          {t("skip.confirm")}
        </button>
      </div>
    </Sheet>
  );
}

interface ContactSheetProps {
  borrowerId: string;
  visitId: string | null;
  channel: "call" | "sms";
  onClose: () => void;
}

/** After the dialer: who answered, then the result (the second tap saves). After a message: "sent". */
export function ContactSheet({ borrowerId, visitId, channel, onClose }: ContactSheetProps) {
  const [answeredBy, setAnsweredBy] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const save = async (result: ContactResult) => {
    if (!contactReady(channel, answeredBy, result) || busy) return;
    setBusy(true);
    try {
      await logContact({ borrowerId, visitId, channel, answeredBy: answeredBy ?? "", result, note });
      toast(t("visit.saved"));
      onClose();
    } catch (err) {
      toast(saveError(err), 8_000);
      setBusy(false);
    }
  };
  const title = channel === "call" ? t("contact.callTitle") : t("contact.smsTitle");
  return (
    <Sheet onClose={onClose} label={title}>
      <h2>{title}</h2>
      {channel === "call" && (
        <>
          <p class="small">{t("contact.whoAnswered")}</p>
          <ChipChoice
            name={t("contact.whoAnswered")}
            value={answeredBy}
            onChange={setAnsweredBy}
            // "Nobody home" is a visit's word; on the phone nobody picked up.
            options={ANSWERED_BY.map((code) => ({ value: code, label: t(code === "nobody" ? "contact.callNobody" : `contact.${code}`) }))}
          />
        </>
      )}
      <NoteField value={note} onInput={setNote} />
      {channel === "call" ? (
        <>
          <p class="small">{t("contact.result")}</p>
          <div class="chips" role="group" aria-label={t("contact.result")} data-testid="contact-results">
            {resultsFor(answeredBy).map((code) => (
              <button type="button" class="chip" key={code} data-value={code} disabled={!answeredBy || busy} onClick={() => void save(code)}>
                {t(`result.${code}`)}
              </button>
            ))}
          </div>
        </>
      ) : (
        <button type="button" class="btn primary wide" data-testid="sms-sent" disabled={busy} onClick={() => void save("sent")}>
          {t("result.sent")}
        </button>
      )}
      <button type="button" class="btn plain" onClick={onClose}>
        {t("contact.notNow")}
      </button>
    </Sheet>
  );
}

interface ContactButtonsProps {
  borrower: { id: string; name: string; phone: string; loans: { overdue_fen: number }[] };
  branch: Branch | null | undefined;
  visitId: string | null;
  /** The visit screen's buttons are small, the borrower screen's primary. */
  primary?: boolean;
}

/** Call and SMS: the dialer / messages app opens, then the sheet records the contact. */
export function ContactButtons({ borrower, branch, visitId, primary }: ContactButtonsProps) {
  const [open, setOpen] = useState<"call" | "sms" | null>(null);
  const body = fillSmsTemplate(branch?.sms_template, {
    name: borrower.name,
    amount: yuan(borrower.loans.reduce((sum, l) => sum + l.overdue_fen, 0)),
    branch_phone: branch?.phone ?? "",
  });
  const cls = primary ? "btn primary" : "btn small";
  return (
    <>
      <a class={cls} href={telLink(borrower.phone)} data-testid="call" onClick={() => setOpen("call")}>
        {t("borrower.call")}
      </a>
      <a class={cls} href={smsLink(borrower.phone, body)} data-testid="sms" onClick={() => setOpen("sms")}>
        {t("contact.sms")}
      </a>
      {open && <ContactSheet borrowerId={borrower.id} visitId={visitId} channel={open} onClose={() => setOpen(null)} />}
    </>
  );
}
