import { describe, expect, it } from "vitest";
import { buildSchedule, dueDate, type Frequency } from "../src/domain/schedule";

function sum(lines: { amount_fen: number }[]): number {
  return lines.reduce((s, l) => s + l.amount_fen, 0);
}

describe("buildSchedule", () => {
  it("splits evenly and gives the remainder to the last line", () => {
    const r = buildSchedule({ amountFen: 1_000_00, downPaymentFen: 0, count: 3, frequency: "monthly", firstDate: "2026-12-01" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.lines.map((l) => l.amount_fen)).toEqual([333_33, 333_33, 333_34]);
    expect(r.lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(sum(r.lines)).toBe(1_000_00);
  });

  it("adds up exactly with a down payment", () => {
    const r = buildSchedule({ amountFen: 1_234_567, downPaymentFen: 200_001, count: 7, frequency: "weekly", firstDate: "2026-11-30" });
    if (!r.ok) throw new Error(r.error);
    expect(r.downPaymentFen + sum(r.lines)).toBe(1_234_567);
    const base = Math.floor((1_234_567 - 200_001) / 7);
    expect(r.lines.slice(0, 6).every((l) => l.amount_fen === base)).toBe(true);
    expect(r.lines[6]?.amount_fen).toBe(1_234_567 - 200_001 - base * 6);
  });

  it("always adds up (many random cases)", () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const freqs: Frequency[] = ["weekly", "fortnightly", "monthly"];
    for (let i = 0; i < 500; i++) {
      const amount = 100 + rnd(10_000_000);
      const down = rnd(amount);
      const count = 1 + rnd(Math.min(60, amount - down));
      const r = buildSchedule({ amountFen: amount, downPaymentFen: down, count, frequency: freqs[i % 3] ?? "monthly", firstDate: "2026-01-31" });
      if (!r.ok) throw new Error(`${amount} ${down} ${count}: ${r.error}`);
      expect(r.downPaymentFen + sum(r.lines)).toBe(amount);
      expect(r.lines).toHaveLength(count);
      const last = r.lines[count - 1]?.amount_fen ?? 0;
      expect(last - (r.lines[0]?.amount_fen ?? 0)).toBeLessThan(count);
      expect(last).toBeGreaterThanOrEqual(r.lines[0]?.amount_fen ?? 0);
    }
  });

  it("steps weekly, fortnightly and monthly", () => {
    const dates = (frequency: Frequency) => {
      const r = buildSchedule({ amountFen: 9_000, downPaymentFen: 0, count: 3, frequency, firstDate: "2026-12-28" });
      return r.ok ? r.lines.map((l) => l.due_date) : [];
    };
    expect(dates("weekly")).toEqual(["2026-12-28", "2027-01-04", "2027-01-11"]);
    expect(dates("fortnightly")).toEqual(["2026-12-28", "2027-01-11", "2027-01-25"]);
    expect(dates("monthly")).toEqual(["2026-12-28", "2027-01-28", "2027-02-28"]);
  });

  it("keeps the day of month, clamped to short months", () => {
    expect([0, 1, 2, 3].map((n) => dueDate("2027-01-31", "monthly", n))).toEqual(["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]);
    expect(dueDate("2028-01-31", "monthly", 1)).toBe("2028-02-29");
  });

  it("refuses what cannot be signed", () => {
    const base = { amountFen: 10_000, downPaymentFen: 0, count: 3, frequency: "monthly" as const, firstDate: "2026-12-01" };
    expect(buildSchedule({ ...base, amountFen: 0 })).toEqual({ ok: false, error: "amount" });
    expect(buildSchedule({ ...base, amountFen: 10.5 })).toEqual({ ok: false, error: "amount" });
    expect(buildSchedule({ ...base, downPaymentFen: -1 })).toEqual({ ok: false, error: "down_payment" });
    expect(buildSchedule({ ...base, downPaymentFen: 10_000 })).toEqual({ ok: false, error: "down_payment" });
    expect(buildSchedule({ ...base, count: 0 })).toEqual({ ok: false, error: "count" });
    expect(buildSchedule({ ...base, count: 61 })).toEqual({ ok: false, error: "count" });
    expect(buildSchedule({ ...base, firstDate: "2026-02-30" })).toEqual({ ok: false, error: "first_date" });
    expect(buildSchedule({ ...base, amountFen: 2, count: 3 })).toEqual({ ok: false, error: "too_small" });
  });
});
