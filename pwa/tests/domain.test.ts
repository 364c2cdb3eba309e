import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/data/ids";
import { agreementLang, agreementText, fillTemplate } from "../src/domain/agreementText";
import { dpdBucket } from "../src/domain/dpd";
import { amapLink, baiduLink, geoLink, telLink } from "../src/domain/maps";
import { parseYuan } from "../src/domain/money";
import { isHoliday, localParts, withinHours } from "../src/domain/time";

describe("DPD buckets", () => {
  it("follow M1 1-30, M2 31-60, M3 61-90, M3+ over 90", () => {
    expect([1, 30, 31, 60, 61, 90, 91, 400].map(dpdBucket)).toEqual(["M1", "M1", "M2", "M2", "M3", "M3", "M3+", "M3+"]);
    expect(dpdBucket(0)).toBe("M0");
  });
});

describe("amount input", () => {
  it("parses what officers type into fen", () => {
    expect(parseYuan("1234")).toBe(123_400);
    expect(parseYuan("1,234.5")).toBe(123_450);
    expect(parseYuan("¥ 800.05")).toBe(80_005);
    expect(parseYuan("１２３．４")).toBe(12_340);
    expect(parseYuan("12.345")).toBeNull();
    expect(parseYuan("abc")).toBeNull();
    expect(parseYuan("")).toBeNull();
    expect(parseYuan("-5")).toBeNull();
  });
});

describe("navigation links", () => {
  it("tell each map service that the coordinates are WGS-84", () => {
    const amap = new URL(amapLink(37.3357, 116.5766, "张三"));
    expect(amap.searchParams.get("coordinate")).toBe("wgs84");
    expect(amap.searchParams.get("position")).toBe("116.5766,37.3357");
    const baidu = new URL(baiduLink(37.3357, 116.5766, "张三"));
    expect(baidu.searchParams.get("coord_type")).toBe("wgs84");
    expect(baidu.searchParams.get("location")).toBe("37.3357,116.5766");
    expect(geoLink(37.3357, 116.5766, "张三")).toMatch(/^geo:37\.3357,116\.5766\?q=37\.3357,116\.5766\(/);
    expect(telLink("0534-822 1234")).toBe("tel:05348221234");
  });
});

describe("lawful hours in the branch's zone", () => {
  const hours = { start: "08:00", end: "21:00" };
  it("uses local time, not UTC", () => {
    // 23:30 UTC = 07:30 in Shanghai: too early; 00:30 UTC = 08:30: fine; 13:00 UTC = 21:00: too late.
    expect(withinHours(new Date("2026-11-22T23:30:00Z"), "Asia/Shanghai", hours)).toBe(false);
    expect(withinHours(new Date("2026-11-23T00:30:00Z"), "Asia/Shanghai", hours)).toBe(true);
    expect(withinHours(new Date("2026-11-23T13:00:00Z"), "Asia/Shanghai", hours)).toBe(false);
    expect(localParts("2026-11-23T13:00:00Z", "Asia/Shanghai")).toEqual({ date: "2026-11-23", time: "21:00" });
  });
  it("knows the policy's holidays", () => {
    expect(isHoliday(new Date("2026-09-30T17:00:00Z"), "Asia/Shanghai", ["2026-10-01"])).toBe(true);
  });
});

describe("agreement text", () => {
  const values = {
    borrowerName: "张三",
    nationalIdMasked: "3714**********1234",
    loanAccount: "6210000001",
    branchName: "陵城支行",
    officerName: "李明",
    principalFen: 1_000_00,
    downPaymentFen: 10_00,
    lines: [
      { seq: 1, due_date: "2026-12-23", amount_fen: 45_00 },
      { seq: 2, due_date: "2027-01-23", amount_fen: 45_00 },
    ],
    date: "2026-11-23",
  };
  it("fills the server's template in the borrower's language", () => {
    const text = agreementText({ "zh-CN": "{borrower_name}欠{principal}。\n{schedule}", en: "{borrower_name} owes {principal}" }, "zh-CN", values);
    expect(text).toContain("张三欠¥1,000.00。");
    expect(text).toContain("第 1 期  2026年12月23日  ¥45.00");
    expect(text).toContain("首付  2026年11月23日  ¥10.00");
    expect(agreementText({ en: "{borrower_name} owes {principal}" }, "en", values)).toBe("张三 owes ¥1,000.00");
  });
  it("falls back to the built-in template", () => {
    expect(agreementText({}, "en", values)).toContain("No. 2  2027-01-23  ¥45.00");
  });
  it("picks the language and leaves unknown placeholders", () => {
    expect(agreementLang("en-US")).toBe("en");
    expect(agreementLang("zh-CN")).toBe("zh-CN");
    expect(agreementLang(undefined)).toBe("zh-CN");
    expect(fillTemplate("{a}{b}", { a: "1" })).toBe("1{b}");
  });
  it("hashes the UTF-8 text with SHA-256", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex("协议")).toHaveLength(64);
  });
});
