import { observe } from "../../data";
import { DEFAULT_TZ } from "../../domain/time";
import { formatDate, formatDateTime, formatMoney, t } from "../../i18n";
import { Layout } from "../components/Layout";
import { useLive } from "../hooks";
import { statusLabel } from "../labels";

/** A signed agreement, read-only. */
export function AgreementView({ id }: { id: string }) {
  const a = useLive(() => observe.agreement(id), [id]);
  const ctx = useLive(() => observe.context(), []);
  const tz = ctx?.branch?.timezone ?? DEFAULT_TZ;
  return (
    <Layout title={t("agreement.title")} back="/" sos={a?.visit_id ?? ""} tz={tz} testId="agreement-view">
      {a === null && <p class="empty">{t("visit.notFound")}</p>}
      {a && (
        <>
          <section class="card">
            <div class="spread">
              <span class="money big">{formatMoney(a.principal_fen)}</span>
              <span class="status done" data-testid="agreement-status">{statusLabel("agreement", a.status)}</span>
            </div>
            {a.signed_at && <div class="small">{t("agreement.signedAt", { date: formatDateTime(a.signed_at, tz) })}</div>}
            {a.decision_reason && (
              <p class={a.status === "declined" ? "warning" : "small"} data-testid="agreement-decision">
                {t("agreement.decisionReason", { reason: a.decision_reason })}
              </p>
            )}
            <p class="muted small">{t("agreement.readOnly")}</p>
          </section>
          <section class="card">
            <h2>{t("agreement.schedule")}</h2>
            <table class="schedule">
              <tbody>
                {a.down_payment_fen > 0 && (
                  <tr>
                    <td>{t("agreement.downLine")}</td>
                    <td>{a.signed_at ? formatDate(a.signed_at, tz) : ""}</td>
                    <td class="money">{formatMoney(a.down_payment_fen)}</td>
                  </tr>
                )}
                {a.schedule.map((l) => (
                  <tr key={l.seq}>
                    <td>{t("agreement.seq", { n: l.seq })}</td>
                    <td>{formatDate(l.due_date, tz)}</td>
                    <td class="money">{formatMoney(l.amount_fen)}</td>
                  </tr>
                ))}
                <tr class="total">
                  <td>{t("agreement.total")}</td>
                  <td />
                  <td class="money">{formatMoney(a.principal_fen)}</td>
                </tr>
              </tbody>
            </table>
          </section>
          {a.text && (
            <section class="field">
              <span>{t("agreement.text")}</span>
              <div class="agreement-text">{a.text}</div>
            </section>
          )}
          {a.borrower_signature && (
            <section class="sig-box">
              <span class="field-label">{t("agreement.borrowerSign")}</span>
              <img class="sig-img" src={a.borrower_signature} alt={t("agreement.borrowerSign")} />
            </section>
          )}
          {a.officer_signature && (
            <section class="sig-box">
              <span class="field-label">{t("agreement.officerSign")}</span>
              <img class="sig-img" src={a.officer_signature} alt={t("agreement.officerSign")} />
            </section>
          )}
        </>
      )}
    </Layout>
  );
}
