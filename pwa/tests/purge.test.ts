// Issue 13 item 15: what is left on the phone after the data expire and after sign-out.
// Borrower data, the refresh token, the refused entries' payloads and the payloads of entries
// the server has already answered for leave; unsent entries stay, whole, until they are sent.
import { describe, expect, it } from "vitest";
import { Api } from "../src/data/api";
import { applyPull, enforceExpiry, isExpired, type PullPage } from "../src/data/apply";
import { signOut } from "../src/data/auth";
import type { FieldDb } from "../src/data/db";
import { getMeta, setMeta } from "../src/data/meta";
import { enqueue, renumberFrom } from "../src/data/outbox";
import { listVisits } from "../src/data/queries";
import { SyncEngine } from "../src/data/sync";
import type { MutationArgs, OutboxEntry } from "../src/data/types";
import { BORROWER_ID, borrowerData, dbsPerTest, LOAN_ID, put, referenceChanges, VISIT_ID, visitData } from "./helpers";

const db = dbsPerTest();

const SERVER_PULL = "2026-11-23T01:00:00Z";
const EXPIRES = "2026-11-26T01:00:00Z"; // 72 h after the pull, by the server's clock
const HOUR = 3_600_000;
const at = (iso: string, hours = 0) => new Date(Date.parse(iso) + hours * HOUR);

function page(patch: Partial<PullPage> = {}): PullPage {
  return {
    cookie: "c1",
    reset: true,
    last_mutation_id: 0,
    server_time: SERVER_PULL,
    expires_at: EXPIRES,
    changes: [...referenceChanges(), put("visit", VISIT_ID, visitData()), put("borrower", BORROWER_ID, borrowerData())],
    ...patch,
  };
}

const SIGNED_TEXT = "甲方张三同意分期偿还……";
const SIGNATURE = "data:image/png;base64,SIGNATURE";

function agreementArgs(id: string): MutationArgs["agreement.sign"] {
  return {
    agreement_id: id,
    visit_id: VISIT_ID,
    loan_id: LOAN_ID,
    terms: { principal_fen: 100_000, down_payment_fen: 10_000, schedule: [{ due_date: "2026-12-23", amount_fen: 90_000 }] },
    text: SIGNED_TEXT,
    text_sha256: "0".repeat(64),
    borrower_signature: SIGNATURE,
    officer_signature: SIGNATURE,
    signed_at: "2026-11-23T02:00:00Z",
    location: null,
  };
}

/**
 * A phone as the reviewer found it: signed in, a full copy pulled, a refused agreement with
 * its text and signatures, an entry the server answered for (id 1 <= the server's last id)
 * still stored, and an unsent note and agreement.
 */
async function usedPhone(d: FieldDb, pulledAtLocal: Date = at(SERVER_PULL)): Promise<void> {
  await setMeta(d, "deviceId", "dev-1");
  await setMeta(d, "deviceUser", "officer1");
  await setMeta(d, "accessToken", "access-1");
  await setMeta(d, "refreshToken", "refresh-1");
  await setMeta(d, "user", { id: "u1", username: "officer1", full_name: "李明", role: "officer", branch_id: "br1", phone: "13800000001" } as never);
  await applyPull(d, page(), pulledAtLocal);
  await d.rejected.put({
    id: 7,
    name: "agreement.sign",
    args: agreementArgs("a-refused"),
    client_time: "2026-11-22T03:00:00Z",
    reason: "agreement_text_mismatch",
    rejected_at: "2026-11-22T03:01:00Z",
    seen: 0,
  });
  const answered: OutboxEntry = {
    id: 1,
    name: "note.add",
    args: { note_id: "n-sent", borrower_id: BORROWER_ID, visit_id: null, text: "家里有病人，月底发工资", at: "2026-11-22T03:00:00Z" },
    client_time: "2026-11-22T03:00:00Z",
    keys: [],
  };
  await d.outbox.put(answered);
  await setMeta(d, "serverLastMutationId", 1);
  await setMeta(d, "nextMutationId", 2);
  await enqueue(d, "note.add", { note_id: "n-unsent", borrower_id: BORROWER_ID, visit_id: null, text: "unsent note", at: "2026-11-23T03:00:00Z" });
  await enqueue(d, "agreement.sign", agreementArgs("a-unsent"));
}

