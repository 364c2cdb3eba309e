// Issue 15: a skip and a logged call show on this phone before the server has them.
import { describe, expect, it } from "vitest";
import { applyPull, type PullPage } from "../../src/data/apply";
import { enqueue } from "../../src/data/outbox";
import { getBorrower, getVisit } from "../../src/data/queries";
import { BORROWER_ID, borrowerData, dbsPerTest, put, referenceChanges, VISIT_ID, visitData } from "../helpers";

const db = dbsPerTest();

function page(patch: Partial<PullPage>): PullPage {
  return { cookie: "c1", reset: false, last_mutation_id: 0, expires_at: "2099-01-01T00:00:00Z", changes: [], ...patch };
}

describe("skip and contact on this phone", () => {
  it("shows the visit as skipped and the call in recent contacts, once", async () => {
    const d = db();
    const changes = [...referenceChanges(), put("visit", VISIT_ID, visitData()), put("borrower", BORROWER_ID, borrowerData())];
    await applyPull(d, page({ reset: true, changes }), new Date("2026-11-23T01:00:00Z"));
    await enqueue(d, "visit.skip", { visit_id: VISIT_ID, reason: "absent", note: "", at: "2026-11-23T02:00:00Z" });
    await enqueue(d, "contact.log", {
      id: "c1",
      borrower_id: BORROWER_ID,
      visit_id: VISIT_ID,
      channel: "call",
      answered_by: "family",
      result: "will_pay_later",
      note: "",
      at: "2026-11-23T02:05:00Z",
    });
    const visit = (await getVisit(d, VISIT_ID))?.visit;
    expect([visit?.status, visit?.skip_reason]).toEqual(["skipped", "absent"]);
    // The server still says "planned": the unsent entries are replayed over it.
    await applyPull(d, page({ cookie: "c2", changes: [put("visit", VISIT_ID, visitData(), 5), put("borrower", BORROWER_ID, borrowerData(), 5)] }));
    expect((await getVisit(d, VISIT_ID))?.visit.status).toBe("skipped");
    const contacts = (await getBorrower(d, BORROWER_ID))?.borrower.recent_contacts ?? [];
    expect(contacts.map((c) => [c.id, c.kind, c.contact, c.pending])).toEqual([["c1", "call", "family", true]]);
  });
});
