// The agreement as shown to (and signed by) the borrower, in the borrower's language.
import { formatDate, t, type Lang } from "../i18n";
import { formatMoney } from "./money";
import type { DraftLine } from "./schedule";

export interface AgreementValues {
  borrowerName: string;
  nationalIdMasked: string;
  loanAccount: string;
  branchName: string;
  officerName: string;
  principalFen: number;
  downPaymentFen: number;
  lines: readonly DraftLine[];
  /** YYYY-MM-DD, the signing day in the branch's zone. */
  date: string;
}

/** The borrower's language if we have a catalogue for it, else zh-CN. */
export function agreementLang(borrowerLanguage: string | undefined): Lang {
  return borrowerLanguage?.toLowerCase().startsWith("en") ? "en" : "zh-CN";
}

export function scheduleText(v: AgreementValues, lang: Lang): string {
  const rows: string[] = [];
  if (v.downPaymentFen > 0) {
    rows.push(`${t("agreement.downLine", undefined, lang)}  ${formatDate(v.date, undefined, lang)}  ${formatMoney(v.downPaymentFen)}`);
  }
  for (const line of v.lines) {
    rows.push(
      `${t("agreement.seq", { n: line.seq }, lang)}  ${formatDate(line.due_date, undefined, lang)}  ${formatMoney(line.amount_fen)}`,
    );
  }
  rows.push(`${t("agreement.total", undefined, lang)}  ${formatMoney(v.principalFen)}`);
  return rows.join("\n");
}

/** Fill a template's {placeholders}; unknown ones are left as they are. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => values[key] ?? m);
}

/**
 * The text to sign. The server's template (reference data) wins over the built-in one;
 * templates are keyed by language ("zh-CN", "en").
 */
export function agreementText(templates: Record<string, string>, lang: Lang, v: AgreementValues): string {
  const template = templates[lang] ?? t("agreement.defaultTemplate", undefined, lang);
  return fillTemplate(template, {
    borrower_name: v.borrowerName,
    national_id_masked: v.nationalIdMasked,
    loan_account: v.loanAccount,
    account_number: v.loanAccount,
    branch_name: v.branchName,
    officer_name: v.officerName,
    principal: formatMoney(v.principalFen),
    down_payment: formatMoney(v.downPaymentFen),
    count: String(v.lines.length),
    schedule: scheduleText(v, lang),
    date: formatDate(v.date, undefined, lang),
  });
}
