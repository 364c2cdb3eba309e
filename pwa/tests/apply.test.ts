import { describe, expect, it } from "vitest";
import { applyPull, enforceExpiry, purgeHidden, signOutLocal, wipeAll, type PullPage } from "../src/data/apply";
import type { FieldDb } from "../src/data/db";
import { getMeta, setMeta } from "../src/data/meta";
import { enqueue, listOutbox } from "../src/data/outbox";
import { getAgreement, getBorrower, getContext, getVisit, listVisits } from "../src/data/queries";
import { BORROWER_ID, borrowerData, del, dbsPerTest, put, referenceChanges, VISIT_ID, visitData } from "./helpers";

const db = dbsPerTest();

const VISIT2 = "v0000000-0000-4000-8000-000000000002";
const BORROWER2 = "b0000000-0000-4000-8000-000000000002";

function page(patch: Partial<PullPage>): PullPage {
  return { cookie: "c1", reset: false, last_mutation_id: 0, expires_at: "2099-01-01T00:00:00Z", changes: [], ...patch };
}

async function fullCopy(d: FieldDb) {
  await applyPull(
    d,
    page({
      reset: true,
      changes: [
        ...referenceChanges(),
        put("visit", VISIT_ID, visitData()),
        put("borrower", BORROWER_ID, borrowerData()),
        put("visit", VISIT2, visitData({ borrower_id: BORROWER2, route_position: 2 })),
        put("borrower", BORROWER2, borrowerData({ name: "王五" })),
      ],
    }),
    new Date("2026-11-23T01:00:00Z"),
  );
}

