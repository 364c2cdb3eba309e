import { describe, expect, it } from "vitest";
import { currentArrangement, historyDetails, historySummary, mergeHistory, nextStep, recentItems } from "../src/data/history";
import type { HistoryItem } from "../src/data/types";

const lab = (code: string, zh: string, en: string) => ({ code, label_zh: zh, label_en: en });

function item(kind: HistoryItem["kind"], at: string, data: Record<string, unknown>, id = `${kind}:${at}`): HistoryItem {
  return { id, kind, at, officer_name: "张伟", summary: `${kind} en`, summary_zh: `${kind} 中文`, data };
}

const visit = item("visit", "2026-11-20T03:00:00Z", {
  contact: lab("borrower", "借款人本人", "Borrower"),
  hardship_reasons: [lab("crop", "作物歉收", "Crop failure"), lab("illness", "疾病", "Illness")],
  hardship_detail: "旱灾减产",
  income_source: lab("farming", "务农", "Farming"),
  business_condition: lab("seasonal_low", "季节性淡季", "Seasonal low"),
  willingness: lab("hesitant", "犹豫", "Hesitant"),
  next_action: lab("phone_follow_up", "电话跟进", "Phone follow-up"),
  follow_up_on: "2026-11-27",
});
const promise = item("promise", "2026-11-18T03:00:00Z", { status: lab("open", "未到期", "open"), amount_fen: 50000, due_date: "2026-11-30", paid_fen: 0 });
const agreement = item("agreement", "2026-11-10T03:00:00Z", {
  status: lab("active", "执行中", "active"),
  instalments: { paid: 1, due: 1, missed: 0, total: 2, next: { seq: 2, due_date: "2026-12-10", amount_fen: 100000 } },
  decision_reason: "",
});
const call = item("call", "2026-11-21T03:00:00Z", { answered_by: lab("family", "家属", "Family member"), result: lab("no_answer", "无人接听", "No answer"), note: "明天再打" });

describe("the borrower file's timeline", () => {
  it("shows the server's summary in the language chosen", () => {
    expect(historySummary(visit, "en")).toBe("visit en");
    expect(historySummary(visit, "zh-CN")).toBe("visit 中文");
  });

  it("lists a visit's hardship reasons, assessment and detail in both languages", () => {
    expect(historyDetails(visit, "zh-CN")).toEqual(["作物歉收、疾病", "收入：务农 · 经营：季节性淡季 · 意愿：犹豫", "旱灾减产"]);
    expect(historyDetails(visit, "en")).toEqual(["Crop failure, Illness", "Income: Farming · Business: Seasonal low · Willingness: Hesitant", "旱灾减产"]);
  });

  it("says who answered a call and the next instalment of an agreement", () => {
    expect(historyDetails(call, "en")).toEqual(["Answered by: Family member", "明天再打"]);
    expect(historyDetails(agreement, "zh-CN")[0]).toBe("下期：第2期 ¥1,000.00，2026-12-10");
  });

  it("keeps the phone's copy within its window, newest first", () => {
    const old = item("note", "2026-08-01T00:00:00Z", { text: "old" });
    const shown = recentItems({ borrower_id: "b", since: "2026-09-01", items: [promise, old, call, visit] });
    expect(shown.map((i) => i.kind)).toEqual(["call", "visit", "promise"]);
    expect(recentItems(null)).toEqual([]);
  });

  it("adds a page once per item and finds the arrangement and the next step", () => {
    const merged = mergeHistory([call, visit], [visit, promise, agreement]);
    expect(merged.map((i) => i.kind)).toEqual(["call", "visit", "promise", "agreement"]);
    expect(currentArrangement(merged)).toEqual({ kind: "promise", amount_fen: 50000, due_date: "2026-11-30" });
    expect(currentArrangement([agreement])).toMatchObject({ kind: "agreement", next: { seq: 2 } });
    expect(currentArrangement([call])).toBeNull();
    expect(nextStep(merged, "zh-CN")).toEqual({ action: "电话跟进", on: "2026-11-27" });
    expect(nextStep([call], "en")).toBeNull();
  });
});
