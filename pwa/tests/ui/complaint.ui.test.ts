// Issue 15: the complaint sheet's rule and the entry it queues (`complaint.record`).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db, recordComplaint } from "../../src/data";
import { listOutbox } from "../../src/data/outbox";
import { COMPLAINT_CATEGORIES, MAX_COMPLAINT_TEXT, complaintReady } from "../../src/ui/components/complaint";
import { en } from "../../src/i18n/en";
import { zhCN } from "../../src/i18n/zh-CN";

describe("the complaint sheet", () => {
  it("needs a category and the borrower's words within the bound", () => {
    expect(complaintReady(null, "太凶")).toBe(false);
    expect(complaintReady("rude", "   ")).toBe(false);
    expect(complaintReady("rude", "太凶")).toBe(true);
    expect(complaintReady("other", "x".repeat(MAX_COMPLAINT_TEXT))).toBe(true);
    expect(complaintReady("other", "x".repeat(MAX_COMPLAINT_TEXT + 1))).toBe(false);
  });
  it("labels every category in both languages", () => {
    expect(COMPLAINT_CATEGORIES).toEqual(["rude", "threat", "wrong_time", "privacy", "wrong_amount", "other"]);
    for (const code of COMPLAINT_CATEGORIES) {
      expect(en[`complaint.category.${code}` as keyof typeof en]).toBeTruthy();
      expect(zhCN[`complaint.category.${code}` as keyof typeof zhCN]).toBeTruthy();
    }
  });
});

describe("the queued complaint", () => {
  beforeEach(async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("offline"))));
    await db.open();
    await db.outbox.clear();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("queues complaint.record with a fresh id and the trimmed text", async () => {
    await recordComplaint("b1", null, "threat", "  说要告诉邻居 ");
    const [entry] = await listOutbox(db);
    expect(entry?.name).toBe("complaint.record");
    expect(entry?.args).toMatchObject({ borrower_id: "b1", visit_id: null, category: "threat", text: "说要告诉邻居" });
    expect((entry?.args as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
    expect(entry?.keys).toEqual(["borrower:b1"]);
  });
});
