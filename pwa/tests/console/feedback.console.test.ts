// Issue 15: the follow-up call form (回访) builds the body the server accepts.
import { describe, expect, it } from "vitest";
import { NO_ANSWERS, doneForm, sharePercent, unreachableForm } from "../../src/console/feedback";

describe("the follow-up call form", () => {
  const all = { courteous: true, lawful: false, explained: true, satisfied: 4, note: "  客户满意 " };
  it("is done only with all four answers", () => {
    expect(doneForm(NO_ANSWERS)).toBeNull();
    expect(doneForm({ ...all, lawful: null })).toBeNull();
    expect(doneForm({ ...all, satisfied: null })).toBeNull();
    expect(doneForm(all)).toEqual({ status: "done", courteous: true, lawful: false, explained: true, satisfied: 4, note: "客户满意" });
  });
  it("refuses a satisfaction outside 1-5 and a long note", () => {
    expect(doneForm({ ...all, satisfied: 0 })).toBeNull();
    expect(doneForm({ ...all, satisfied: 6 })).toBeNull();
    expect(doneForm({ ...all, satisfied: 2.5 })).toBeNull();
    expect(doneForm({ ...all, note: "x".repeat(501) })).toBeNull();
  });
  it("sends no answers for an unreachable borrower", () => {
    expect(unreachableForm(all)).toEqual({ status: "unreachable", note: "客户满意" });
  });
  it("shows the share as a percentage", () => {
    expect([sharePercent(0.1), sharePercent(0.125), sharePercent(1)]).toEqual(["10", "12.5", "100"]);
  });
});

import { historyDetails } from "../../src/data/history";
import type { HistoryItem } from "../../src/data";

describe("complaints and follow-up calls in the file", () => {
  const item = (kind: string, data: Record<string, unknown>) =>
    ({ id: `${kind}:1`, kind, at: "2026-11-20T02:00:00Z", officer_name: "主管", summary: "", summary_zh: "", data }) as unknown as HistoryItem;
  it("shows the complaint's words and its resolution", () => {
    const c = item("complaint", { text: "说话太凶", resolution: "已道歉" });
    expect(historyDetails(c, "zh-CN")).toEqual(["说话太凶", "处理结果：已道歉"]);
    expect(historyDetails(c, "en")).toEqual(["说话太凶", "Resolution: 已道歉"]);
  });
  it("shows the call's answers and the officer", () => {
    const f = item("feedback", { courteous: true, lawful: false, explained: true, officer_name: "李明", note: "" });
    expect(historyDetails(f, "en")).toEqual(["Courteous: yes · Lawful: no · Agreement explained: yes", "Officer: 李明"]);
    expect(historyDetails(item("feedback", { courteous: null }), "zh-CN")).toEqual([]);
  });
});
