import Dexie from "dexie";
import { afterEach, describe, expect, it } from "vitest";
import { FieldDb, SCHEMA_V1, type OutboxRowV1 } from "../src/data/db";
import { getMeta } from "../src/data/meta";
import { enqueue, listOutbox } from "../src/data/outbox";
import { getBorrower, getVisit } from "../src/data/queries";
import { BORROWER_ID, borrowerData, VISIT_ID, visitData } from "./helpers";

const names: string[] = [];
afterEach(async () => {
  for (const name of names.splice(0)) await Dexie.delete(name);
});

/** Build a database exactly as the v1 app left it on a phone. */
async function makeV1(name: string): Promise<void> {
  const v1 = new Dexie(name);
  v1.version(1).stores(SCHEMA_V1);
  await v1.open();
  await v1.table("entities").bulkPut([
    { entity: "visit", id: VISIT_ID, version: 3, data: visitData({ status: "checked_in" }) },
    { entity: "borrower", id: BORROWER_ID, version: 2, data: borrowerData() },
    { entity: "branch", id: "br1", version: 1, data: { name: "陵城支行" } },
  ]);
  const outbox: OutboxRowV1[] = [
    {
      id: 7,
      name: "visit.check_in",
      args: { visit_id: VISIT_ID, at: "2026-11-23T02:00:00Z", location: null, co_visitor_ids: [] },
      client_time: "2026-11-23T02:00:00Z",
      status: "pending",
    },
    {
      id: 6,
      name: "promise.create",
      args: { promise_id: "p1", visit_id: VISIT_ID, loan_id: "l1", amount_fen: 0, due_date: "2026-12-01", at: "2026-11-23T02:00:00Z" },
      client_time: "2026-11-23T01:00:00Z",
      status: "rejected",
      reason: "amount must be above 0",
    },
    {
      id: 8,
      name: "note.add",
      args: { note_id: "n1", borrower_id: BORROWER_ID, visit_id: VISIT_ID, text: "dog", at: "2026-11-23T02:05:00Z" },
      client_time: "2026-11-23T02:05:00Z",
    },
  ];
  await v1.table("outbox").bulkPut(outbox);
  await v1.table("meta").bulkPut([
    { key: "deviceId", value: "dev-1" },
    { key: "nextMutationId", value: 9 },
    { key: "cookie", value: "cookie-1" },
  ]);
  v1.close();
}

describe("schema upgrade v1 -> v2", () => {
  it("keeps every row and fills the new fields", async () => {
    const name = `upgrade-${Math.random()}`;
    names.push(name);
    await makeV1(name);

    const db = new FieldDb(name);
    await db.open();
    expect(db.verno).toBe(2);

    // Entities: kept, with their borrower as `ref` and visible.
    const visit = await db.entities.get(["visit", VISIT_ID]);
    expect(visit).toMatchObject({ ref: BORROWER_ID, hidden: 0, version: 3 });
    expect((await db.entities.get(["borrower", BORROWER_ID]))?.ref).toBe(BORROWER_ID);
    expect((await db.entities.get(["branch", "br1"]))?.ref).toBe("");
    expect((await getVisit(db, VISIT_ID))?.visit.status).toBe("checked_in");
    expect((await getBorrower(db, BORROWER_ID))?.visits.map((v) => v.id)).toEqual([VISIT_ID]);

    // Outbox: pending entries kept in order with their keys; the rejected one moved.
    const outbox = await listOutbox(db);
    expect(outbox.map((e) => e.id)).toEqual([7, 8]);
    expect(outbox[0]?.keys).toEqual([`visit:${VISIT_ID}`]);
    expect(outbox[1]?.keys).toEqual([`visit:${VISIT_ID}`, `borrower:${BORROWER_ID}`]);
    const rejected = await db.rejected.toArray();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ id: 6, name: "promise.create", reason: "amount must be above 0", seen: 0 });

    // Meta: untouched; the id counter goes on where it was.
    expect(await getMeta(db, "deviceId")).toBe("dev-1");
    expect(await getMeta(db, "cookie")).toBe("cookie-1");
    const next = await enqueue(db, "note.add", { note_id: "n2", borrower_id: BORROWER_ID, visit_id: null, text: "x", at: "2026-11-23T03:00:00Z" });
    expect(next.id).toBe(9);
    db.close();
  });

  it("opens an empty v1 database", async () => {
    const name = `upgrade-empty-${Math.random()}`;
    names.push(name);
    const v1 = new Dexie(name);
    v1.version(1).stores(SCHEMA_V1);
    await v1.open();
    v1.close();
    const db = new FieldDb(name);
    await db.open();
    expect(await db.outbox.count()).toBe(0);
    expect(await db.rejected.count()).toBe(0);
    db.close();
  });
});
