// The pure parts of the skip and contact sheets: code lists, the message text, the `sms:` link.
import type { ContactResult, SkipReason } from "../../data/types";

export const SKIP_REASONS: readonly SkipReason[] = ["absent", "wrong_address", "unsafe", "refused_entry", "other"];
/** Who answered a call (the visit outcome's contact codes). */
export const ANSWERED_BY = ["borrower", "family", "guarantor", "third_party", "nobody", "refused"] as const;
export const CALL_RESULTS: readonly ContactResult[] = ["promised", "will_pay_later", "disputes", "refused", "no_answer", "wrong_number"];
/** Nobody answered: only these results make sense. */
const UNANSWERED: readonly ContactResult[] = ["no_answer", "wrong_number"];
export const MAX_NOTE = 500;
/** The same default as the server's (api/visits/contacts.py), for a branch record without one. */
export const DEFAULT_SMS_TEMPLATE = "{name}您好，您在本行的贷款已逾期，欠款{amount}元，请尽快还款。如有困难请致电{branch_phone}。";

export function resultsFor(answeredBy: string | null): readonly ContactResult[] {
  return answeredBy === "nobody" ? UNANSWERED : CALL_RESULTS;
}

/** A call is saved with who answered and a result that fits; a message is always "sent". */
export function contactReady(channel: "call" | "sms", answeredBy: string | null, result: ContactResult | null): boolean {
  if (channel === "sms") return true;
  return !!answeredBy && !!result && resultsFor(answeredBy).includes(result);
}

/** 3800050 fen -> "38000.50"; whole yuan without decimals. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(Math.round(fen));
  const cents = abs % 100;
  return `${sign}${Math.floor(abs / 100)}${cents ? `.${String(cents).padStart(2, "0")}` : ""}`;
}

export interface SmsValues {
  name: string;
  amount: string;
  branch_phone: string;
}

/** The branch's template with {name}, {amount} and {branch_phone} filled; other braces kept. */
export function fillSmsTemplate(template: string | undefined, values: SmsValues): string {
  const text = template?.trim() ? template : DEFAULT_SMS_TEMPLATE;
  return text.replace(/\{(name|amount|branch_phone)\}/g, (_, key: keyof SmsValues) => values[key]);
}

/** `sms:<digits>?body=<text>`: the messages app opens with the text ready to send. */
export function smsLink(phone: string, body: string): string {
  return `sms:${phone.replace(/[^\d+]/g, "")}?body=${encodeURIComponent(body)}`;
}
