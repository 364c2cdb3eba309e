import { useState } from "preact/hooks";
import { createPromise, observe } from "../../data";
import { parseYuan, fenToInput } from "../../domain/money";
import { addDays, DEFAULT_TZ, todayIn } from "../../domain/time";
import { formatMoney, t } from "../../i18n";
import { ChipChoice } from "../components/Chips";
import { Layout } from "../components/Layout";
import { useFormGuard, useLive } from "../hooks";
import { goBack } from "../router";
import { toast } from "../toast";
import { visitLoans } from "../view";
import { saveError } from "./Visit";

export function PromiseForm({ id }: { id: string }) {
  useFormGuard();
  const detail = useLive(() => observe.visit(id), [id]);
  const ctx = useLive(() => observe.context(), []);
  const tz = ctx?.branch?.timezone ?? DEFAULT_TZ;
  const today = todayIn(tz);
  const loans = detail ? visitLoans(detail.visit, detail.borrower) : [];
  const [loanId, setLoanId] = useState<string | null>(null);
  const [amount, setAmount] = useState<string | null>(null);
  const [date, setDate] = useState(addDays(today, 7));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const loan = loans.find((l) => l.id === loanId) ?? loans[0];
  const amountValue = amount ?? (loan ? fenToInput(loan.overdue_fen) : "");

  const save = async () => {
    const fen = parseYuan(amountValue);
    if (fen === null || fen <= 0) return setError(t("promise.error.amount"));
    if (!date || date < today) return setError(t("promise.error.date"));
    if (!loan) return;
    setBusy(true);
    try {
      await createPromise(id, loan.id, fen, date);
      toast(t("visit.saved"));
      goBack(`/visit/${id}`);
    } catch (err) {
      setError(saveError(err));
      setBusy(false);
    }
  };

  return (
    <Layout
      title={`${t("promise.title")} · ${detail?.borrower?.name ?? ""}`}
      back={`/visit/${id}`}
      sos={id}
      tz={tz}
      testId="promise-form"
      actions={
        <button type="button" class="btn primary huge wide" disabled={busy || !loan} data-testid="save" onClick={() => void save()}>
          {t("promise.save")}
        </button>
      }
    >
      {loans.length > 1 && (
        <section class="field">
          <span>{t("promise.loan")}</span>
          <ChipChoice
            name={t("promise.loan")}
            value={loan?.id ?? null}
            onChange={(v) => { setLoanId(v); setAmount(null); }}
            options={loans.map((l) => ({ value: l.id, label: `${l.account_number.slice(-4)} · ${formatMoney(l.overdue_fen)}` }))}
          />
        </section>
      )}
      <label class="field">
        <span>{t("promise.amount")}</span>
        <input
          name="amount"
          inputMode="decimal"
          autocomplete="off"
          enterKeyHint="done"
          value={amountValue}
          onInput={(e) => { setAmount(e.currentTarget.value); setError(null); }}
        />
      </label>
      <label class="field">
        <span>{t("promise.date")}</span>
        <input type="date" name="due_date" min={today} value={date} onInput={(e) => { setDate(e.currentTarget.value); setError(null); }} />
      </label>
      {error && <p class="error" role="alert">{error}</p>}
    </Layout>
  );
}
