import { describe, expect, it } from "vitest";
import { checkTimeRows, formatPreferred, formatPreferredList, isHhmm, provenance, rowsFrom, safetyText, toggleWeekday } from "../../src/ui/borrowerFacts";

describe("location provenance in words", () => {
  const at = { lat: 37.43, lon: 116.35 };
  it("says how a located borrower's place is known, with its precision", () => {
    const p = provenance({ ...at, location_source: "check_in", location_precision: "exact", location_note: "" }, "zh-CN");
    expect(p.line).toBe("位置：签到确认 · 门牌");
    expect(p.source).toBe("签到");
    expect(p.precision).toBe("门牌");
    expect(p.located).toBe(true);
    expect(provenance({ ...at, location_source: "geocoder", location_precision: "village" }, "en").line).toBe("Location: geocoded from the address · Village");
    expect(provenance({ ...at, location_source: "manager", location_precision: "township" }, "zh-CN").line).toBe("位置：支行标注 · 乡镇");
    expect(provenance({ ...at, location_source: "import", location_precision: "exact" }, "zh-CN").source).toBe("导入");
  });
  it("says an unlocated borrower is not located, with the reason", () => {
    const p = provenance({ lat: null, lon: null, location_source: null, location_precision: null, location_note: "仅有村名" }, "zh-CN");
    expect(p.line).toBe("未定位：仅有村名");
    expect(p.located).toBe(false);
    expect(p.note).toBe("仅有村名");
    expect(provenance({ lat: null, lon: null }, "en").line).toBe("Not located");
  });
  it("copes with old records and unknown codes", () => {
    expect(provenance({ ...at }, "zh-CN").line).toBe("位置：来源未记录");
    const odd = provenance({ ...at, location_source: "satellite", location_precision: "street" }, "en");
    expect(odd.sourceCode).toBeNull();
    expect(odd.precisionCode).toBeNull();
    expect(odd.line).toBe("Location: source not recorded");
  });
});

describe("preferred times", () => {
  it("are written with weekdays, or every day", () => {
    expect(formatPreferred({ weekdays: [2, 0], start: "09:00", end: "11:00" }, "zh-CN")).toBe("周一、周三 09:00–11:00");
    expect(formatPreferred({ weekdays: null, start: "18:00", end: "20:00" }, "en")).toBe("Every day 18:00–20:00");
    expect(formatPreferred({ weekdays: [0, 1, 2, 3, 4, 5, 6], start: "08:00", end: "09:00" }, "en")).toBe("Every day 08:00–09:00");
    expect(formatPreferredList([{ weekdays: [5], start: "09:00", end: "10:00" }, { weekdays: null, start: "19:00", end: "20:00" }], "en")).toBe(
      "Sat 09:00–10:00, Every day 19:00–20:00",
    );
  });
  it("editor rows: toggling a weekday keeps them sorted, none or all means every day", () => {
    const row = { weekdays: [3], start: "09:00", end: "11:00" };
    expect(toggleWeekday(row, 1).weekdays).toEqual([1, 3]);
    expect(toggleWeekday(row, 3).weekdays).toEqual([]);
    expect(rowsFrom([{ weekdays: null, start: "09:00", end: "10:00" }])).toEqual([{ weekdays: [], start: "09:00", end: "10:00" }]);
    const ok = checkTimeRows([{ weekdays: [], start: "09:00", end: "10:00" }, { weekdays: [0, 1, 2, 3, 4, 5, 6], start: "18:00", end: "24:00" }, { weekdays: [4], start: "13:00", end: "14:30" }]);
    expect(ok.value).toEqual([
      { weekdays: null, start: "09:00", end: "10:00" },
      { weekdays: null, start: "18:00", end: "24:00" },
      { weekdays: [4], start: "13:00", end: "14:30" },
    ]);
  });
  it("editor rows: each bad row is named and nothing is sent", () => {
    const check = checkTimeRows([
      { weekdays: [], start: "09:00", end: "10:00" },
      { weekdays: [], start: "9:00", end: "10:00" },
      { weekdays: [], start: "11:00", end: "10:00" },
      { weekdays: [], start: "24:00", end: "24:00" },
    ]);
    expect(check.errors).toEqual([null, "times.badFormat", "times.startAfterEnd", "times.badFormat"]);
    expect(check.value).toBeNull();
    const many = checkTimeRows(Array.from({ length: 11 }, () => ({ weekdays: [], start: "09:00", end: "10:00" })));
    expect(many.tooMany).toBe(true);
    expect(many.value).toBeNull();
  });
  it("accept HH:MM only, 24:00 as an end", () => {
    expect(isHhmm("00:00")).toBe(true);
    expect(isHhmm("23:59")).toBe(true);
    expect(isHhmm("24:00")).toBe(false);
    expect(isHhmm("24:00", true)).toBe(true);
    expect(isHhmm("12:60")).toBe(false);
    expect(isHhmm("")).toBe(false);
  });
  it("safety flags in words, unknown codes as they are", () => {
    expect(safetyText(["aggressive_dog", "remote_road"], "zh-CN")).toBe("有恶犬、道路偏远");
    expect(safetyText(["bees"], "en")).toBe("bees");
  });
});
