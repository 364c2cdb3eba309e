import { describe, expect, it, vi } from "vitest";
import { applyPull } from "../src/data/apply";
import { FieldDb } from "../src/data/db";
import { StorageFullError } from "../src/data/errors";
import { getMeta, setMeta } from "../src/data/meta";
import { applyPushResult, enqueue, listOutbox, nextBatch, renumberFrom } from "../src/data/outbox";
import { getVisit } from "../src/data/queries";
import { BORROWER_ID, borrowerData, dbsPerTest, put, VISIT_ID, visitData } from "./helpers";

const db = dbsPerTest();

async function seed(d: FieldDb) {
  await applyPull(d, {
    cookie: "c1",
    reset: true,
    last_mutation_id: 0,
    expires_at: "2099-01-01T00:00:00Z",
    changes: [put("visit", VISIT_ID, visitData()), put("borrower", BORROWER_ID, borrowerData())],
  });
}

const note = (text: string) => ({ note_id: `n-${text}`, borrower_id: BORROWER_ID, visit_id: VISIT_ID, text, at: "2026-11-23T02:00:00Z" });

describe("outbox", () => {
  it("allocates ids from 1, one by one, and keeps them in order", async () => {
    const d = db();
    const a = await enqueue(d, "note.add", note("a"));
    const b = await enqueue(d, "note.add", note("b"));
    const c = await enqueue(d, "note.add", note("c"));
    expect([a.id, b.id, c.id]).toEqual([1, 2, 3]);
    expect((await listOutbox(d)).map((e) => (e.args as { text: string }).text)).toEqual(["a", "b", "c"]);
    expect(await getMeta(d, "nextMutationId")).toBe(4);
  });

  it("gives concurrent entries distinct consecutive ids", async () => {
    const d = db();
    const entries = await Promise.all(Array.from({ length: 20 }, (_, i) => enqueue(d, "note.add", note(String(i)))));
    expect(entries.map((e) => e.id).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("survives a reload: the counter and the queue are in IndexedDB", async () => {
    const d = db();
    await enqueue(d, "note.add", note("a"));
    await enqueue(d, "note.add", note("b"));
    d.close();
    const again = db(new FieldDb(d.name));
    expect((await listOutbox(again)).map((e) => e.id)).toEqual([1, 2]);
    expect((await enqueue(again, "note.add", note("c"))).id).toBe(3);
  });

  it("never reuses an id even when the counter was lost", async () => {
    const d = db();
    await enqueue(d, "note.add", note("a"));
    await enqueue(d, "note.add", note("b"));
    await setMeta(d, "nextMutationId", 1);
    expect((await enqueue(d, "note.add", note("c"))).id).toBe(3);
  });

  it("records the entity keys an entry touches", async () => {
    const d = db();
    const e = await enqueue(d, "promise.create", { promise_id: "p1", visit_id: VISIT_ID, loan_id: "l1", amount_fen: 100, due_date: "2026-12-01", at: "2026-11-23T02:00:00Z" });
    expect(e.keys).toEqual([`visit:${VISIT_ID}`, "promise:p1"]);
  });

  it("applies the entry to the local copy in the same transaction", async () => {
    const d = db();
    await seed(d);
    await enqueue(d, "visit.check_in", { visit_id: VISIT_ID, at: "2026-11-23T02:00:00Z", location: null, co_visitor_ids: [] });
    expect((await getVisit(d, VISIT_ID))?.visit.status).toBe("checked_in");
    await enqueue(d, "promise.create", { promise_id: "p1", visit_id: VISIT_ID, loan_id: "l1", amount_fen: 50_000, due_date: "2026-12-01", at: "2026-11-23T02:00:00Z" });
    const detail = await getVisit(d, VISIT_ID);
    expect(detail?.promises.map((p) => [p.id, p.amount_fen, p.borrower_id])).toEqual([["p1", 50_000, BORROWER_ID]]);
  });

  it("shows every kind of entry on the local copy at once", async () => {
    const d = db();
    await seed(d);
    const at = "2026-11-23T02:10:00Z";
    await enqueue(d, "visit.check_in", { visit_id: VISIT_ID, at, location: { lat: 37.3, lon: 116.5, accuracy_m: 10 }, co_visitor_ids: ["u2"] });
    await enqueue(d, "visit.record_outcome", {
      outcome_id: "o1",
      visit_id: VISIT_ID,
      contact: "family",
      hardship_reasons: ["natural_disaster"],
      hardship_detail: "flood",
      next_action: "revisit",
      at,
    });
    await enqueue(d, "visit.request_change", { request_id: "r1", visit_id: VISIT_ID, kind: "reschedule", reason: "", proposed: { date: "2026-11-30" } });
    await enqueue(d, "visit.check_out", { visit_id: VISIT_ID, at: "2026-11-23T02:40:00Z", location: null });
    const detail = await getVisit(d, VISIT_ID);
    expect(detail?.visit).toMatchObject({
      status: "done",
      checked_in_at: at,
      checked_out_at: "2026-11-23T02:40:00Z",
      last_outcome: { contact: "family", at },
    });
    expect(detail?.visit.change_requests?.map((r) => r.kind)).toEqual(["reschedule"]);
    expect(detail?.borrower?.recent_contacts.map((c) => [c.id, c.contact, c.text, c.pending])).toEqual([["o1", "family", "flood", true]]);
  });

  it("drops the entries the server answered for and keeps the rest", async () => {
    const d = db();
    for (const t of ["a", "b", "c", "d"]) await enqueue(d, "note.add", note(t));
    const sent = await nextBatch(d, 3);
    await applyPushResult(d, sent, {
      last_mutation_id: 3,
      results: [
        { id: 1, status: "applied", reason: "" },
        { id: 2, status: "duplicate", reason: "" },
        { id: 3, status: "flagged", reason: "late" },
      ],
    });
    expect((await listOutbox(d)).map((e) => e.id)).toEqual([4]);
    expect(await d.rejected.count()).toBe(0);
    expect(await getMeta(d, "serverLastMutationId")).toBe(3);
  });

  it("keeps rejected entries, with the reason, in the rejected table", async () => {
    const d = db();
    await enqueue(d, "note.add", note("a"));
    await enqueue(d, "promise.create", { promise_id: "p1", visit_id: VISIT_ID, loan_id: "l1", amount_fen: 0, due_date: "2020-01-01", at: "2026-11-23T02:00:00Z" });
    const sent = await nextBatch(d, 10);
    await applyPushResult(d, sent, {
      last_mutation_id: 2,
      results: [
        { id: 1, status: "applied", reason: "" },
        { id: 2, status: "rejected", reason: "amount must be above 0" },
      ],
    });
    expect(await d.outbox.count()).toBe(0);
    const rejected = await d.rejected.toArray();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ id: 2, name: "promise.create", reason: "amount must be above 0", seen: 0 });
    expect((rejected[0]?.args as { promise_id: string }).promise_id).toBe("p1");
  });

  it("keeps entries the server has not processed (last_mutation_id below them)", async () => {
    const d = db();
    for (const t of ["a", "b", "c"]) await enqueue(d, "note.add", note(t));
    const sent = await nextBatch(d, 3);
    await applyPushResult(d, sent, { last_mutation_id: 1, results: [{ id: 1, status: "applied", reason: "" }] });
    expect((await listOutbox(d)).map((e) => e.id)).toEqual([2, 3]);
  });

  it("renumbers the queue from the id the server expects after a gap", async () => {
    const d = db();
    for (const t of ["a", "b", "c"]) await enqueue(d, "note.add", note(t));
    await d.outbox.delete(1); // as if the first entry had been lost
    await renumberFrom(d, 1);
    const entries = await listOutbox(d);
    expect(entries.map((e) => [e.id, (e.args as { text: string }).text])).toEqual([
      [1, "b"],
      [2, "c"],
    ]);
    expect(await getMeta(d, "nextMutationId")).toBe(3);
  });

  it("turns a full quota into StorageFullError and stores nothing", async () => {
    const d = db();
    const spy = vi.spyOn(d.outbox, "add").mockImplementation(() => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    });
    await expect(enqueue(d, "note.add", note("a"))).rejects.toBeInstanceOf(StorageFullError);
    spy.mockRestore();
    expect(await d.outbox.count()).toBe(0);
    expect(await getMeta(d, "nextMutationId")).toBeUndefined();
  });
});
