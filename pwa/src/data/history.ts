// The borrower file's timeline, formatted for the phone and the console. Pure: no Dexie, no UI.
import type { BorrowerHistory, HistoryItem } from "./types";

type Lang = "zh-CN" | "en";
type Labelled = { code: string; label_zh: string; label_en: string };

function isLabelled(v: unknown): v is Labelled {
  return !!v && typeof v === "object" && "label_zh" in v && "label_en" in v;
}

/** A code with its labels in the given language; "" for none. */
export function codeLabel(v: unknown, lang: Lang): string {
  if (!isLabelled(v)) return "";
  return lang === "en" ? v.label_en : v.label_zh;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function yuan(fen: unknown): string {
  return typeof fen === "number" ? `¥${(fen / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : "";
}

/** The server's one-line summary in the language shown. */
export function historySummary(item: HistoryItem, lang: Lang): string {
  return lang === "en" ? item.summary : item.summary_zh;
}

const WORDS = {
  "zh-CN": { income: "收入", business: "经营", willingness: "意愿", answered: "接听", paid: "已还", next: "下期", decision: "决定", resolution: "处理结果", yes: "是", no: "否", courteous: "文明", lawful: "合规", explained: "解释协议", officer: "客户经理" },
  en: { income: "Income", business: "Business", willingness: "Willingness", answered: "Answered by", paid: "Paid", next: "Next", decision: "Decision", resolution: "Resolution", yes: "yes", no: "no", courteous: "Courteous", lawful: "Lawful", explained: "Agreement explained", officer: "Officer" },
} as const;

function visitDetails(d: Record<string, unknown>, lang: Lang): string[] {
  const w = WORDS[lang];
  const sep = lang === "en" ? ", " : "、";
  const reasons = Array.isArray(d.hardship_reasons) ? d.hardship_reasons.map((r) => codeLabel(r, lang)).filter(Boolean) : [];
  const assessment = [
    [w.income, codeLabel(d.income_source, lang)],
    [w.business, codeLabel(d.business_condition, lang)],
    [w.willingness, codeLabel(d.willingness, lang)],
  ]
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}${lang === "en" ? ": " : "："}${v}`);
  return [reasons.join(sep), assessment.join(" · "), str(d.hardship_detail)].filter(Boolean);
}

function agreementDetails(d: Record<string, unknown>, lang: Lang): string[] {
  const inst = d.instalments as { next?: { seq: number; due_date: string; amount_fen: number } | null } | undefined;
  const next = inst?.next;
  if (!next) return [str(d.decision_reason)].filter(Boolean);
  const w = WORDS[lang];
  const line = lang === "en" ? `${w.next}: #${next.seq} ${yuan(next.amount_fen)} on ${next.due_date}` : `${w.next}：第${next.seq}期 ${yuan(next.amount_fen)}，${next.due_date}`;
  return [line, str(d.decision_reason)].filter(Boolean);
}

/** A follow-up call's answers: "Courteous: yes · Lawful: no · …" and the note. */
export function feedbackDetails(d: Record<string, unknown>, lang: Lang): string[] {
  const w = WORDS[lang];
  const colon = lang === "en" ? ": " : "：";
  const answers = (["courteous", "lawful", "explained"] as const)
    .filter((k) => typeof d[k] === "boolean")
    .map((k) => `${w[k]}${colon}${d[k] ? w.yes : w.no}`);
  const officer = str(d.officer_name);
  return [answers.join(" · "), officer ? `${w.officer}${colon}${officer}` : "", str(d.note)].filter(Boolean);
}

/** The lines under an item's summary: what the manager reads in the file. */
export function historyDetails(item: HistoryItem, lang: Lang): string[] {
  const d = item.data as Record<string, unknown>;
  const w = WORDS[lang];
  const colon = lang === "en" ? ": " : "：";
  switch (item.kind) {
    case "visit":
      return visitDetails(d, lang);
    case "note":
      return [str(d.text)].filter(Boolean);
    case "call":
    case "sms": {
      const who = codeLabel(d.answered_by, lang);
      return [who ? `${w.answered}${colon}${who}` : "", str(d.note)].filter(Boolean);
    }
    case "promise":
      return typeof d.paid_fen === "number" && d.paid_fen > 0 ? [`${w.paid}${colon}${yuan(d.paid_fen)}`] : [];
    case "agreement":
      return agreementDetails(d, lang);
    case "change_request": {
      const decided = str(d.decision_reason);
      return [str(d.reason), decided ? `${w.decision}${colon}${decided}` : ""].filter(Boolean);
    }
    case "complaint": {
      const resolution = str(d.resolution);
      return [str(d.text), resolution ? `${w.resolution}${colon}${resolution}` : ""].filter(Boolean);
    }
    case "feedback":
      return feedbackDetails(d, lang);
    case "skip":
    case "payment":
    case "location":
      return [];
  }
}

/** Newest first (a stable sort: items at the same instant keep the server's order). */
export function sortHistory(items: HistoryItem[]): HistoryItem[] {
  return [...items].sort((a, b) => b.at.localeCompare(a.at));
}

/** The phone's copy within its window (items that aged out since the pull are not shown). */
export function recentItems(record: BorrowerHistory | null | undefined): HistoryItem[] {
  if (!record) return [];
  return sortHistory(record.items.filter((i) => i.at.slice(0, 10) >= record.since));
}

/** "Load more" on the console: a page added to what is shown, each item once. */
export function mergeHistory(shown: HistoryItem[], page: HistoryItem[]): HistoryItem[] {
  const seen = new Set(shown.map((i) => i.id));
  return [...shown, ...page.filter((i) => !seen.has(i.id))];
}

/** The latest next step of the file: the newest visit's next action and its date. */
export function nextStep(items: HistoryItem[], lang: Lang): { action: string; on: string | null } | null {
  for (const item of sortHistory(items)) {
    if (item.kind !== "visit") continue;
    const d = item.data as Record<string, unknown>;
    const action = codeLabel(d.next_action, lang);
    if (action) return { action, on: str(d.follow_up_on) || null };
  }
  return null;
}

export type Arrangement =
  | { kind: "promise"; amount_fen: number; due_date: string }
  | { kind: "agreement"; status: string; next: { seq: number; due_date: string; amount_fen: number } | null };

/** What holds the borrower now, from the items shown: the newest open promise, else the
 * newest active (or signed) agreement with its next instalment. */
export function currentArrangement(items: HistoryItem[]): Arrangement | null {
  const code = (v: unknown) => (isLabelled(v) ? v.code : "");
  for (const item of sortHistory(items)) {
    const d = item.data as Record<string, unknown>;
    if (item.kind === "promise" && code(d.status) === "open" && typeof d.amount_fen === "number") {
      return { kind: "promise", amount_fen: d.amount_fen, due_date: str(d.due_date) };
    }
    if (item.kind === "agreement" && ["active", "signed"].includes(code(d.status))) {
      const inst = d.instalments as { next?: { seq: number; due_date: string; amount_fen: number } | null } | undefined;
      return { kind: "agreement", status: code(d.status), next: inst?.next ?? null };
    }
  }
  return null;
}
