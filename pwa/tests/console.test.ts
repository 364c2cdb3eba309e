import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ROUTE_COLOURS, colourFor, routeColours, stopStyle, teamKey } from "../src/console/colours";
import { crc32, columnName, toCsv, toXlsx, zipStore } from "../src/console/export";
import { chartValue, compareValues, distanceM, formatDuration, formatKpi, formatRate, yuanToFen } from "../src/console/format";
import { toDisplay, wgs84ToGcj02 } from "../src/console/geo";
import { Poller } from "../src/console/poll";
import { consoleHref, parseConsoleRoute } from "../src/console/router";
import { DEFAULT_MAP, loadMapSettings, saveMapSettings, validTileUrl } from "../src/console/settings";
import { toQuery } from "../src/data/api";

describe("KPI formatting", () => {
  it("writes rates as percentages and nothing-to-divide as a dash", () => {
    expect(formatRate(0.4567)).toBe("45.7%");
    expect(formatRate(1)).toBe("100.0%");
    expect(formatRate(0)).toBe("0.0%");
    expect(formatRate(null)).toBe("—");
    expect(formatRate(Number.NaN)).toBe("—");
  });
  it("formats each KPI in its own unit", () => {
    expect(formatKpi("contact_rate", 0.5)).toBe("50.0%");
    expect(formatKpi("km_per_visit", 8.04)).toBe("8.0");
    expect(formatKpi("recovered_fen", 1_234_500)).toBe("¥12,345.00");
    expect(formatKpi("cost_per_100_recovered_fen", null)).toBe("—");
  });
  it("plots rates in percent and money in yuan", () => {
    expect(chartValue("ptp_rate", 0.3333)).toBe(33.3);
    expect(chartValue("recovered_fen", 12_345)).toBe(123.45);
    expect(chartValue("km_per_visit", 7.26)).toBe(7.3);
    expect(chartValue("cure_rate", null)).toBeNull();
  });
  it("writes durations in the language", () => {
    expect(formatDuration(30_204, "zh-CN")).toBe("8小时23分");
    expect(formatDuration(30_204, "en")).toBe("8 h 23 min");
    expect(formatDuration(1_500, "en")).toBe("25 min");
    expect(formatDuration(null, "en")).toBe("—");
  });
  it("reads yuan typed in a filter", () => {
    expect(yuanToFen("12,000")).toBe(1_200_000);
    expect(yuanToFen("¥99.5")).toBe(9_950);
    expect(yuanToFen("")).toBeNull();
    expect(yuanToFen("abc")).toBeUndefined();
    expect(yuanToFen("1.234")).toBeUndefined();
  });
  it("sorts numbers by size, text by the locale, blanks last", () => {
    const values = [10, null, 2, 33];
    expect([...values].sort((a, b) => compareValues(a, b, "en"))).toEqual([2, 10, 33, null]);
    expect(["b", "", "a"].sort((a, b) => compareValues(a, b, "en"))).toEqual(["a", "b", ""]);
  });
  it("measures metres between points", () => {
    expect(distanceM({ lat: 37.3357, lon: 116.5766 }, { lat: 37.3357, lon: 116.5766 })).toBe(0);
    const d = distanceM({ lat: 37.3357, lon: 116.5766 }, { lat: 37.3447, lon: 116.5766 });
    expect(d).toBeGreaterThan(990);
    expect(d).toBeLessThan(1010);
  });
});

