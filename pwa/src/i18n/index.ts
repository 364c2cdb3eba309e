import { formatMoney } from "../domain/money";
import { DEFAULT_TZ, localParts } from "../domain/time";
import { en } from "./en";
import { zhCN, type MessageKey } from "./zh-CN";

export type Lang = "zh-CN" | "en";
export type { MessageKey };
export const LANGS: readonly Lang[] = ["zh-CN", "en"];

const catalogues: Record<Lang, Record<MessageKey, string>> = { "zh-CN": zhCN, en };
let current: Lang = "zh-CN";

/** The saved setting wins; else the browser's language: zh* -> zh-CN, anything else English. */
export function detectLang(saved: Lang | undefined, browser: readonly string[]): Lang {
  if (saved && LANGS.includes(saved)) return saved;
  const first = browser[0];
  if (first === undefined) return "zh-CN";
  return first.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function setLang(lang: Lang): void {
  current = lang;
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}

export function getLang(): Lang {
  return current;
}

export function t(key: MessageKey, params?: Record<string, string | number>, lang: Lang = current): string {
  const text = catalogues[lang][key] ?? zhCN[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** A catalogue entry by a key built at run time (codes from the server); null if none. */
export function tMaybe(key: string, lang: Lang = current): string | null {
  const cat = catalogues[lang] as Record<string, string>;
  return key in cat ? (cat[key] ?? null) : null;
}

/** "2026-11-23" or an ISO time -> "2026年11月23日" (zh-CN) or "2026-11-23" (en). */
export function formatDate(value: string, tz: string = DEFAULT_TZ, lang: Lang = current): string {
  const date = value.length === 10 ? value : localParts(value, tz).date;
  if (lang === "en") return date;
  const [y, m, d] = date.split("-");
  return `${y}年${Number(m)}月${Number(d)}日`;
}

/** 24 h time in the branch's zone. */
export function formatTime(value: string | Date, tz: string = DEFAULT_TZ): string {
  return localParts(value, tz).time;
}

export function formatDateTime(value: string, tz: string = DEFAULT_TZ, lang: Lang = current): string {
  return `${formatDate(value, tz, lang)} ${formatTime(value, tz)}`;
}

export function formatKm(metres: number, lang: Lang = current): string {
  return t("common.km", { km: (metres / 1000).toFixed(1) }, lang);
}

/** A list in the current language: "a、b" in Chinese, "a, b" in English. */
export function joinList(items: readonly string[], lang: Lang = current): string {
  return items.join(t("common.listSep", undefined, lang));
}

/** Labels from reference data come with both languages. */
export function label(item: { label_zh: string; label_en: string }, lang: Lang = current): string {
  return lang === "en" ? item.label_en : item.label_zh;
}

export { formatMoney };
