// Numbers as the console writes them: KPIs, distances, durations. Pure (tested).
import { formatMoney } from "../domain/money";
import type { Lang } from "../i18n";

/** 0.4567 -> "45.7%"; null (nothing to divide by) -> "—". */
export function formatRate(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${(value * 100).toFixed(digits)}%`;
}

/** Kilometres with one decimal; null -> "—". */
export function formatKmValue(km: number | null | undefined): string {
  if (km === null || km === undefined || !Number.isFinite(km)) return "—";
  return km.toFixed(1);
}

export function formatFen(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? "—" : formatMoney(fen);
}

/** 30204 s -> "8 h 23 min" / "8小时23分". */
export function formatDuration(seconds: number | null | undefined, lang: Lang): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (lang === "zh-CN") return h ? `${h}小时${m}分` : `${m}分钟`;
  return h ? `${h} h ${m} min` : `${m} min`;
}

/** Metres between two WGS-84 points (haversine). */
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return Math.round(2 * r * Math.asin(Math.sqrt(h)));
}

/** Yuan typed in a filter ("12,000") -> fen; "" -> null; junk -> undefined. */
export function yuanToFen(text: string): number | null | undefined {
  const clean = text.replace(/[¥￥,\s]/g, "");
  if (!clean) return null;
  if (!/^\d+(\.\d{0,2})?$/.test(clean)) return undefined;
  return Math.round(Number(clean) * 100);
}

export type KpiKey =
  | "contact_rate"
  | "ptp_rate"
  | "ptp_kept_rate"
  | "recovery_rate"
  | "cure_rate"
  | "km_per_visit"
  | "recovered_fen"
  | "cost_per_100_recovered_fen";

export const RATE_KPIS: readonly KpiKey[] = ["contact_rate", "ptp_rate", "ptp_kept_rate", "recovery_rate", "cure_rate"];

/** A KPI value as written in tables and on charts. */
export function formatKpi(key: KpiKey, value: number | null | undefined): string {
  if (RATE_KPIS.includes(key)) return formatRate(value);
  if (key === "km_per_visit") return formatKmValue(value);
  return formatFen(value);
}

/** The number a chart plots for a KPI (percent for rates, yuan for money); null stays null. */
export function chartValue(key: KpiKey, value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  if (RATE_KPIS.includes(key)) return Math.round(value * 1000) / 10;
  if (key === "recovered_fen" || key === "cost_per_100_recovered_fen") return value / 100;
  return Math.round(value * 10) / 10;
}

/** Sort values the way a person expects: numbers by size, text by the locale, blanks last. */
export function compareValues(a: unknown, b: unknown, lang: Lang): number {
  const blankA = a === null || a === undefined || a === "";
  const blankB = b === null || b === undefined || b === "";
  if (blankA || blankB) return blankA === blankB ? 0 : blankA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), lang === "zh-CN" ? "zh-Hans-CN" : "en");
}