describe("route colours", () => {
  const a = ["lead-a", "x"];
  const b = ["lead-b", "y"];
  it("are the same for a team whatever the order of routes or co-visitors", () => {
    const one = routeColours([a, b]);
    const two = routeColours([b, ["lead-a", "z"]]);
    expect(colourFor(one, a)).toBe(colourFor(two, ["lead-a"]));
    expect(colourFor(one, a)).not.toBe(colourFor(one, b));
  });
  it("never use red (kept for SOS) and wrap after the palette", () => {
    expect(ROUTE_COLOURS.map((c) => c.toLowerCase())).not.toContain("#b3261e");
    const teams = Array.from({ length: 10 }, (_, i) => [`lead-${i}`]);
    const colours = routeColours(teams);
    expect(new Set(colours.values()).size).toBe(ROUTE_COLOURS.length);
  });
  it("key a team by its lead", () => {
    expect(teamKey(["l", "c"])).toBe("l");
    expect(teamKey([])).toBe("");
  });
  it("show finished stops filled and skipped ones pale", () => {
    expect(stopStyle("done").fill).toBe(true);
    expect(stopStyle("checked_in").ring).toBe(true);
    expect(stopStyle("skipped").opacity).toBeLessThan(1);
    expect(stopStyle("planned")).toEqual({ fill: false, opacity: 1, ring: false });
  });
});

class FakeTarget {
  listeners = new Map<string, Set<() => void>>();
  visibilityState = "visible";
  addEventListener(type: string, l: () => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(l);
  }
  removeEventListener(type: string, l: () => void) {
    this.listeners.get(type)?.delete(l);
  }
  fire(type: string) {
    for (const l of this.listeners.get(type) ?? []) l();
  }
}

describe("polling", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs at once, then on the interval, and on focus", async () => {
    const win = new FakeTarget();
    const doc = new FakeTarget();
    const run = vi.fn(async () => undefined);
    const poller = new Poller({ intervalMs: 12_000, run, win, doc });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(12_000);
    expect(run).toHaveBeenCalledTimes(2);
    win.fire("focus");
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(3);
    poller.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    win.fire("focus");
    expect(run).toHaveBeenCalledTimes(3);
    expect(win.listeners.get("focus")?.size).toBe(0);
  });

  it("updates within 30 s: at least two runs in any 30 s while visible", async () => {
    const run = vi.fn(async () => undefined);
    const poller = new Poller({ intervalMs: 12_000, run, win: new FakeTarget(), doc: new FakeTarget() });
    poller.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(3);
    poller.stop();
  });

  it("skips the timer while hidden and catches up when visible again", async () => {
    const doc = new FakeTarget();
    const run = vi.fn(async () => undefined);
    const poller = new Poller({ intervalMs: 10_000, run, win: new FakeTarget(), doc });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    doc.visibilityState = "hidden";
    await vi.advanceTimersByTimeAsync(50_000);
    expect(run).toHaveBeenCalledTimes(1);
    doc.visibilityState = "visible";
    doc.fire("visibilitychange");
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(2);
    poller.stop();
  });

  it("never runs twice at once; a request during a run makes one more run", async () => {
    let release: () => void = () => undefined;
    let active = 0;
    let most = 0;
    const run = vi.fn(async () => {
      active += 1;
      most = Math.max(most, active);
      await new Promise<void>((r) => (release = r));
      active -= 1;
    });
    const poller = new Poller({ intervalMs: 1_000, run });
    const first = poller.now();
    void poller.now();
    void poller.now();
    await vi.advanceTimersByTimeAsync(5_000);
    release();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await first;
    expect(run).toHaveBeenCalledTimes(2);
    expect(most).toBe(1);
  });

  it("keeps polling after a failed run", async () => {
    let n = 0;
    const run = vi.fn(async () => {
      n += 1;
      if (n === 1) throw new Error("offline");
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const poller = new Poller({ intervalMs: 5_000, run });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(run).toHaveBeenCalledTimes(2);
    poller.stop();
    warn.mockRestore();
  });
});

