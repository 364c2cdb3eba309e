// Issue 15: the skip and contact sheets' pure parts, and the entries they queue in the outbox.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db, logContact, skipVisit } from "../../src/data";
import { listOutbox } from "../../src/data/outbox";
import {
  CALL_RESULTS,
  DEFAULT_SMS_TEMPLATE,
  SKIP_REASONS,
  contactReady,
  fillSmsTemplate,
  resultsFor,
  smsLink,
  yuan,
} from "../../src/ui/components/contactSheets";

describe("the message text and link", () => {
  const values = { name: "王大山", amount: yuan(3_800_050), branch_phone: "0534-1234567" };
  it("fills the branch template's placeholders and keeps other braces", () => {
    expect(fillSmsTemplate("{name}，欠款{amount}元，请致电{branch_phone} {other}", values)).toBe(
      "王大山，欠款38000.50元，请致电0534-1234567 {other}",
    );
  });
  it("falls back to the default zh text when the branch has none", () => {
    expect(fillSmsTemplate(undefined, values)).toBe(fillSmsTemplate(DEFAULT_SMS_TEMPLATE, values));
    expect(fillSmsTemplate("  ", values)).toContain("王大山您好");
  });
  it("opens sms: with the digits and the encoded body", () => {
    expect(smsLink("138 0000-1234", "还款 & 谢谢")).toBe(`sms:13800001234?body=${encodeURIComponent("还款 & 谢谢")}`);
  });
  it("writes yuan without a currency sign", () => {
    expect([yuan(100), yuan(3_800_050), yuan(0), yuan(-250)]).toEqual(["1", "38000.50", "0", "-2.50"]);
  });
});

describe("the two taps of a call", () => {
  it("needs who answered and a result that fits", () => {
    expect(contactReady("call", null, "promised")).toBe(false);
    expect(contactReady("call", "borrower", null)).toBe(false);
    expect(contactReady("call", "borrower", "promised")).toBe(true);
    expect(contactReady("call", "nobody", "promised")).toBe(false);
    expect(contactReady("call", "nobody", "no_answer")).toBe(true);
    expect(contactReady("sms", null, null)).toBe(true);
  });
  it("offers only no answer / wrong number when nobody answered", () => {
    expect(resultsFor("nobody")).toEqual(["no_answer", "wrong_number"]);
    expect(resultsFor("family")).toEqual(CALL_RESULTS);
    expect(CALL_RESULTS).not.toContain("sent");
    expect(SKIP_REASONS).toEqual(["absent", "wrong_address", "unsafe", "refused_entry", "other"]);
  });
});

describe("queued entries", () => {
  beforeEach(async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("offline"))));
    await db.open();
    await db.outbox.clear();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("queues visit.skip with the reason and the trimmed note", async () => {
    await skipVisit("v1", "absent", "  门锁着 ");
    const [entry] = await listOutbox(db);
    expect(entry?.name).toBe("visit.skip");
    expect(entry?.args).toMatchObject({ visit_id: "v1", reason: "absent", note: "门锁着" });
    expect(entry?.keys).toEqual(["visit:v1"]);
  });
  it("queues contact.log; a message is always sent, answered by nobody yet", async () => {
    await logContact({ borrowerId: "b1", visitId: "v1", channel: "call", answeredBy: "borrower", result: "promised", note: "" });
    await logContact({ borrowerId: "b1", visitId: null, channel: "sms", answeredBy: "family", result: "promised", note: "" });
    const [call, sms] = await listOutbox(db);
    expect(call?.args).toMatchObject({ borrower_id: "b1", visit_id: "v1", channel: "call", answered_by: "borrower", result: "promised" });
    expect(call?.keys).toEqual(["visit:v1", "borrower:b1"]);
    expect(sms?.args).toMatchObject({ visit_id: null, channel: "sms", answered_by: "", result: "sent" });
    expect((sms?.args as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
