import { describe, expect, it } from "vitest";
import { Api, parseRetryAfter, type FetchFn } from "../src/data/api";
import { wipeAll } from "../src/data/apply";
import { signIn, signOut } from "../src/data/auth";
import { getMeta, setMeta } from "../src/data/meta";
import { enqueue, listOutbox } from "../src/data/outbox";
import { listVisits } from "../src/data/queries";
import { backoffDelay, SyncEngine } from "../src/data/sync";
import type { Change } from "../src/data/types";
import { BORROWER_ID, borrowerData, dbsPerTest, put, VISIT_ID, visitData } from "./helpers";

const newDb = dbsPerTest();

interface Call {
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}
type Reply = { status: number; body: unknown; headers?: Record<string, string> };
type Handler = (call: Call) => Reply;

/** A scripted server: each path answers from its queue, else from its default. */
class FakeServer {
  calls: Call[] = [];
  queues = new Map<string, Handler[]>();
  defaults = new Map<string, Handler>();

  on(path: string, ...handlers: Handler[]): this {
    this.queues.set(path, [...(this.queues.get(path) ?? []), ...handlers]);
    return this;
  }
  always(path: string, handler: Handler): this {
    this.defaults.set(path, handler);
    return this;
  }
  fetch: FetchFn = async (input, init) => {
    const path = input.replace("/api/v1", "");
    const raw = typeof init?.body === "string" ? init.body : "";
    const body = raw.startsWith("{") ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw));
    const call = { path, body, headers: (init?.headers ?? {}) as Record<string, string> };
    this.calls.push(call);
    const handler = this.queues.get(path)?.shift() ?? this.defaults.get(path);
    if (!handler) throw new TypeError("Failed to fetch");
    const reply = handler(call);
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { "Content-Type": "application/json", ...reply.headers } });
  };
  paths(): string[] {
    return this.calls.map((c) => c.path);
  }
}

const pullOk = (changes: Change[] = [], patch: Record<string, unknown> = {}): Handler => () => ({
  status: 200,
  body: { cookie: "c1", reset: false, has_more: false, control: null, last_mutation_id: 0, server_time: "2026-11-23T02:00:00Z", expires_at: "2099-01-01T00:00:00Z", changes, ...patch },
});
const pushOk: Handler = (call) => {
  const ids = (call.body.mutations as { id: number }[]).map((m) => m.id);
  return { status: 200, body: { last_mutation_id: Math.max(...ids), results: ids.map((id) => ({ id, status: "applied" })) } };
};
const error = (status: number, code: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): Handler => () => ({
  status,
  body: { error: code, detail: `${code} happened`, ...extra },
  headers,
});

async function setup(server: FakeServer, now = new Date("2026-11-23T02:00:00Z")) {
  const db = newDb();
  let revoked = 0;
  const api = new Api({
    db,
    fetch: server.fetch,
    onRevoked: async () => {
      revoked += 1;
      await wipeAll(db);
    },
  });
  await setMeta(db, "deviceId", "dev-1");
  await setMeta(db, "accessToken", "access-1");
  await setMeta(db, "refreshToken", "refresh-1");
  const engine = new SyncEngine({ db, api, now: () => now, random: () => 0.5 });
  return { db, api, engine, revoked: () => revoked };
}

const note = (text: string) => ({ note_id: text, borrower_id: BORROWER_ID, visit_id: null, text, at: "2026-11-23T02:00:00Z" });

