// Where a borrower lives and how we know it, preferred visiting times and safety flags, in
// words. Pure (tested); shared by the phone and the console.
import { joinList, t, type Lang, type MessageKey } from "../i18n";

export type LocationSource = "import" | "geocoder" | "check_in" | "manager";
export type LocationPrecision = "exact" | "village" | "township";

export interface LocationLike {
  lat: number | null;
  lon: number | null;
  location_source?: string | null;
  location_precision?: string | null;
  location_note?: string | null;
}

export const SOURCES: readonly LocationSource[] = ["import", "geocoder", "check_in", "manager"];
export const PRECISIONS: readonly LocationPrecision[] = ["exact", "village", "township"];
export const SAFETY_CODES = ["aggressive_dog", "hostile_relative", "remote_road", "prior_threat"] as const;

export function isLocated(b: LocationLike): boolean {
  return typeof b.lat === "number" && typeof b.lon === "number";
}

function known<T extends string>(list: readonly T[], v: string | null | undefined): T | null {
  return v && (list as readonly string[]).includes(v) ? (v as T) : null;
}

export interface Provenance {
  located: boolean;
  /** Short label for a badge: 导入 / 地理编码 / 签到 / 手动 ("" when not recorded). */
  source: string;
  sourceCode: LocationSource | null;
  /** 门牌 / 村 / 乡镇 ("" when not recorded). */
  precision: string;
  precisionCode: LocationPrecision | null;
  /** Why it is unlocated ("" when located or unknown). */
  note: string;
  /** One line for the phone: "位置：签到确认 · 门牌" / "未定位：仅有村名". */
  line: string;
}

export function provenance(b: LocationLike, lang?: Lang): Provenance {
  const sourceCode = known(SOURCES, b.location_source);
  const precisionCode = known(PRECISIONS, b.location_precision);
  const note = (b.location_note ?? "").trim();
  const located = isLocated(b);
  const source = sourceCode ? t(`loc.source.${sourceCode}`, undefined, lang) : "";
  const precision = precisionCode ? t(`loc.precision.${precisionCode}`, undefined, lang) : "";
  let line: string;
  if (!located) line = note ? t("loc.unlocatedNote", { note }, lang) : t("loc.unlocated", undefined, lang);
  else {
    const how = sourceCode ? t(`loc.sourceLong.${sourceCode}`, undefined, lang) : t("loc.sourceUnknown", undefined, lang);
    line = precision ? t("loc.line", { how, precision }, lang) : t("loc.lineNoPrecision", { how }, lang);
  }
  return { located, source, sourceCode, precision, precisionCode, note: located ? "" : note, line };
}

// ---- Preferred times -------------------------------------------------------------------------

/** Weekdays as the server counts them: 0 = Monday .. 6 = Sunday. */
export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;

export interface PreferredTime {
  weekdays: number[] | null;
  start: string;
  end: string;
}

export function weekdayName(d: number, lang?: Lang): string {
  return t(`weekday.${d}` as MessageKey, undefined, lang);
}

/** "周一、周三 09:00–11:00" / "Mon, Wed 09:00–11:00" / "每天 …" when no weekdays are set. */
export function formatPreferred(p: PreferredTime, lang?: Lang): string {
  const days = p.weekdays && p.weekdays.length > 0 && p.weekdays.length < 7
    ? joinList([...p.weekdays].sort((a, b) => a - b).map((d) => weekdayName(d, lang)), lang)
    : t("weekday.every", undefined, lang);
  return `${days} ${p.start}–${p.end}`;
}

export function formatPreferredList(list: readonly PreferredTime[], lang?: Lang): string {
  return list.map((p) => formatPreferred(p, lang)).join(t("common.listSep", undefined, lang));
}

/** One row of the editor: no weekday ticked means every day. */
export interface TimeRow {
  weekdays: number[];
  start: string;
  end: string;
}

export const MAX_TIME_ROWS = 10;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isHhmm(v: string, allowMidnightEnd = false): boolean {
  return HHMM.test(v) || (allowMidnightEnd && v === "24:00");
}

export function rowsFrom(list: readonly PreferredTime[] | null | undefined): TimeRow[] {
  return (list ?? []).map((p) => ({ weekdays: [...(p.weekdays ?? [])].sort((a, b) => a - b), start: p.start, end: p.end }));
}

export function toggleWeekday(row: TimeRow, d: number): TimeRow {
  const has = row.weekdays.includes(d);
  return { ...row, weekdays: has ? row.weekdays.filter((x) => x !== d) : [...row.weekdays, d].sort((a, b) => a - b) };
}

export interface RowsCheck {
  /** Per row: a message key, or null when the row is fine. */
  errors: (MessageKey | null)[];
  /** The body to send, or null while a row is wrong. */
  value: PreferredTime[] | null;
  tooMany: boolean;
}

export function checkTimeRows(rows: readonly TimeRow[]): RowsCheck {
  const errors = rows.map((r): MessageKey | null => {
    if (!isHhmm(r.start) || !isHhmm(r.end, true)) return "times.badFormat";
    if (r.start >= r.end) return "times.startAfterEnd";
    return null;
  });
  const tooMany = rows.length > MAX_TIME_ROWS;
  const ok = !tooMany && errors.every((e) => e === null);
  return {
    errors,
    tooMany,
    value: ok ? rows.map((r) => ({ weekdays: r.weekdays.length === 0 || r.weekdays.length === 7 ? null : [...r.weekdays], start: r.start, end: r.end })) : null,
  };
}

export function safetyText(flags: readonly string[], lang?: Lang): string {
  return joinList(flags.map((f) => (SAFETY_CODES as readonly string[]).includes(f) ? t(`safety.${f}` as MessageKey, undefined, lang) : f), lang);
}
