import { useState } from "preact/hooks";
import { createPromise } from "../../data";
import { fenToInput, parseYuan } from "../../domain/money";
import { addDays, todayIn } from "../../domain/time";
import { formatMoney, t } from "../../i18n";
import { ChipChoice } from "../components/Chips";
import { FormScreen, useVisitForm } from "../components/FormScreen";
import { visitLoans } from "../view";

export function PromiseForm({ id }: { id: string }) {
  const form = useVisitForm(id);
  const { detail } = form;
  const today = todayIn(form.tz);
  const loans = detail ? visitLoans(detail.visit, detail.borrower) : [];
  const [loanId, setLoanId] = useState<string | null>(null);
  const [amount, setAmount] = useState<string | null>(null);
  const [date, setDate] = useState(addDays(today, 7));
  const loan = loans.find((l) => l.id === loanId) ?? loans[0];
  const amountValue = amount ?? (loan ? fenToInput(loan.overdue_fen) : "");

  const save = () => {
    const fen = parseYuan(amountValue);
    return form.submit({
      check: () => {
        if (fen === null || fen <= 0) return t("promise.error.amount");
        if (!date || date < today) return t("promise.error.date");
        return null;
      },
      write: () => (loan && fen !== null ? createPromise(id, loan.id, fen, date) : undefined),
    });
  };

  return (
    <FormScreen form={form} title={t("promise.title")} testId="promise-form" saveLabel={t("promise.save")} saveDisabled={!loan} onSave={() => void save()}>
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
          onInput={(e) => { setAmount(e.currentTarget.value); form.setError(null); }}
        />
      </label>
      <label class="field">
        <span>{t("promise.date")}</span>
        <input type="date" name="due_date" min={today} value={date} onInput={(e) => { setDate(e.currentTarget.value); form.setError(null); }} />
      </label>
    </FormScreen>
  );
}
