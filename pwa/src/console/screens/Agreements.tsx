// Agreements and promises of the branch, and the instalment reminders due soon: filter by status, open one, export (the API's CSV/XLSX).
import { useState } from "preact/hooks";
import { formatDate, formatDateTime, formatMoney, t, tMaybe } from "../../i18n";
import { consoleApi, downloadExport } from "../api";
import { AgreementDialog, agreementStatus } from "../components/AgreementDetail";
import { DataTable } from "../components/DataTable";
import { useHas, useLoad } from "../hooks";
import { RemindersSection } from "./Reminders";

const AGREEMENT_STATUSES = ["pending_approval", "signed", "active", "fulfilled", "broken", "declined", "cancelled", "superseded"];
const PROMISE_STATUSES = ["open", "kept", "broken", "cancelled"];

export function AgreementsScreen() {
  const has = useHas("GET", "/agreements");
  const hasPromises = useHas("GET", "/promises");
  const [status, setStatus] = useState("");
  const [promiseStatus, setPromiseStatus] = useState("open");
  const [open, setOpen] = useState<string | null>(null);
  const list = useLoad(() => (has ? consoleApi.agreements(status ? [status] : undefined) : Promise.resolve([])), [has, status]);
  const promises = useLoad(() => (hasPromises ? consoleApi.promises(promiseStatus ? [promiseStatus] : undefined) : Promise.resolve([])), [hasPromises, promiseStatus]);

  return (
    <div class="c-screen" data-testid="agreements-screen">
      <header class="c-head">
        <h1>{t("console.nav.agreements")}</h1>
      </header>
      {has === false && <p class="c-muted c-card">{t("console.notOnServer")}</p>}
      <RemindersSection />
      {has && (
        <section class="c-card" aria-labelledby="ag-title" data-testid="agreements-list">
          <div class="c-card-head">
            <h2 id="ag-title">{t("console.agreements.title")}</h2>
            <label class="c-field c-inline">
              <span>{t("console.today.status")}</span>
              <select value={status} onChange={(e) => setStatus(e.currentTarget.value)} name="status">
                <option value="">{t("console.all")}</option>
                {AGREEMENT_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {agreementStatus(s)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {list.error && <p class="c-error">{list.error}</p>}
          <DataTable
            rows={list.data ?? []}
            rowKey={(a) => a.id}
            filename="agreements"
            serverExport={(fmt) => downloadExport("/agreements", { status: status || undefined }, fmt, "agreements")}
            rowAttrs={(a) => ({ "data-testid": "agreement-row", "data-status": a.status })}
            empty={list.loading ? t("common.loading") : t("console.table.empty")}
            columns={[
              { key: "signed", label: t("console.agreement.signedAt"), value: (a) => a.signed_at, render: (a) => formatDateTime(a.signed_at) },
              { key: "borrower", label: t("console.agreement.borrower"), value: (a) => a.borrower_name },
              { key: "account", label: t("console.agreement.account"), value: (a) => a.account_number },
              { key: "officer", label: t("console.agreement.officer"), value: (a) => a.officer_name },
              { key: "principal", label: t("console.agreement.principal"), value: (a) => a.principal_fen / 100, numeric: true, render: (a) => <span class="money">{formatMoney(a.principal_fen)}</span> },
              { key: "paid", label: t("console.agreement.paid"), value: (a) => a.paid_fen / 100, numeric: true, render: (a) => <span class="money">{formatMoney(a.paid_fen)}</span> },
              { key: "missed", label: t("console.agreement.missed"), value: (a) => a.missed_lines, numeric: true },
              { key: "next", label: t("console.agreement.nextDue"), value: (a) => a.next_due_date ?? "", render: (a) => (a.next_due_date ? formatDate(a.next_due_date) : "—") },
              { key: "status", label: t("console.today.status"), value: (a) => agreementStatus(a.status), render: (a) => <span class={`c-chip-status ${a.status}`}>{agreementStatus(a.status)}</span> },
              {
                key: "open",
                label: "",
                value: () => "",
                noExport: true,
                sortable: false,
                render: (a) => (
                  <button type="button" class="c-btn c-small" onClick={() => setOpen(a.id)} data-testid="open-agreement">
                    {t("console.review.open")}
                  </button>
                ),
              },
            ]}
          />
        </section>
      )}
      {hasPromises && (
        <section class="c-card" aria-labelledby="pr-title">
          <div class="c-card-head">
            <h2 id="pr-title">{t("console.promises.title")}</h2>
            <label class="c-field c-inline">
              <span>{t("console.today.status")}</span>
              <select value={promiseStatus} onChange={(e) => setPromiseStatus(e.currentTarget.value)} name="promise_status">
                <option value="">{t("console.all")}</option>
                {PROMISE_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {tMaybe(`promise.status.${s}`) ?? s}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <DataTable
            rows={promises.data ?? []}
            rowKey={(p) => p.id}
            filename="promises"
            serverExport={(fmt) => downloadExport("/promises", { status: promiseStatus || undefined }, fmt, "promises")}
            columns={[
              { key: "due", label: t("console.agreement.due"), value: (p) => p.due_date, render: (p) => formatDate(p.due_date) },
              { key: "borrower", label: t("console.agreement.borrower"), value: (p) => p.borrower_name },
              { key: "account", label: t("console.agreement.account"), value: (p) => p.account_number },
              { key: "officer", label: t("console.agreement.officer"), value: (p) => p.officer_name },
              { key: "amount", label: t("console.agreement.amount"), value: (p) => p.amount_fen / 100, numeric: true, render: (p) => <span class="money">{formatMoney(p.amount_fen)}</span> },
              { key: "paid", label: t("console.agreement.paid"), value: (p) => p.paid_fen / 100, numeric: true, render: (p) => <span class="money">{formatMoney(p.paid_fen)}</span> },
              { key: "status", label: t("console.today.status"), value: (p) => tMaybe(`promise.status.${p.status}`) ?? p.status },
            ]}
          />
        </section>
      )}
      {open && <AgreementDialog id={open} onClose={() => setOpen(null)} onChanged={() => void list.reload()} />}
    </div>
  );
}
