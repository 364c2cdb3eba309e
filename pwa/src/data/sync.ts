// The sync engine: push the outbox, then pull the officer's scope (sync-protocol.md).
// Runs on start, on `online`, when the app becomes visible, on a timer and on "Sync now",
// one run at a time, with exponential back-off after a failure.
import { Api, ApiError, DeviceRevokedError, NetworkError, SignInRequiredError } from "./api";
import { applyPull, enforceExpiry, purgeHidden, wipeAll, type PullPage } from "./apply";
import type { FieldDb } from "./db";
import { StorageFullError } from "./errors";
import { getMeta, setMeta } from "./meta";
import { applyPushResult, nextBatch, renumberFrom } from "./outbox";
import type { Change, OutboxEntry } from "./types";

export type SyncProblem =
  | "offline" // no answer from the server
  | "server" // the server failed (5xx) or answered something unexpected
  | "signin" // tokens no longer work: sign in again, data kept
  | "upgrade" // 426: this app version is too old, outbox kept
  | "storage_full"
  | "too_big" // one entry is larger than the server accepts
  | "wiped"; // revoked or retired: the phone erased itself

export interface SyncState {
  running: boolean;
  problem: SyncProblem | null;
  /** When the engine will try again by itself (back-off or Retry-After), epoch ms. */
  retryAt: number | null;
  lastRunAt: number | null;
}

export interface SyncEngineOptions {
  db: FieldDb;
  api: Api;
  now?: () => Date;
  random?: () => number;
  /** Largest batch pushed at once; halved on 413. */
  batchSize?: number;
}

export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_MAX_MS = 5 * 60_000;
export const TICK_MS = 60_000;
const MAX_PULL_PAGES = 200;
const MAX_PUSH_ROUNDS = 1_000;

class StopSync extends Error {
  constructor(
    readonly problem: SyncProblem,
    readonly retryAfterMs: number | null = null,
  ) {
    super(problem);
  }
}

export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(exp * (0.8 + 0.4 * random())); // +-20% so phones do not retry in step
}

export class SyncEngine {
  private readonly db: FieldDb;
  private readonly api: Api;
  private readonly now: () => Date;
  private readonly random: () => number;
  private batchSize: number;
  private failures = 0;
  private current: Promise<void> | null = null;
  private again = false;
  private listeners = new Set<(s: SyncState) => void>();
  private detach: (() => void) | null = null;
  private expiring: Promise<boolean> = Promise.resolve(false);
  state: SyncState = { running: false, problem: null, retryAt: null, lastRunAt: null };

  constructor(opts: SyncEngineOptions) {
    this.db = opts.db;
    this.api = opts.api;
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? Math.random;
    this.batchSize = opts.batchSize ?? 100;
  }

