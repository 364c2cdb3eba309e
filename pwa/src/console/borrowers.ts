// The Borrowers screen's pure parts: the filter as a query, proposals as sentences. Tested.
import { formatDateTime, t, type Lang } from "../i18n";
import { formatPreferredList, safetyText, type PreferredTime } from "../ui/borrowerFacts";
import type { BorrowerItem, BorrowerProposal, BorrowerQuery } from "./types";

export type BorrowerFilter = "all" | "unlocated" | "proposals";
export const FILTERS: readonly BorrowerFilter[] = ["all", "unlocated", "proposals"];
export const BORROWER_PAGE = 50;

export function parseFilter(v: string | null): BorrowerFilter {
  return v === "unlocated" || v === "proposals" ? v : "all";
}

/** The list's query. "With open proposals" has no server filter: the page is filtered here. */
export function borrowerQuery(filter: BorrowerFilter, q: string, offset: number): BorrowerQuery {
  return {
    ...(filter === "unlocated" ? { located: false } : {}),
    ...(q.trim() ? { q: q.trim().slice(0, 100) } : {}),
    limit: BORROWER_PAGE,
    offset: Math.max(0, offset),
  };
}

export function shownBorrowers(items: readonly BorrowerItem[], filter: BorrowerFilter): BorrowerItem[] {
  return filter === "proposals" ? items.filter((b) => b.open_proposals > 0) : [...items];
}

/** 420 -> "420 米"; 1234 -> "1.2 公里". */
export function formatDistance(m: number, lang?: Lang): string {
  return m < 1000 ? t("common.metres", { m: Math.round(m) }, lang) : t("common.km", { km: (m / 1000).toFixed(1) }, lang);
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** The proposed point of a location proposal (null for other kinds or a malformed one). */
export function proposedPoint(p: BorrowerProposal): { lat: number; lon: number; accuracy_m: number | null } | null {
  if (p.kind !== "location") return null;
  const lat = num(p.data.lat);
  const lon = num(p.data.lon);
  return lat === null || lon === null ? null : { lat, lon, accuracy_m: num(p.data.accuracy_m) };
}

function proposedTimes(p: BorrowerProposal): PreferredTime[] {
  const v = Array.isArray(p.data.preferred_times) ? p.data.preferred_times : [];
  return v.filter((x): x is PreferredTime => !!x && typeof x === "object" && typeof (x as PreferredTime).start === "string");
}

function proposedFlags(p: BorrowerProposal): string[] {
  const v = Array.isArray(p.data.safety_flags) ? p.data.safety_flags : [];
  return v.filter((x): x is string => typeof x === "string");
}

/** A proposal as one sentence: who, when (branch time), what, and how far for a location. */
export function proposalSentence(p: BorrowerProposal, tz: string, lang?: Lang): string {
  const base = {
    officer: p.proposed_by_name || t("proposal.someone", undefined, lang),
    borrower: p.borrower_name,
    time: formatDateTime(p.at, tz, lang),
  };
  if (p.kind === "preferred_times") {
    const times = proposedTimes(p);
    return t("proposal.times", { ...base, times: times.length ? formatPreferredList(times, lang) : t("common.none", undefined, lang) }, lang);
  }
  if (p.kind === "safety_flags") {
    const flags = proposedFlags(p);
    return t("proposal.flags", { ...base, flags: flags.length ? safetyText(flags, lang) : t("common.none", undefined, lang) }, lang);
  }
  const dist = p.distance_m === null ? null : formatDistance(p.distance_m, lang);
  if (p.source === "check_in") {
    return dist === null ? t("proposal.checkInNew", base, lang) : t("proposal.moved", { ...base, distance: dist }, lang);
  }
  return dist === null ? t("proposal.hereNew", base, lang) : t("proposal.here", { ...base, distance: dist }, lang);
}

export function borrowerPage(offset: number, total: number): { first: number; last: number; hasPrev: boolean; hasNext: boolean } {
  return { first: Math.min(offset + 1, total), last: Math.min(offset + BORROWER_PAGE, total), hasPrev: offset > 0, hasNext: offset + BORROWER_PAGE < total };
}
