// One agreement: terms, schedule, the signed text and both signatures, the verify result,
// the PDF, and the manager's decision (approve / decline with a reason / cancel).
import { useEffect, useState } from "preact/hooks";
import { formatDate, formatDateTime, formatMoney, getLang, t, tMaybe } from "../../i18n";
import { toast } from "../../ui/toast";
import { consoleApi, fetchBlob } from "../api";
import { refreshBadge } from "../badge";
import { useAction, useLoad } from "../hooks";
import { ConfirmDialog, Dialog } from "./Dialog";
import type { AgreementDetail as Detail } from "../types";

export function agreementStatus(status: string): string {
  return tMaybe(`agreement.status.${status}`) ?? status;
}

function Verify({ id }: { id: string }) {
  const v = useLoad(() => consoleApi.verify(id), [id]);
  if (v.error) return <p class="c-error">{v.error}</p>;
  if (!v.data) return <p class="c-muted">{t("common.loading")}</p>;
  return (
    <div class={`c-verify ${v.data.valid ? "ok" : "bad"}`} data-testid="verify" data-valid={v.data.valid ? "1" : "0"}>
      <strong>{v.data.valid ? t("console.agreement.verifyOk") : t("console.agreement.verifyBad")}</strong>
      <div class="c-muted c-small-text c-mono">SHA-256 {v.data.computed_sha256.slice(0, 16)}…</div>
      {v.data.problems.length > 0 && (
        <ul>
          {v.data.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Pdf({ id }: { id: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lang, setPdfLang] = useState<"zh" | "en">("zh");
  useEffect(() => {
    let alive = true;
    let made: string | null = null;
    setUrl(null);
    fetchBlob(`/agreements/${id}.pdf`, { lang }).then(
      ({ blob }) => {
        if (!alive) return;
        made = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
        setUrl(made);
      },
      () => alive && setError(t("console.agreement.pdfFailed")),
    );
    return () => {
      alive = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [id, lang]);
  return (
    <div class="c-pdf">
      <div class="c-row">
        <button type="button" class="c-btn c-small" aria-pressed={lang === "zh"} onClick={() => setPdfLang("zh")}>
          中文
        </button>
        <button type="button" class="c-btn c-small" aria-pressed={lang === "en"} onClick={() => setPdfLang("en")}>
          English
        </button>
        {url && (
          <a class="c-btn c-small" href={url} target="_blank" rel="noopener" data-testid="pdf-open" download={`agreement-${id.slice(0, 8)}-${lang}.pdf`}>
            {t("console.agreement.pdfOpen")}
          </a>
        )}
      </div>
      {error && <p class="c-error">{error}</p>}
      {url ? <iframe class="c-pdf-frame" src={url} title={t("console.agreement.pdf")} data-testid="pdf-frame" /> : !error && <p class="c-muted">{t("common.loading")}</p>}
    </div>
  );
}

export function AgreementDialog({ id, onClose, onChanged }: { id: string; onClose: () => void; onChanged: () => void }) {
  const detail = useLoad(() => consoleApi.agreement(id), [id]);
  const [tab, setTab] = useState<"terms" | "pdf">("terms");
  const [deciding, setDeciding] = useState<"approve" | "decline" | "cancel" | null>(null);
  const action = useAction();
  const a: Detail | undefined = detail.data;

  const decide = async (reason: string) => {
    if (!deciding) return;
    const ok = await action.run(() => consoleApi.decideAgreement(id, deciding, reason));
    if (ok) {
      toast(t(`console.agreement.done.${deciding}`));
      setDeciding(null);
      void refreshBadge();
      onChanged();
      await detail.reload();
    }
  };

  return (
    <Dialog title={a ? t("console.agreement.titleOf", { name: a.borrower_name }) : t("agreement.title")} onClose={onClose} wide testId="agreement-dialog">
      {detail.error && <p class="c-error">{detail.error}</p>}
      {a && (
        <div class="c-agreement" data-status={a.status}>
          <div class="c-row c-spread">
            <p>
              <span class={`c-chip-status ${a.status}`} data-testid="agreement-status">
                {agreementStatus(a.status)}
              </span>{" "}
              <span class="money">{formatMoney(a.principal_fen)}</span> · {a.account_number} · {a.officer_name}
            </p>
            <div class="c-tabs c-tabs-small" role="tablist">
              <button type="button" role="tab" aria-selected={tab === "terms"} onClick={() => setTab("terms")}>
                {t("console.agreement.terms")}
              </button>
              <button type="button" role="tab" aria-selected={tab === "pdf"} onClick={() => setTab("pdf")} data-testid="tab-pdf">
                {t("console.agreement.pdf")}
              </button>
            </div>
          </div>
          {a.approval_reasons.length > 0 && (
            <div class="c-warn-box">
              <strong>{t("console.agreement.whyApproval")}</strong>
              <ul>
                {a.approval_reasons.map((r) => (
                  <li key={r.code}>{getLang() === "en" ? r.text : r.text_zh || r.text}</li>
                ))}
              </ul>
            </div>
          )}
          {a.decision_reason && <p class="c-muted">{t("agreement.decisionReason", { reason: a.decision_reason })}</p>}
          {tab === "terms" ? (
            <div class="c-agreement-grid">
              <div>
                <dl class="c-kv">
                  <dt>{t("console.agreement.borrower")}</dt>
                  <dd>
                    {a.borrower_name} <span class="c-muted">{a.national_id_masked}</span>
                  </dd>
                  <dt>{t("console.agreement.signedAt")}</dt>
                  <dd>{formatDateTime(a.signed_at)}</dd>
                  <dt>{t("agreement.downPayment")}</dt>
                  <dd class="money">{formatMoney(a.down_payment_fen)}</dd>
                  <dt>{t("console.agreement.paid")}</dt>
                  <dd class="money">{formatMoney(a.paid_fen)}</dd>
                  {a.lat !== null && a.lon !== null && (
                    <>
                      <dt>{t("console.agreement.place")}</dt>
                      <dd>
                        {a.lat.toFixed(5)}, {a.lon.toFixed(5)}
                      </dd>
                    </>
                  )}
                </dl>
                <table class="c-table c-compact">
                  <caption class="c-left">{t("agreement.schedule")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">{t("console.agreement.due")}</th>
                      <th scope="col" class="num">
                        {t("console.agreement.amount")}
                      </th>
                      <th scope="col">{t("console.today.status")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {a.lines.map((l) => (
                      <tr key={l.seq}>
                        <td>{l.seq}</td>
                        <td>{formatDate(l.due_date)}</td>
                        <td class="num money">{formatMoney(l.amount_fen)}</td>
                        <td>{tMaybe(`console.line.${l.status}`) ?? l.status}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <Verify id={id} />
              </div>
              <div>
                <pre class="c-agreement-text">{a.text}</pre>
                <div class="c-sigs">
                  <figure>
                    <img src={a.borrower_signature} alt={t("agreement.borrowerSign")} />
                    <figcaption>{t("agreement.borrowerSign")}</figcaption>
                  </figure>
                  <figure>
                    <img src={a.officer_signature} alt={t("agreement.officerSign")} />
                    <figcaption>{t("agreement.officerSign")}</figcaption>
                  </figure>
                </div>
              </div>
            </div>
          ) : (
            <Pdf id={id} />
          )}
          <div class="c-dialog-actions">
            {a.allowed_actions.includes("cancel") && (
              <button type="button" class="c-btn c-plain" onClick={() => setDeciding("cancel")} data-testid="agreement-cancel">
                {t("console.agreement.cancel")}
              </button>
            )}
            {a.allowed_actions.includes("decline") && (
              <button type="button" class="c-btn c-danger" onClick={() => setDeciding("decline")} data-testid="agreement-decline">
                {t("console.decline")}
              </button>
            )}
            {a.allowed_actions.includes("approve") && (
              <button type="button" class="c-btn c-primary" onClick={() => setDeciding("approve")} data-testid="agreement-approve">
                {t("console.approve")}
              </button>
            )}
          </div>
        </div>
      )}
      {deciding && a && (
        <ConfirmDialog
          title={t(`console.agreement.ask.${deciding}`)}
          text={t(`console.agreement.askText.${deciding}`, { name: a.borrower_name, amount: formatMoney(a.principal_fen) })}
          yes={deciding === "approve" ? t("console.approve") : deciding === "decline" ? t("console.decline") : t("console.agreement.cancel")}
          danger={deciding !== "approve"}
          reason={{ label: deciding === "approve" ? t("console.note") : t("console.reason"), required: deciding !== "approve", hint: t("console.reachesPhone") }}
          busy={action.busy}
          error={action.error}
          onNo={() => setDeciding(null)}
          onYes={(reason) => void decide(reason)}
        />
      )}
    </Dialog>
  );
}