  subscribe(listener: (s: SyncState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<SyncState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  /** "Sync now", `online`, a new entry: run at once, whatever the back-off says. */
  syncNow(): Promise<void> {
    if (this.state.problem === "upgrade") return Promise.resolve();
    return this.run();
  }

  /** Timer and visibility: run only when the back-off allows. */
  trigger(): Promise<void> {
    const { retryAt, problem } = this.state;
    if (problem === "upgrade" || problem === "wiped") return Promise.resolve();
    if (retryAt !== null && this.now().getTime() < retryAt) return Promise.resolve();
    return this.run();
  }

  /** One run at a time; a request during a run makes one more run afterwards. */
  run(): Promise<void> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = exclusive(async () => {
      do {
        this.again = false;
        await this.runOnce();
      } while (this.again && this.state.problem === null);
    }).finally(() => {
      this.current = null;
    });
    return this.current;
  }

  private async runOnce(): Promise<void> {
    this.set({ running: true });
    try {
      await this.expire();
      const deviceId = await getMeta(this.db, "deviceId");
      const token = await getMeta(this.db, "refreshToken");
      if (!deviceId || !token) {
        this.set({ running: false, problem: token ? null : "signin", retryAt: null });
        return;
      }
      await this.push(deviceId);
      await this.pull(deviceId);
      await purgeHidden(this.db);
      this.failures = 0;
      this.set({ running: false, problem: null, retryAt: null, lastRunAt: this.now().getTime() });
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    const stop = toStop(err);
    const terminal = stop.problem === "wiped" || stop.problem === "signin" || stop.problem === "upgrade";
    this.failures += 1;
    const delay = stop.retryAfterMs ?? backoffDelay(this.failures, this.random);
    this.set({
      running: false,
      problem: stop.problem,
      retryAt: terminal ? null : this.now().getTime() + delay,
      lastRunAt: this.now().getTime(),
    });
    if (stop.problem === "server" && !(err instanceof ApiError) && !(err instanceof StopSync)) console.warn("sync failed", err);
  }

  private async push(deviceId: string): Promise<void> {
    let gapRetries = 0;
    for (let round = 0; round < MAX_PUSH_ROUNDS; round++) {
      const batch = await nextBatch(this.db, this.batchSize);
      if (!batch.length) return;
      let response;
      try {
        response = await this.api.push(deviceId, batch.map(toWire));
      } catch (err) {
        if (err instanceof ApiError && err.status === 409 && err.code === "MutationGap") {
          const expected = Number(err.body.expected);
          if (!Number.isInteger(expected) || expected < 1 || ++gapRetries > 3) throw new StopSync("server");
          await renumberFrom(this.db, expected);
          continue;
        }
        if (err instanceof ApiError && err.status === 413) {
          if (batch.length === 1) throw new StopSync("too_big");
          this.batchSize = Math.max(1, Math.floor(batch.length / 2));
          continue;
        }
        throw err;
      }
      const first = batch[0] as OutboxEntry;
      if (response.last_mutation_id < first.id) throw new StopSync("server"); // nothing processed
      await applyPushResult(this.db, batch, response, this.now());
    }
  }

  private async pull(deviceId: string): Promise<void> {
    let cookie = (await getMeta(this.db, "cookie")) ?? null;
    let resetChanges: Change[] | null = null;
    for (let page = 0; page < MAX_PULL_PAGES; page++) {
      const res = await this.api.pull(deviceId, cookie);
      if (res.control === "wipe") {
        await wipeAll(this.db);
        await setMeta(this.db, "notice", "retired");
        throw new StopSync("wiped");
      }
      // A reset's full set may span pages: apply it in one go with the last page's cookie,
      // so an interrupted reset never leaves half a copy.
      if (res.reset || resetChanges) resetChanges = [...(resetChanges ?? []), ...res.changes];
      cookie = res.cookie;
      if (res.has_more && resetChanges) continue;
      const pageToApply: PullPage = {
        cookie: res.cookie,
        reset: resetChanges !== null,
        last_mutation_id: res.last_mutation_id,
        expires_at: res.expires_at,
        server_time: res.server_time,
        changes: resetChanges ?? res.changes,
      };
      await applyPull(this.db, pageToApply, this.now());
      resetChanges = null;
      if (!res.has_more) return;
    }
    throw new StopSync("server");
  }

  /** Listen to the browser: online, visible again, and a timer. */
  start(win: Pick<Window, "addEventListener" | "removeEventListener" | "setInterval" | "clearInterval">, doc: Pick<Document, "addEventListener" | "removeEventListener" | "visibilityState">): void {
    this.stop();
    const onOnline = () => {
      this.failures = 0;
      void this.syncNow();
    };
    const onOffline = () => this.set({ problem: "offline" });
    const onVisible = () => {
      if (doc.visibilityState === "visible") void this.trigger();
    };
    const timer = win.setInterval(() => {
      // Expiry is checked even while backing off: the data must leave on time.
      this.expiring = this.expire().catch((err: unknown) => {
        console.warn("expiry check failed", err);
        return false;
      });
      void this.expiring.then(() => this.trigger());
    }, TICK_MS);
    win.addEventListener("online", onOnline);
    win.addEventListener("offline", onOffline);
    doc.addEventListener("visibilitychange", onVisible);
    this.detach = () => {
      win.clearInterval(timer);
      win.removeEventListener("online", onOnline);
      win.removeEventListener("offline", onOffline);
      doc.removeEventListener("visibilitychange", onVisible);
    };
    void this.syncNow();
  }

  /**
   * Purge the phone if its data expired (`enforceExpiry`, judged by the server's clock as of
   * the last pull), and end the purged session on the server too when it can be reached
   * (best effort: an expired phone is usually offline; the server's session lifetime applies).
   */
  async expire(): Promise<boolean> {
    const refreshToken = await getMeta(this.db, "refreshToken");
    const expired = await enforceExpiry(this.db, this.now());
    if (expired && refreshToken) void this.api.signOut(refreshToken).catch(() => undefined);
    return expired;
  }

  /** The last expiry check the timer started (for tests and for callers that must wait). */
  expiryChecked(): Promise<boolean> {
    return this.expiring;
  }

  stop(): void {
    this.detach?.();
    this.detach = null;
  }

  /** A fresh sign-in clears the problems of the previous session. */
  reset(): void {
    this.failures = 0;
    this.set({ problem: null, retryAt: null });
  }
}

/** Across tabs too: two tabs of the app never push the same entries at once. */
function exclusive(fn: () => Promise<void>): Promise<void> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return locks ? locks.request("fieldvisit-sync", () => fn()).then(() => undefined) : fn();
}

function toWire(e: OutboxEntry) {
  return { id: e.id, name: e.name, args: e.args, client_time: e.client_time };
}

function toStop(err: unknown): StopSync {
  if (err instanceof StopSync) return err;
  if (err instanceof NetworkError) return new StopSync("offline");
  if (err instanceof DeviceRevokedError) return new StopSync("wiped");
  if (err instanceof SignInRequiredError) return new StopSync("signin");
  if (err instanceof StorageFullError) return new StopSync("storage_full");
  if (err instanceof ApiError) {
    if (err.status === 426) return new StopSync("upgrade");
    if (err.status === 503 || err.status === 429) return new StopSync("server", err.retryAfterMs);
    return new StopSync("server", err.retryAfterMs);
  }
  return new StopSync("server");
}