describe("applying a pull", () => {
  it("stores a reset, its cookie, expiry and the time of the sync", async () => {
    const d = db();
    await fullCopy(d);
    expect((await listVisits(d)).map((c) => [c.visit.id, c.borrower?.name])).toEqual([
      [VISIT_ID, "张三"],
      [VISIT2, "王五"],
    ]);
    expect(await getMeta(d, "cookie")).toBe("c1");
    expect(await getMeta(d, "expiresAt")).toBe("2099-01-01T00:00:00Z");
    expect(await getMeta(d, "lastSyncAt")).toBe("2026-11-23T01:00:00.000Z");
    const ctx = await getContext(d);
    expect(ctx.branch?.timezone).toBe("Asia/Shanghai");
    expect(ctx.hardshipReasons.map((r) => r.code)).toEqual(["natural_disaster"]);
  });

  it("replaces the whole copy on reset", async () => {
    const d = db();
    await fullCopy(d);
    await applyPull(d, page({ cookie: "c2", reset: true, changes: [put("visit", VISIT2, visitData({ borrower_id: BORROWER2 }), 2)] }));
    expect((await d.entities.toArray()).map((r) => `${r.entity}:${r.id}`)).toEqual([`visit:${VISIT2}`]);
    expect(await getMeta(d, "cookie")).toBe("c2");
  });

  it("patches rows with puts and dels", async () => {
    const d = db();
    await fullCopy(d);
    await applyPull(
      d,
      page({
        cookie: "c2",
        changes: [put("visit", VISIT_ID, visitData({ status: "done" }), 2), del("visit", VISIT2), del("borrower", BORROWER2)],
      }),
    );
    expect((await getVisit(d, VISIT_ID))?.visit.status).toBe("done");
    expect(await getVisit(d, VISIT2)).toBeNull();
    expect(await d.entities.get(["borrower", BORROWER2])).toBeUndefined();
  });

  it("hides a deleted row that unsent entries touch, and keeps those entries", async () => {
    const d = db();
    await fullCopy(d);
    await enqueue(d, "visit.check_in", { visit_id: VISIT2, at: "2026-11-23T02:00:00Z", location: null, co_visitor_ids: [] });
    await enqueue(d, "note.add", { note_id: "n1", borrower_id: BORROWER2, visit_id: VISIT2, text: "gate locked", at: "2026-11-23T02:01:00Z" });
    // The visit was reassigned meanwhile: the server sends dels.
    await applyPull(d, page({ cookie: "c2", changes: [del("visit", VISIT2), del("borrower", BORROWER2)] }));

    expect((await listOutbox(d)).map((e) => e.name)).toEqual(["visit.check_in", "note.add"]);
    expect(await getVisit(d, VISIT2)).toBeNull(); // hidden from every screen
    expect(await getBorrower(d, BORROWER2)).toBeNull();
    expect((await listVisits(d)).map((c) => c.visit.id)).toEqual([VISIT_ID]);
    expect((await d.entities.get(["visit", VISIT2]))?.hidden).toBe(1); // but kept
    expect(await purgeHidden(d)).toBe(0);

    // Once the server has answered for the entries, the hidden rows go.
    await applyPull(d, page({ cookie: "c3", last_mutation_id: 2 }));
    expect(await d.outbox.count()).toBe(0);
    expect(await purgeHidden(d)).toBe(2);
    expect(await d.entities.get(["visit", VISIT2])).toBeUndefined();
  });

  it("keeps rows with unsent entries hidden when a reset leaves them out", async () => {
    const d = db();
    await fullCopy(d);
    await enqueue(d, "visit.check_in", { visit_id: VISIT2, at: "2026-11-23T02:00:00Z", location: null, co_visitor_ids: [] });
    await applyPull(d, page({ cookie: "c9", reset: true, changes: [put("visit", VISIT_ID, visitData())] }));
    expect((await d.entities.get(["visit", VISIT2]))?.hidden).toBe(1);
    expect(await d.entities.get(["borrower", BORROWER2])).toBeUndefined();
    expect(await d.outbox.count()).toBe(1);
  });

  it("drops outbox entries the server has processed (last_mutation_id)", async () => {
    const d = db();
    await fullCopy(d);
    for (const text of ["a", "b", "c"]) {
      await enqueue(d, "note.add", { note_id: text, borrower_id: BORROWER_ID, visit_id: null, text, at: "2026-11-23T02:00:00Z" });
    }
    await applyPull(d, page({ cookie: "c2", last_mutation_id: 2 }));
    expect((await listOutbox(d)).map((e) => e.id)).toEqual([3]);
    expect(await getMeta(d, "serverLastMutationId")).toBe(2);
  });

  it("replays unsent entries over the server's rows", async () => {
    const d = db();
    await fullCopy(d);
    await enqueue(d, "visit.check_in", { visit_id: VISIT_ID, at: "2026-11-23T02:00:00Z", location: null, co_visitor_ids: [] });
    await enqueue(d, "note.add", { note_id: "n1", borrower_id: BORROWER_ID, visit_id: VISIT_ID, text: "ok", at: "2026-11-23T02:01:00Z" });
    // The server has not seen them yet and still says "planned".
    await applyPull(d, page({ cookie: "c2", changes: [put("visit", VISIT_ID, visitData(), 5), put("borrower", BORROWER_ID, borrowerData(), 5)] }));
    expect((await getVisit(d, VISIT_ID))?.visit.status).toBe("checked_in");
    const contacts = (await getBorrower(d, BORROWER_ID))?.borrower.recent_contacts ?? [];
    expect(contacts.map((c) => [c.id, c.pending])).toEqual([["n1", true]]);
    // Replaying twice adds nothing twice.
    await applyPull(d, page({ cookie: "c3" }));
    expect((await getBorrower(d, BORROWER_ID))?.borrower.recent_contacts).toHaveLength(1);
  });

  it("keeps what only this phone knows of a signed agreement", async () => {
    const d = db();
    await fullCopy(d);
    await enqueue(d, "agreement.sign", {
      agreement_id: "a1",
      visit_id: VISIT_ID,
      loan_id: "l1",
      terms: { principal_fen: 1000, down_payment_fen: 100, schedule: [{ due_date: "2026-12-23", amount_fen: 900 }] },
      text: "协议",
      text_sha256: "x",
      borrower_signature: "data:image/png;base64,AAA",
      officer_signature: "data:image/png;base64,BBB",
      signed_at: "2026-11-23T02:00:00Z",
      location: null,
    });
    const server = {
      visit_id: VISIT_ID,
      loan_id: "l1",
      borrower_id: BORROWER_ID,
      principal_fen: 1000,
      down_payment_fen: 100,
      schedule: [{ seq: 1, due_date: "2026-12-23", amount_fen: 900, paid_fen: 0, status: "due" }],
      status: "pending_approval",
      signed_at: "2026-11-23T02:00:00Z",
      decision_reason: null,
    };
    await applyPull(d, page({ cookie: "c2", last_mutation_id: 1, changes: [put("agreement", "a1", server, 1)] }));
    const a = await getAgreement(d, "a1");
    expect(a?.status).toBe("pending_approval");
    expect(a?.text).toBe("协议");
    expect(a?.borrower_signature).toBe("data:image/png;base64,AAA");
  });
});