describe("sync engine", () => {
  it("pushes before it pulls, drains the outbox and stores the pull", async () => {
    const server = new FakeServer().always("/sync/push", pushOk).always("/sync/pull", pullOk([put("visit", VISIT_ID, visitData()), put("borrower", BORROWER_ID, borrowerData())], { last_mutation_id: 2 }));
    const { db, engine } = await setup(server);
    await enqueue(db, "note.add", note("a"));
    await enqueue(db, "note.add", note("b"));
    await engine.syncNow();
    expect(server.paths()).toEqual(["/sync/push", "/sync/pull"]);
    const push = server.calls[0];
    expect(push?.body).toMatchObject({ protocol: 1, device_id: "dev-1" });
    expect((push?.body.mutations as { id: number; name: string; client_time: string }[]).map((m) => [m.id, m.name])).toEqual([
      [1, "note.add"],
      [2, "note.add"],
    ]);
    expect(push?.headers.Authorization).toBe("Bearer access-1");
    expect(push?.headers["X-Device-Id"]).toBe("dev-1");
    expect(server.calls[1]?.body).toEqual({ protocol: 1, device_id: "dev-1", cookie: null });
    expect(await db.outbox.count()).toBe(0);
    expect(await listVisits(db)).toHaveLength(1);
    expect(engine.state.problem).toBeNull();
  });

  it("sends the outbox in batches of at most 100", async () => {
    const server = new FakeServer().always("/sync/push", pushOk).always("/sync/pull", pullOk());
    const { db, engine } = await setup(server);
    for (let i = 0; i < 230; i++) await enqueue(db, "note.add", note(String(i)));
    await engine.syncNow();
    const sizes = server.calls.filter((c) => c.path === "/sync/push").map((c) => (c.body.mutations as unknown[]).length);
    expect(sizes).toEqual([100, 100, 30]);
  });

  it("keeps rejected entries for the officer", async () => {
    const server = new FakeServer()
      .on("/sync/push", () => ({ status: 200, body: { last_mutation_id: 2, results: [{ id: 1, status: "applied" }, { id: 2, status: "rejected", reason: "date_in_past" }] } }))
      .always("/sync/pull", pullOk([], { last_mutation_id: 2 }));
    const { db, engine } = await setup(server);
    await enqueue(db, "note.add", note("a"));
    await enqueue(db, "promise.create", { promise_id: "p", visit_id: VISIT_ID, loan_id: "l", amount_fen: 100, due_date: "2020-01-01", at: "2026-11-23T02:00:00Z" });
    await engine.syncNow();
    expect(await db.outbox.count()).toBe(0);
    expect((await db.rejected.toArray()).map((r) => [r.id, r.reason])).toEqual([[2, "date_in_past"]]);
  });

  it("renumbers after 409 MutationGap and sends again", async () => {
    const server = new FakeServer()
      .on("/sync/push", error(409, "MutationGap", { expected: 1 }))
      .always("/sync/push", pushOk)
      .always("/sync/pull", pullOk());
    const { db, engine } = await setup(server);
    await setMeta(db, "nextMutationId", 5);
    await enqueue(db, "note.add", note("a"));
    await enqueue(db, "note.add", note("b"));
    await engine.syncNow();
    const pushes = server.calls.filter((c) => c.path === "/sync/push").map((c) => (c.body.mutations as { id: number }[]).map((m) => m.id));
    expect(pushes).toEqual([
      [5, 6],
      [1, 2],
    ]);
    expect(await db.outbox.count()).toBe(0);
    expect(await getMeta(db, "nextMutationId")).toBe(3);
  });

  it("on 503 keeps the entries, does not pull and waits for Retry-After", async () => {
    const server = new FakeServer().on("/sync/push", error(503, "ServiceUnavailable", {}, { "Retry-After": "120" })).always("/sync/pull", pullOk());
    const now = new Date("2026-11-23T02:00:00Z");
    const { db, engine } = await setup(server, now);
    await enqueue(db, "note.add", note("a"));
    await engine.syncNow();
    expect(server.paths()).toEqual(["/sync/push"]);
    expect(await db.outbox.count()).toBe(1);
    expect(engine.state.problem).toBe("server");
    expect(engine.state.retryAt).toBe(now.getTime() + 120_000);
    await engine.trigger(); // the timer: too early, nothing sent
    expect(server.calls).toHaveLength(1);
  });

  it("halves the batch on 413", async () => {
    const server = new FakeServer()
      .on("/sync/push", error(413, "PayloadTooLarge"), error(413, "PayloadTooLarge"))
      .always("/sync/push", pushOk)
      .always("/sync/pull", pullOk());
    const { db, engine } = await setup(server);
    for (let i = 0; i < 8; i++) await enqueue(db, "note.add", note(String(i)));
    await engine.syncNow();
    const sizes = server.calls.filter((c) => c.path === "/sync/push").map((c) => (c.body.mutations as unknown[]).length);
    expect(sizes).toEqual([8, 4, 2, 2, 2, 2]);
    expect(await db.outbox.count()).toBe(0);
  });

  it("on 426 asks for an update and keeps the outbox", async () => {
    const server = new FakeServer().always("/sync/push", error(426, "UpgradeRequired")).always("/sync/pull", pullOk());
    const { db, engine } = await setup(server);
    await enqueue(db, "note.add", note("a"));
    await engine.syncNow();
    expect(engine.state.problem).toBe("upgrade");
    expect(await db.outbox.count()).toBe(1);
    await engine.syncNow(); // no more calls until the app is updated
    await engine.trigger();
    expect(server.paths()).toEqual(["/sync/push"]);
  });

  it("refreshes the token once on 401 NotAuthenticated and retries", async () => {
    const server = new FakeServer()
      .on("/sync/pull", error(401, "NotAuthenticated"))
      .always("/sync/pull", pullOk())
      .on("/auth/refresh", () => ({ status: 200, body: { access_token: "access-2", refresh_token: "refresh-2", token_type: "bearer", expires_in: 900, user: { id: "u1", username: "officer1", full_name: "李明", role: "officer", branch_id: "br1", phone: "" } } }));
    const { db, engine } = await setup(server);
    await engine.syncNow();
    expect(server.paths()).toEqual(["/sync/pull", "/auth/refresh", "/sync/pull"]);
    expect(server.calls[1]?.body).toEqual({ refresh_token: "refresh-1" });
    expect(server.calls[2]?.headers.Authorization).toBe("Bearer access-2");
    expect(await getMeta(db, "refreshToken")).toBe("refresh-2");
    expect(engine.state.problem).toBeNull();
  });

  it("asks to sign in again when the refresh fails, keeping the data", async () => {
    const server = new FakeServer().always("/sync/push", error(401, "NotAuthenticated")).always("/auth/refresh", error(401, "NotAuthenticated"));
    const { db, engine } = await setup(server);
    await enqueue(db, "note.add", note("a"));
    await engine.syncNow();
    expect(engine.state.problem).toBe("signin");
    expect(await db.outbox.count()).toBe(1);
    expect(await getMeta(db, "deviceId")).toBe("dev-1");
  });

  it("wipes the phone at once on 401 DeviceRevoked", async () => {
    const server = new FakeServer().always("/sync/push", error(401, "DeviceRevoked", { wipe: true }));
    const { db, engine, revoked } = await setup(server);
    await enqueue(db, "note.add", note("a"));
    await engine.syncNow();
    expect(revoked()).toBe(1);
    expect(engine.state.problem).toBe("wiped");
    expect(await db.outbox.count()).toBe(0);
    expect(await getMeta(db, "deviceId")).toBeUndefined();
    expect(server.paths()).toEqual(["/sync/push"]); // no refresh attempt
  });

  it("erases local data on control: wipe", async () => {
    const server = new FakeServer().always("/sync/push", pushOk).always("/sync/pull", pullOk([], { control: "wipe", last_mutation_id: 1 }));
    const { db, engine } = await setup(server);
    await enqueue(db, "note.add", note("a"));
    await engine.syncNow();
    expect(server.paths()).toEqual(["/sync/push", "/sync/pull"]); // pushed what it held first
    expect(engine.state.problem).toBe("wiped");
    expect(await db.entities.count()).toBe(0);
    expect(await getMeta(db, "refreshToken")).toBeUndefined();
    expect(await getMeta(db, "notice")).toBe("retired");
  });

  it("applies a reset paged with has_more in one go with the last cookie", async () => {
    const visit2 = "v2";
    const server = new FakeServer()
      .on(
        "/sync/pull",
        pullOk([put("visit", VISIT_ID, visitData())], { reset: true, has_more: true, cookie: "p1" }),
        pullOk([put("visit", visit2, visitData({ route_position: 2 }))], { reset: false, has_more: false, cookie: "p2" }),
      )
      .always("/sync/pull", pullOk());
    const { db, engine } = await setup(server);
    await db.entities.put({ entity: "visit", id: "stale", version: 1, data: visitData(), ref: BORROWER_ID, hidden: 0 });
    await engine.syncNow();
    expect(server.calls.map((c) => c.body.cookie)).toEqual([null, "p1"]);
    expect((await listVisits(db)).map((c) => c.visit.id)).toEqual([VISIT_ID, visit2]);
    expect(await getMeta(db, "cookie")).toBe("p2");
  });

  it("backs off exponentially without signal; Sync now ignores the back-off", async () => {
    const server = new FakeServer(); // every call fails as if offline
    const now = new Date("2026-11-23T02:00:00Z");
    const { engine } = await setup(server, now);
    await engine.syncNow();
    expect(engine.state.problem).toBe("offline");
    expect(engine.state.retryAt).toBe(now.getTime() + backoffDelay(1, () => 0.5));
    await engine.trigger();
    expect(server.calls).toHaveLength(1);
    await engine.syncNow();
    expect(server.calls).toHaveLength(2);
    expect(engine.state.retryAt).toBe(now.getTime() + backoffDelay(2, () => 0.5));
  });

  it("runs one sync at a time", async () => {
    const server = new FakeServer().always("/sync/pull", pullOk());
    const { engine } = await setup(server);
    await Promise.all([engine.syncNow(), engine.syncNow(), engine.syncNow()]);
    expect(server.paths()).toEqual(["/sync/pull", "/sync/pull"]); // one run plus one follow-up
  });
});

