// Instalment schedule maths: integer fen only, so down payment + lines == amount exactly.

export type Frequency = "weekly" | "fortnightly" | "monthly";
export const FREQUENCIES: readonly Frequency[] = ["weekly", "fortnightly", "monthly"];
export const MAX_INSTALMENTS = 60;

export interface ScheduleInput {
  /** What the agreement settles (usually the loan's overdue amount), fen. */
  amountFen: number;
  downPaymentFen: number;
  count: number;
  frequency: Frequency;
  /** First instalment date, YYYY-MM-DD. */
  firstDate: string;
}

export interface DraftLine {
  seq: number;
  due_date: string;
  amount_fen: number;
}

export type ScheduleError = "amount" | "down_payment" | "count" | "first_date" | "too_small";

export type ScheduleResult =
  | { ok: true; downPaymentFen: number; lines: DraftLine[]; totalFen: number }
  | { ok: false; error: ScheduleError };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(iso: string): { y: number; m: number; d: number } | null {
  const match = ISO_DATE.exec(iso);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return null;
  return { y, m, d };
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The date `n` periods after `first`. Monthly keeps the day of month, clamped to month end. */
export function dueDate(first: string, frequency: Frequency, n: number): string {
  const p = parseDate(first);
  if (!p) throw new RangeError(`not a date: ${first}`);
  if (frequency === "monthly") {
    const months = p.m - 1 + n;
    const y = p.y + Math.floor(months / 12);
    const m = (months % 12) + 1;
    return iso(new Date(Date.UTC(y, m - 1, Math.min(p.d, daysInMonth(y, m)))));
  }
  const step = frequency === "weekly" ? 7 : 14;
  return iso(new Date(Date.UTC(p.y, p.m - 1, p.d + step * n)));
}

/**
 * Split `amount - down payment` into `count` equal lines of whole fen; the remainder of
 * the division goes to the last line, so the lines always add up exactly.
 */
export function buildSchedule(input: ScheduleInput): ScheduleResult {
  const { amountFen, downPaymentFen, count, frequency, firstDate } = input;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) return { ok: false, error: "amount" };
  if (!Number.isSafeInteger(downPaymentFen) || downPaymentFen < 0 || downPaymentFen >= amountFen) {
    return { ok: false, error: "down_payment" };
  }
  if (!Number.isInteger(count) || count < 1 || count > MAX_INSTALMENTS) return { ok: false, error: "count" };
  if (!parseDate(firstDate)) return { ok: false, error: "first_date" };
  const rest = amountFen - downPaymentFen;
  const base = Math.floor(rest / count);
  if (base < 1) return { ok: false, error: "too_small" };
  const lines: DraftLine[] = [];
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    lines.push({
      seq: i + 1,
      due_date: dueDate(firstDate, frequency, i),
      amount_fen: last ? rest - base * (count - 1) : base,
    });
  }
  return { ok: true, downPaymentFen, lines, totalFen: amountFen };
}