/** Everything left on the phone, as one string: what a thief with the phone could read. */
async function dump(d: FieldDb): Promise<string> {
  return JSON.stringify([await d.entities.toArray(), await d.outbox.toArray(), await d.rejected.toArray(), await d.meta.toArray()]);
}

async function expectPurged(d: FieldDb): Promise<void> {
  expect(await getMeta(d, "refreshToken")).toBeUndefined();
  expect(await getMeta(d, "accessToken")).toBeUndefined();
  expect(await listVisits(d)).toEqual([]);
  // Refused entries stay listed (name, time, reason) without what was typed or signed.
  const rejected = await d.rejected.toArray();
  expect(rejected.map((r) => [r.id, r.name, r.reason, r.args])).toEqual([[7, "agreement.sign", "agreement_text_mismatch", null]]);
  // Answered entries go; unsent ones stay whole, to be sent after the next sign-in.
  const outbox = await d.outbox.orderBy("id").toArray();
  expect(outbox.map((e) => e.id)).toEqual([2, 3]);
  expect((outbox[0]?.args as { text: string }).text).toBe("unsent note");
  expect((outbox[1]?.args as { text: string }).text).toBe(SIGNED_TEXT);
  const left = await dump(d);
  expect(left).not.toContain("refresh-1");
  expect(left).not.toContain("月底发工资");
  expect(left).not.toContain("a-refused");
  // The agreement text and signatures stay once: in the unsent agreement's outbox entry.
  expect(left.split(SIGNED_TEXT).length - 1).toBe(1);
  expect(left.split(SIGNATURE).length - 1).toBe(2);
}

describe("expiry purges the phone", () => {
  it("drops the refresh token, refused payloads and answered entries, keeps unsent entries", async () => {
    const d = db();
    await usedPhone(d);
    expect(await enforceExpiry(d, at(EXPIRES, -0.01))).toBe(false);
    expect(await getMeta(d, "refreshToken")).toBe("refresh-1");
    expect(await enforceExpiry(d, at(EXPIRES, 0.01))).toBe(true);
    await expectPurged(d);
    expect(await getMeta(d, "notice")).toBe("expired");
    expect(await getMeta(d, "deviceId")).toBe("dev-1"); // the same officer signs in to this device again
  });

  it("is judged by the server's time at the last pull, not by a phone clock running 3 days late", async () => {
    const d = db();
    await usedPhone(d, at(SERVER_PULL, -72)); // the phone's clock said 3 days earlier at the pull
    // 72 h later by the server's clock the phone shows the pull's server time: expired all the same.
    expect(await isExpired(d, at(SERVER_PULL, -0.01))).toBe(false);
    expect(await enforceExpiry(d, at(SERVER_PULL, 0.01))).toBe(true);
    await expectPurged(d);
  });

  it("a phone clock running 5 days early does not expire fresh data", async () => {
    const d = db();
    await usedPhone(d, at(SERVER_PULL, 120));
    expect(await enforceExpiry(d, at(SERVER_PULL, 120 + 71))).toBe(false);
    expect(await listVisits(d)).toHaveLength(1);
    expect(await enforceExpiry(d, at(SERVER_PULL, 120 + 73))).toBe(true);
  });

  it("setting the phone's clock back after the pull does not extend the data's life", async () => {
    const d = db();
    await usedPhone(d);
    expect(await enforceExpiry(d, at(SERVER_PULL, 70))).toBe(false); // 70 h have passed
    expect(await enforceExpiry(d, at(SERVER_PULL, -200))).toBe(false); // clock set back 270 h
    expect(await enforceExpiry(d, at(SERVER_PULL, -197))).toBe(true); // 3 more hours: 73 h
    await expectPurged(d);
  });

  it("a successful pull after signing in again brings the data back and restarts the clock", async () => {
    const d = db();
    await usedPhone(d);
    await enforceExpiry(d, at(EXPIRES, 1));
    await applyPull(d, page({ server_time: "2026-11-26T03:00:00Z", expires_at: "2026-11-29T03:00:00Z", last_mutation_id: 1 }), at(EXPIRES, 2));
    expect(await listVisits(d)).toHaveLength(1);
    expect(await getMeta(d, "notice")).toBeUndefined();
    expect(await isExpired(d, at("2026-11-29T03:00:00Z", -0.01))).toBe(false);
    expect(await d.outbox.count()).toBe(2);
  });
});