describe("back-off and Retry-After", () => {
  it("doubles up to five minutes", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, mid))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffDelay(20, mid)).toBe(300_000);
  });
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("30")).toBe(30_000);
    expect(parseRetryAfter("Mon, 23 Nov 2026 02:01:00 GMT", Date.parse("2026-11-23T02:00:00Z"))).toBe(60_000);
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe("sign-in", () => {
  const user = { id: "u1", username: "officer1", full_name: "李明", role: "officer", branch_id: "br1", phone: "" };
  const token = (n: number): Handler => () => ({ status: 200, body: { access_token: `a${n}`, refresh_token: `r${n}`, token_type: "bearer", expires_in: 900, user } });

  it("registers the device the first time and binds the token to it", async () => {
    const server = new FakeServer()
      .on("/auth/token", token(1), token(2))
      .on("/devices", () => ({ status: 201, body: { device_id: "dev-9" } }));
    const db = newDb();
    const api = new Api({ db, fetch: server.fetch, onRevoked: async () => undefined });
    await signIn(db, api, "officer1", "pw", { name: "android phone", platform: "pwa/android" });
    expect(server.paths()).toEqual(["/auth/token", "/devices", "/auth/token"]);
    expect(server.calls[0]?.body.client_id).toBeUndefined();
    expect(server.calls[1]?.headers.Authorization).toBe("Bearer a1");
    expect(server.calls[1]?.body).toEqual({ name: "android phone", platform: "pwa/android" });
    expect(server.calls[2]?.body).toMatchObject({ username: "officer1", password: "pw", client_id: "dev-9" });
    expect(await getMeta(db, "deviceId")).toBe("dev-9");
    expect(await getMeta(db, "accessToken")).toBe("a2");
    expect(await getMeta(db, "nextMutationId")).toBe(1);
  });

  it("signs in again with the known device, keeping the outbox", async () => {
    const server = new FakeServer().on("/auth/token", token(3));
    const db = newDb();
    const api = new Api({ db, fetch: server.fetch, onRevoked: async () => undefined });
    await setMeta(db, "deviceId", "dev-9");
    await setMeta(db, "deviceUser", "officer1");
    await enqueue(db, "note.add", note("a"));
    await signIn(db, api, "officer1", "pw", { name: "p", platform: "p" });
    expect(server.paths()).toEqual(["/auth/token"]);
    expect(server.calls[0]?.body.client_id).toBe("dev-9");
    expect((await listOutbox(db)).map((e) => e.id)).toEqual([1]);
  });

  it("spends each refresh token once: the next refresh sends the rotated one", async () => {
    const server = new FakeServer().on("/auth/refresh", token(2), token(3));
    const db = newDb();
    const api = new Api({ db, fetch: server.fetch, onRevoked: async () => undefined });
    await setMeta(db, "refreshToken", "r1");
    await Promise.all([api.refresh(), api.refresh()]); // one refresh, whoever asks
    await api.refresh();
    expect(server.paths()).toEqual(["/auth/refresh", "/auth/refresh"]);
    expect(server.calls.map((c) => c.body)).toEqual([{ refresh_token: "r1" }, { refresh_token: "r2" }]);
    expect(await getMeta(db, "refreshToken")).toBe("r3");
  });

  it("signs out on the server too, and drops the refresh token even offline", async () => {
    const server = new FakeServer().on("/auth/sign-out", () => ({ status: 204, body: null }));
    const db = newDb();
    const api = new Api({ db, fetch: server.fetch, onRevoked: async () => undefined });
    await setMeta(db, "refreshToken", "r7");
    await signOut(db, api);
    expect(server.paths()).toEqual(["/auth/sign-out"]);
    expect(server.calls[0]?.body).toEqual({ refresh_token: "r7" });
    expect(await getMeta(db, "refreshToken")).toBeUndefined();
    const offline = new Api({ db, fetch: () => Promise.reject(new Error("offline")), onRevoked: async () => undefined });
    await setMeta(db, "refreshToken", "r8");
    await signOut(db, offline);
    expect(await getMeta(db, "refreshToken")).toBeUndefined();
  });

  it("refuses another officer while this phone holds unsent entries", async () => {
    const server = new FakeServer();
    const db = newDb();
    const api = new Api({ db, fetch: server.fetch, onRevoked: async () => undefined });
    await setMeta(db, "deviceId", "dev-9");
    await setMeta(db, "deviceUser", "officer1");
    await enqueue(db, "note.add", note("a"));
    await expect(signIn(db, api, "officer2", "pw", { name: "p", platform: "p" })).rejects.toMatchObject({ name: "OtherOfficerPendingError", username: "officer1" });
    expect(server.calls).toHaveLength(0);
  });
});
