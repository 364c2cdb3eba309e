// The phone's proposals go through the outbox like every entry: name, args, the borrower's key.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db, proposeBorrower } from "../../src/data";
import { listOutbox } from "../../src/data/outbox";

beforeEach(async () => {
  // No server here: a send attempt just fails and the entry waits.
  vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("offline"))));
  await db.open();
  await db.outbox.clear();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("borrower.propose", () => {
  it("queues 'the house is here' with the fix and its accuracy", async () => {
    await proposeBorrower("b1", "v1", { kind: "location", location: { lat: 37.31, lon: 116.59, accuracy_m: 12 } });
    const [entry] = await listOutbox(db);
    expect(entry?.name).toBe("borrower.propose");
    expect(entry?.args).toMatchObject({ borrower_id: "b1", visit_id: "v1", kind: "location", lat: 37.31, lon: 116.59, accuracy_m: 12 });
    expect(entry?.keys).toEqual(["visit:v1", "borrower:b1"]);
    const args = entry?.args as { id: string; at: string };
    expect(args.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(args.at))).toBe(false);
  });
  it("queues preferred times and safety flags as their own kinds", async () => {
    await proposeBorrower("b1", null, { kind: "preferred_times", preferred_times: [{ weekdays: null, start: "18:00", end: "20:00" }] });
    await proposeBorrower("b1", null, { kind: "safety_flags", safety_flags: ["aggressive_dog"] });
    const entries = await listOutbox(db);
    expect(entries.map((e) => (e.args as { kind: string }).kind)).toEqual(["preferred_times", "safety_flags"]);
    expect(entries[0]?.args).toMatchObject({ visit_id: null, preferred_times: [{ weekdays: null, start: "18:00", end: "20:00" }] });
    expect(entries[1]?.args).toMatchObject({ safety_flags: ["aggressive_dog"] });
    expect(entries[0]?.args).not.toHaveProperty("lat");
  });
});
