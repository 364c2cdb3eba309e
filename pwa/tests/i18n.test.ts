import { describe, expect, it } from "vitest";
import { en } from "../src/i18n/en";
import { detectLang, formatDate, formatMoney, t } from "../src/i18n";
import { zhCN } from "../src/i18n/zh-CN";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("i18n catalogues", () => {
  it("have exactly the same keys", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it("use the same placeholders in both languages", () => {
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect([key, placeholders(en[key])]).toEqual([key, placeholders(zhCN[key])]);
    }
  });

  it("have no empty strings", () => {
    for (const [key, value] of [...Object.entries(zhCN), ...Object.entries(en)]) {
      expect([key, value.trim().length > 0]).toEqual([key, true]);
    }
  });

  it("name the core controls exactly in English", () => {
    expect(en["signin.submit"]).toBe("Sign in");
    expect(en["sync.now"]).toBe("Sync now");
    expect(en["visit.checkIn"]).toBe("Check in");
    expect(en["visit.recordOutcome"]).toBe("Record outcome");
    expect(en["visit.promise"]).toBe("Promise to pay");
    expect(en["visit.signAgreement"]).toBe("Sign agreement");
    expect(en["agreement.sign"]).toBe("Sign agreement");
    expect(en["visit.checkOut"]).toBe("Check out");
    expect(en["visit.sos"]).toBe("SOS");
  });

  it("interpolates parameters", () => {
    expect(t("sync.pending", { n: 3 }, "en")).toBe("3 waiting");
    expect(t("sync.pending", { n: 3 }, "zh-CN")).toBe("待发送 3");
  });
});

describe("language choice", () => {
  it("prefers the saved setting", () => {
    expect(detectLang("en", ["zh-CN"])).toBe("en");
    expect(detectLang("zh-CN", ["en-US"])).toBe("zh-CN");
  });
  it("else follows the browser: zh* is Chinese, anything else English", () => {
    expect(detectLang(undefined, ["zh-TW", "en"])).toBe("zh-CN");
    expect(detectLang(undefined, ["zh"])).toBe("zh-CN");
    expect(detectLang(undefined, ["en-GB"])).toBe("en");
    expect(detectLang(undefined, ["fr-FR", "zh-CN"])).toBe("en");
    expect(detectLang(undefined, [])).toBe("zh-CN");
  });
});

describe("formats", () => {
  it("writes money as ¥12,345.00 from fen", () => {
    expect(formatMoney(1_234_500)).toBe("¥12,345.00");
    expect(formatMoney(5)).toBe("¥0.05");
    expect(formatMoney(123_456_789_01)).toBe("¥123,456,789.01");
    expect(formatMoney(-1_000)).toBe("-¥10.00");
  });
  it("writes dates the Chinese way in zh-CN and ISO-like in English", () => {
    expect(formatDate("2026-11-23", "Asia/Shanghai", "zh-CN")).toBe("2026年11月23日");
    expect(formatDate("2026-11-23", "Asia/Shanghai", "en")).toBe("2026-11-23");
    // 16:30 UTC is already the next day in Shanghai.
    expect(formatDate("2026-11-22T16:30:00Z", "Asia/Shanghai", "zh-CN")).toBe("2026年11月23日");
  });
});