describe("expiry and wipe", () => {
  it("deletes borrower data once expires_at has passed, keeping the outbox", async () => {
    const d = db();
    await fullCopy(d);
    await setMeta(d, "expiresAt", "2026-11-26T00:00:00Z");
    await enqueue(d, "note.add", { note_id: "n1", borrower_id: BORROWER_ID, visit_id: null, text: "x", at: "2026-11-23T02:00:00Z" });

    expect(await enforceExpiry(d, new Date("2026-11-25T23:59:00Z"))).toBe(false);
    expect(await listVisits(d)).toHaveLength(2);

    expect(await enforceExpiry(d, new Date("2026-11-26T00:00:01Z"))).toBe(true);
    expect(await listVisits(d)).toEqual([]);
    expect(await getBorrower(d, BORROWER_ID)).toBeNull();
    const left = new Set((await d.entities.toArray()).map((r) => r.entity));
    expect([...left].sort()).toEqual(["branch", "hardship_reason", "officer"]);
    expect(await d.outbox.count()).toBe(1);
    expect(await getMeta(d, "cookie")).toBeNull(); // next pull gets the full set again
    expect(await getMeta(d, "notice")).toBe("expired");
  });

  it("a successful pull after expiry brings the data back and clears the notice", async () => {
    const d = db();
    await fullCopy(d);
    await setMeta(d, "expiresAt", "2026-11-26T00:00:00Z");
    await enforceExpiry(d, new Date("2026-11-27T00:00:00Z"));
    expect(await listVisits(d)).toEqual([]);
    await fullCopy(d);
    expect(await listVisits(d)).toHaveLength(2);
    expect(await getMeta(d, "notice")).toBeUndefined();
    expect(await getMeta(d, "expiresAt")).toBe("2099-01-01T00:00:00Z");
  });

  it("wipes everything but the language on DeviceRevoked / control wipe", async () => {
    const d = db();
    await fullCopy(d);
    await setMeta(d, "lang", "en");
    await setMeta(d, "deviceId", "dev-1");
    await setMeta(d, "accessToken", "tok");
    await enqueue(d, "note.add", { note_id: "n1", borrower_id: BORROWER_ID, visit_id: null, text: "x", at: "2026-11-23T02:00:00Z" });
    await d.rejected.put({ id: 9, name: "note.add", args: { note_id: "n", borrower_id: "b", visit_id: null, text: "", at: "" }, client_time: "", reason: "r", rejected_at: "", seen: 0 });
    await wipeAll(d);
    expect(await d.entities.count()).toBe(0);
    expect(await d.outbox.count()).toBe(0);
    expect(await d.rejected.count()).toBe(0);
    expect((await d.meta.toArray()).map((r) => r.key)).toEqual(["lang"]);
  });

  it("signing out keeps the device, the id counter and unsent entries", async () => {
    const d = db();
    await fullCopy(d);
    await setMeta(d, "deviceId", "dev-1");
    await setMeta(d, "refreshToken", "r");
    await enqueue(d, "note.add", { note_id: "n1", borrower_id: BORROWER_ID, visit_id: null, text: "x", at: "2026-11-23T02:00:00Z" });
    await signOutLocal(d);
    expect(await d.entities.count()).toBe(0);
    expect(await d.outbox.count()).toBe(1);
    expect(await getMeta(d, "deviceId")).toBe("dev-1");
    expect(await getMeta(d, "refreshToken")).toBeUndefined();
    expect(await getMeta(d, "nextMutationId")).toBe(2);
  });
});
