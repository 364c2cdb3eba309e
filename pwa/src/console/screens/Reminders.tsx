// Instalment reminders (还款提醒): what falls due in the next days, with the branch's SMS
// text; "mark sent" records the message as a contact once; the API exports CSV/XLSX.
import { useState } from "preact/hooks";
import type { components } from "../../api/schema";
import { api } from "../../data";
import { formatDate, formatDateTime, formatMoney, t } from "../../i18n";
import { downloadExport, errorMessage } from "../api";
import { DataTable } from "../components/DataTable";
import { useHas, useLoad } from "../hooks";

type Reminder = components["schemas"]["Reminder"];
type ReminderList = components["schemas"]["ReminderList"];
const DAYS = [1, 3, 7, 14];

export function RemindersSection() {
  const has = useHas("GET", "/reminders");
  const [days, setDays] = useState(3);
  const [error, setError] = useState<string | null>(null);
  const list = useLoad(
    async () => (has ? ((await (await api.request("/reminders", { query: { days } })).json()) as ReminderList) : null),
    [has, days],
  );
  if (!has) return null;

  const markSent = async (r: Reminder) => {
    setError(null);
    try {
      await api.request(`/reminders/${r.line_id}/sent`, { method: "POST", json: {} });
      await list.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <section class="c-card" aria-labelledby="rem-title" data-testid="reminders">
      <div class="c-card-head">
        <h2 id="rem-title">{t("console.reminders.title")}</h2>
        <label class="c-field c-inline">
          <span>{t("console.reminders.days")}</span>
          <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))} name="reminder_days">
            {DAYS.map((d) => (
              <option key={d} value={String(d)}>
                {t("console.reminders.nextDays", { n: d })}
              </option>
            ))}
          </select>
        </label>
      </div>
      {(list.error || error) && <p class="c-error">{error ?? list.error}</p>}
      <DataTable
        rows={list.data?.items ?? []}
        rowKey={(r) => String(r.line_id)}
        filename="reminders"
        serverExport={(fmt) => downloadExport("/reminders", { days }, fmt, "reminders")}
        rowAttrs={(r) => ({ "data-testid": "reminder-row", "data-sent": r.sent_at ? "yes" : "no" })}
        empty={list.loading ? t("common.loading") : t("console.reminders.empty")}
        columns={[
          { key: "due", label: t("console.agreement.due"), value: (r) => r.due_date, render: (r) => formatDate(r.due_date) },
          { key: "borrower", label: t("console.agreement.borrower"), value: (r) => r.borrower_name },
          { key: "phone", label: t("console.reminders.phone"), value: (r) => r.phone },
          { key: "amount", label: t("console.agreement.amount"), value: (r) => r.amount_fen / 100, numeric: true, render: (r) => <span class="money">{formatMoney(r.amount_fen)}</span> },
          { key: "officer", label: t("console.agreement.officer"), value: (r) => r.officer_name },
          { key: "sms", label: t("console.reminders.sms"), value: (r) => r.sms_text, render: (r) => <span class="c-sms">{r.sms_text}</span> },
          {
            key: "sent",
            label: t("console.reminders.sent"),
            value: (r) => r.sent_at ?? "",
            render: (r) =>
              r.sent_at ? (
                formatDateTime(r.sent_at)
              ) : (
                <button type="button" class="c-btn c-small" onClick={() => void markSent(r)} data-testid="mark-sent">
                  {t("console.reminders.markSent")}
                </button>
              ),
          },
        ]}
      />
    </section>
  );
}
