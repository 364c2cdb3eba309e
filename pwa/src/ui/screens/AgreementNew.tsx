// The instalment agreement: calculator, then text and two signatures. Loaded on demand
// (it carries signature_pad) and precached, so it works offline like every screen.
import { useEffect, useMemo, useState } from "preact/hooks";
import { observe, signAgreement, type GeoPoint } from "../../data";
import { agreementLang, agreementText } from "../../domain/agreementText";
import { fenToInput, parseYuan } from "../../domain/money";
import { buildSchedule, FREQUENCIES, MAX_INSTALMENTS, type Frequency } from "../../domain/schedule";
import { addDays, todayIn } from "../../domain/time";
import { formatDate, formatMoney, t } from "../../i18n";
import { getLocation } from "../../platform/geo";
import { ChipChoice } from "../components/Chips";
import { FormScreen, useVisitForm } from "../components/FormScreen";
import { Confirm } from "../components/Sheet";
import { SignatureField } from "../components/SignatureField";
import { useLive } from "../hooks";
import { navigate } from "../router";
import { visitLoans } from "../view";

export default function AgreementNew({ id }: { id: string }) {
  const form = useVisitForm(id);
  const { detail, ctx, tz } = form;
  const session = useLive(() => observe.session(), []);
  const today = todayIn(tz);
  const loans = detail ? visitLoans(detail.visit, detail.borrower) : [];

  const [loanId, setLoanId] = useState<string | null>(null);
  const [amount, setAmount] = useState<string | null>(null);
  const [down, setDown] = useState("0");
  const [count, setCount] = useState(3);
  const [frequency, setFrequency] = useState<Frequency>("monthly");
  const [firstDate, setFirstDate] = useState(addDays(today, 30));
  const [step, setStep] = useState<"terms" | "sign">("terms");
  const [text, setText] = useState("");
  const [borrowerSig, setBorrowerSig] = useState<string | null>(null);
  const [officerSig, setOfficerSig] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [location, setLocation] = useState<GeoPoint | null>(null);

  const loan = loans.find((l) => l.id === loanId) ?? loans[0];
  const amountValue = amount ?? (loan ? fenToInput(loan.overdue_fen) : "");
  const amountFen = parseYuan(amountValue);
  const downFen = parseYuan(down || "0");
  const schedule = useMemo(
    () =>
      buildSchedule({
        amountFen: amountFen ?? 0,
        downPaymentFen: downFen ?? -1,
        count,
        frequency,
        firstDate,
      }),
    [amountFen, downFen, count, frequency, firstDate],
  );
  const dateError = firstDate < today;

  useEffect(() => {
    if (step !== "sign") return;
    let live = true;
    void getLocation(10_000).then((p) => live && setLocation(p));
    return () => {
      live = false;
    };
  }, [step]);

  const borrower = detail?.borrower;
  const officerName = ctx?.officer?.full_name ?? session?.user?.full_name ?? "";

  const toSign = () => {
    if (!schedule.ok || dateError || !loan || !borrower || amountFen === null) return;
    const lang = agreementLang(borrower.language);
    setText(
      agreementText(ctx?.templates ?? {}, lang, {
        borrowerName: borrower.name,
        nationalIdMasked: borrower.national_id_masked,
        loanAccount: loan.account_number,
        branchName: ctx?.branch?.name ?? "",
        officerName,
        principalFen: amountFen,
        downPaymentFen: schedule.downPaymentFen,
        lines: schedule.lines,
        date: today,
      }),
    );
    setStep("sign");
    window.scrollTo(0, 0);
  };

  const sign = () => {
    setConfirm(false);
    return form.submit({
      write: () =>
        schedule.ok && loan && borrowerSig && officerSig && amountFen !== null
          ? signAgreement({
              visitId: id,
              loanId: loan.id,
              terms: {
                principal_fen: amountFen,
                down_payment_fen: schedule.downPaymentFen,
                schedule: schedule.lines.map((l) => ({ due_date: l.due_date, amount_fen: l.amount_fen })),
              },
              text,
              borrowerSignature: borrowerSig,
              officerSignature: officerSig,
              location,
            })
          : undefined,
      after: (agreementId) => navigate(`/agreement/${agreementId}`, true),
    });
  };

  const scheduleError = !schedule.ok ? t(`agreement.error.${schedule.error}`) : dateError ? t("agreement.error.first_date") : null;

  if (step === "sign") {
    return (
      <FormScreen
        form={form}
        title={t("agreement.title")}
        plainTitle
        testId="agreement-sign"
        actions={
          <>
            <button type="button" class="btn" onClick={() => setStep("terms")}>
              {t("agreement.editTerms")}
            </button>
            <button
              type="button"
              class="btn primary"
              data-testid="sign"
              disabled={form.busy || !borrowerSig || !officerSig}
              onClick={() => setConfirm(true)}
            >
              {t("agreement.sign")}
            </button>
          </>
        }
      >
        <section class="field">
          <span>{t("agreement.text")}</span>
          <div class="agreement-text" data-testid="agreement-text">{text}</div>
        </section>
        <SignatureField title={t("agreement.borrowerSign")} signer={borrower?.name ?? ""} testId="sig-borrower" onChange={setBorrowerSig} />
        <SignatureField title={t("agreement.officerSign")} signer={officerName} testId="sig-officer" onChange={setOfficerSig} />
        {(!borrowerSig || !officerSig) && <p class="muted small">{t("agreement.needSignatures")}</p>}
        {confirm && <Confirm text={t("agreement.confirmSign")} yes={t("agreement.sign")} onYes={() => void sign()} onNo={() => setConfirm(false)} />}
      </FormScreen>
    );
  }

  return (
    <FormScreen
      form={form}
      title={t("agreement.title")}
      testId="agreement-terms"
      saveLabel={t("agreement.next")}
      saveTestId="to-sign"
      saveDisabled={!!scheduleError || !loan}
      onSave={toSign}
      hideError
    >
      {loans.length > 1 && (
        <section class="field">
          <span>{t("agreement.loan")}</span>
          <ChipChoice
            name={t("agreement.loan")}
            value={loan?.id ?? null}
            onChange={(v) => { setLoanId(v); setAmount(null); }}
            options={loans.map((l) => ({ value: l.id, label: `${l.account_number.slice(-4)} · ${formatMoney(l.overdue_fen)}` }))}
          />
        </section>
      )}
      <label class="field">
        <span>{t("agreement.amount")}</span>
        <input name="amount" inputMode="decimal" autocomplete="off" value={amountValue} onInput={(e) => setAmount(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t("agreement.downPayment")}</span>
        <input name="down_payment" inputMode="decimal" autocomplete="off" value={down} onInput={(e) => setDown(e.currentTarget.value)} />
      </label>
      <section class="field">
        <span>{t("agreement.count")}</span>
        <div class="stepper">
          <button type="button" aria-label="-" onClick={() => setCount(Math.max(1, count - 1))}>−</button>
          <output data-testid="count">{count}</output>
          <button type="button" aria-label="+" onClick={() => setCount(Math.min(MAX_INSTALMENTS, count + 1))}>+</button>
        </div>
      </section>
      <section class="field">
        <span>{t("agreement.frequency")}</span>
        <ChipChoice
          name={t("agreement.frequency")}
          value={frequency}
          onChange={(v) => setFrequency(v as Frequency)}
          options={FREQUENCIES.map((f) => ({ value: f, label: t(`freq.${f}`) }))}
        />
      </section>
      <label class="field">
        <span>{t("agreement.firstDate")}</span>
        <input type="date" name="first_date" min={today} value={firstDate} onInput={(e) => setFirstDate(e.currentTarget.value)} />
      </label>
      {scheduleError && <p class="error" role="alert">{scheduleError}</p>}
      {schedule.ok && (
        <section class="card">
          <h2>{t("agreement.schedule")}</h2>
          <table class="schedule" data-testid="schedule">
            <tbody>
              {schedule.downPaymentFen > 0 && (
                <tr>
                  <td>{t("agreement.downLine")}</td>
                  <td>{formatDate(today, tz)}</td>
                  <td class="money">{formatMoney(schedule.downPaymentFen)}</td>
                </tr>
              )}
              {schedule.lines.map((l) => (
                <tr key={l.seq}>
                  <td>{t("agreement.seq", { n: l.seq })}</td>
                  <td>{formatDate(l.due_date, tz)}</td>
                  <td class="money">{formatMoney(l.amount_fen)}</td>
                </tr>
              ))}
              <tr class="total">
                <td>{t("agreement.total")}</td>
                <td />
                <td class="money" data-testid="schedule-total">{formatMoney(schedule.totalFen)}</td>
              </tr>
            </tbody>
          </table>
        </section>
      )}
    </FormScreen>
  );
}