describe("table exports", () => {
  it("write CSV with a BOM, quoting what needs it", () => {
    const csv = toCsv(["名称", "金额"], [["张, 三", 12.5], ['say "hi"', null]]);
    expect(csv.startsWith("\uFEFF名称,金额\r\n")).toBe(true);
    expect(csv).toContain('"张, 三",12.5\r\n');
    expect(csv).toContain('"say ""hi""",\r\n');
  });
  it("compute CRC-32 as zip does", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });
  it("name columns as spreadsheets do", () => {
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(["A", "Z", "AA", "AB", "ZZ", "AAA"]);
  });
  it("store files in a zip with a central directory", () => {
    const zip = zipStore([{ name: "a.txt", data: new TextEncoder().encode("hello") }]);
    const view = new DataView(zip.buffer);
    expect(view.getUint32(0, true)).toBe(0x04034b50);
    const end = zip.length - 22;
    expect(view.getUint32(end, true)).toBe(0x06054b50);
    expect(view.getUint16(end + 10, true)).toBe(1);
  });
  it("make an XLSX workbook with the rows as cells", () => {
    const bytes = toXlsx("KPIs", ["名称", "次数"], [["<&>", 3]]);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith("PK")).toBe(true);
    for (const part of ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"]) {
      expect(text).toContain(part);
    }
    expect(text).toContain('<c r="A2" t="inlineStr"><is><t xml:space="preserve">&lt;&amp;&gt;</t></is></c>');
    expect(text).toContain('<c r="B2"><v>3</v></c>');
    expect(text).toContain('<sheet name="KPIs"');
  });
});

describe("map coordinates", () => {
  it("shift WGS-84 to GCJ-02 by a few hundred metres in China", () => {
    const [lat, lon] = wgs84ToGcj02(37.3357, 116.5766);
    const shift = distanceM({ lat: 37.3357, lon: 116.5766 }, { lat, lon });
    expect(shift).toBeGreaterThan(100);
    expect(shift).toBeLessThan(800);
  });
  it("leave points outside China and WGS-84 tiles alone", () => {
    expect(wgs84ToGcj02(51.5, -0.12)).toEqual([51.5, -0.12]);
    expect(toDisplay(37.3, 116.5, "wgs84")).toEqual([37.3, 116.5]);
  });
});

describe("console settings", () => {
  const memory = () => {
    const data = new Map<string, string>();
    return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
  };
  it("have no tiles by default", () => {
    expect(loadMapSettings(memory())).toEqual(DEFAULT_MAP);
    expect(DEFAULT_MAP.tileUrl).toBe("");
  });
  it("keep what was saved and drop junk", () => {
    const s = memory();
    saveMapSettings({ tileUrl: " https://t.example/{z}/{x}/{y}.png ", attribution: "©", crs: "gcj02" }, s);
    expect(loadMapSettings(s)).toEqual({ tileUrl: "https://t.example/{z}/{x}/{y}.png", attribution: "©", crs: "gcj02" });
    s.setItem("fieldvisit.console.map", "{not json");
    expect(loadMapSettings(s)).toEqual(DEFAULT_MAP);
  });
  it("accept only tile templates with {z}, {x} and {y}", () => {
    expect(validTileUrl("https://a/{z}/{x}/{y}.png")).toBe(true);
    expect(validTileUrl("https://a/tiles.png")).toBe(false);
    expect(validTileUrl("javascript:alert(1)/{z}{x}{y}")).toBe(false);
  });
});

describe("console routes and queries", () => {
  it("parse sections with their parameters, Today by default", () => {
    expect(parseConsoleRoute("#/plan?date=2026-11-24").section).toBe("plan");
    expect(parseConsoleRoute("#/plan?date=2026-11-24").params.get("date")).toBe("2026-11-24");
    expect(parseConsoleRoute("").section).toBe("today");
    expect(parseConsoleRoute("#/nowhere").section).toBe("today");
    expect(consoleHref("today", { date: "2026-11-23", x: undefined })).toBe("#/today?date=2026-11-23");
  });
  it("leave empty query values out and repeat arrays", () => {
    expect(toQuery({ a: 1, b: "", c: null, d: undefined, e: ["x", "y"], f: false })).toBe("?a=1&e=x&e=y&f=false");
    expect(toQuery({})).toBe("");
  });
});