describe("unsent entries are never purged", () => {
  it("entries renumbered below the old mark after the server was restored stay until sent", async () => {
    const d = db();
    await usedPhone(d);
    await setMeta(d, "serverLastMutationId", 50); // the server had answered up to 50...
    await d.outbox.delete(1);
    await renumberFrom(d, 41); // ...then was restored from a backup and expects 41
    expect((await d.outbox.toArray()).map((e) => e.id)).toEqual([41, 42]);
    await enforceExpiry(d, at(EXPIRES, 1));
    expect((await d.outbox.toArray()).map((e) => e.id)).toEqual([41, 42]);
    const api = new Api({ db: d, fetch: () => Promise.reject(new Error("offline")), onRevoked: async () => undefined });
    await signOut(d, api);
    expect((await d.outbox.toArray()).map((e) => (e.args as { text: string }).text)).toEqual(["unsent note", SIGNED_TEXT]);
  });
});

describe("sign-out purges the phone", () => {
  it("drops the refresh token, refused payloads and answered entries, keeps unsent entries", async () => {
    const d = db();
    await usedPhone(d);
    const api = new Api({ db: d, fetch: () => Promise.reject(new Error("offline")), onRevoked: async () => undefined });
    await signOut(d, api);
    await expectPurged(d);
    expect(await d.entities.count()).toBe(0);
    expect(await getMeta(d, "user")).toBeUndefined();
    expect(await getMeta(d, "notice")).toBe("signed_out");
  });
});

describe("expiry runs by itself", () => {
  it("on the sync engine's timer, even while the engine waits out a back-off", async () => {
    const d = db();
    await usedPhone(d);
    let now = at(SERVER_PULL, 1);
    let online = false;
    const signedOut: unknown[] = [];
    const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
      if (!online) throw new TypeError("Failed to fetch");
      if (input.endsWith("/auth/sign-out")) signedOut.push(JSON.parse(String(init?.body)));
      return new Response(null, { status: 204 });
    };
    const api = new Api({ db: d, fetch, onRevoked: async () => undefined });
    const engine = new SyncEngine({ db: d, api, now: () => now, random: () => 0.5 });
    const ticks: (() => void)[] = [];
    const win = {
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      setInterval: ((fn: () => void) => ticks.push(fn)) as unknown as Window["setInterval"],
      clearInterval: () => undefined,
    };
    const doc = { addEventListener: () => undefined, removeEventListener: () => undefined, visibilityState: "visible" as const };
    engine.start(win, doc);
    await engine.run(); // offline: back-off
    expect(engine.state.problem).toBe("offline");
    expect(await getMeta(d, "refreshToken")).toBe("refresh-1");
    now = at(EXPIRES, 0.5);
    online = true; // signal again: the purged session is ended on the server too
    expect(ticks).toHaveLength(1);
    ticks[0]?.();
    await engine.expiryChecked();
    engine.stop();
    await expectPurged(d);
    expect(signedOut[0]).toEqual({ refresh_token: "refresh-1" });
  });
});

describe("expiry on app start", () => {
  it("boot() purges a phone whose data expired while the app was closed", async () => {
    const data = await import("../src/data");
    db(data.db);
    await usedPhone(data.db);
    await data.boot(); // the wall clock is long past EXPIRES, and so is the server's
    await expectPurged(data.db);
  });
});
