// Money is integer fen everywhere; yuan strings exist only at the edges (input, display).

/** 1234500 -> "¥12,345.00" (the same in every language). */
export function formatMoney(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(fen));
  const yuan = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}¥${yuan}.${(abs % 100).toString().padStart(2, "0")}`;
}

const FULL_WIDTH = /[\uFF10-\uFF19\uFF0E\uFF0C]/g;

/**
 * Parse what an officer typed ("1,234.5", "¥800", full-width digits) into fen.
 * Returns null for anything that is not a plain amount with at most two decimals.
 */
export function parseYuan(input: string): number | null {
  const normal = input
    .replace(FULL_WIDTH, (c) => (c === "\uFF0E" ? "." : c === "\uFF0C" ? "," : String(c.charCodeAt(0) - 0xff10)))
    .replace(/[¥￥,\s]/g, "");
  if (!/^\d+(\.\d{0,2})?$/.test(normal)) return null;
  const [whole = "0", frac = ""] = normal.split(".");
  const fen = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** 123456 -> "1234.56" for prefilling an input. */
export function fenToInput(fen: number): string {
  return `${Math.floor(fen / 100)}.${(fen % 100).toString().padStart(2, "0")}`;
}
