import type { FieldDb } from "./db";
import { guardQuota } from "./errors";
import { entityKey } from "./keys";
import { deleteMeta, getMeta, setMeta, SURVIVES_WIPE, type Clock, type Notice } from "./meta";
import { applyLocal } from "./optimistic";
import { dropAnswered } from "./outbox";
import { BORROWER_ENTITIES, keepLocalFields, makeRow } from "./rows";
import type { Change, EntityData, EntityName, EntityRow } from "./types";

export interface PullPage {
  cookie: string | null;
  reset: boolean;
  last_mutation_id: number;
  expires_at: string | null;
  /** The server's clock when it answered: expiry is judged by it, not by the phone's clock. */
  server_time?: string | null;
  changes: Change[];
}

/**
 * Apply one pull (a page, or every page of a reset) atomically:
 * drop answered outbox entries, replace or patch the local copy, keep rows that unsent
 * entries still touch (hidden, never dropped with their entries), then replay the pending
 * outbox over the server's rows so the screens keep showing the officer's work.
 */
export async function applyPull(db: FieldDb, page: PullPage, now: Date = new Date()): Promise<void> {
  await guardQuota(() =>
    db.transaction("rw", [db.entities, db.outbox, db.meta], async () => {
      await dropAnswered(db, page.last_mutation_id);
      const pending = await db.outbox.orderBy("id").toArray();
      const pendingKeys = new Set(pending.flatMap((e) => e.keys));

      const previous = new Map<string, EntityRow>();
      if (page.reset) {
        for (const row of await db.entities.toArray()) previous.set(entityKey(row.entity, row.id), row);
        await db.entities.clear();
      }
      const seen = new Set<string>();
      for (const change of page.changes) {
        const key = entityKey(change.entity, change.id);
        if (change.op === "put") {
          seen.add(key);
          const prev = previous.get(key) ?? (await db.entities.get([change.entity, change.id]));
          const data = keepLocalFields(change.entity, prev?.data, change.data) as EntityData[EntityName];
          await db.entities.put(makeRow(change.entity, change.id, change.version, data));
        } else {
          seen.delete(key);
          if (pendingKeys.has(key)) {
            const row = await db.entities.get([change.entity, change.id]);
            if (row) await db.entities.put({ ...row, hidden: 1 });
          } else {
            await db.entities.delete([change.entity, change.id]);
          }
        }
      }
      if (page.reset) {
        // Rows outside the new set that unsent entries touch stay, hidden.
        for (const [key, row] of previous) {
          if (!seen.has(key) && pendingKeys.has(key)) await db.entities.put({ ...row, hidden: 1 });
        }
      }
      for (const entry of pending) await applyLocal(db, entry);

      await setMeta(db, "cookie", page.cookie);
      await setMeta(db, "expiresAt", page.expires_at);
      await setMeta(db, "clock", clockAt(page.server_time, now));
      await setMeta(db, "lastSyncAt", now.toISOString());
      if ((await getMeta(db, "notice")) === "expired") await deleteMeta(db, "notice");
    }),
  );
}

/** Delete hidden rows that no unsent entry touches any more. */
export async function purgeHidden(db: FieldDb): Promise<number> {
  return db.transaction("rw", [db.entities, db.outbox], async () => {
    const keys = new Set((await db.outbox.toArray()).flatMap((e) => e.keys));
    const hidden = await db.entities.filter((r) => r.hidden === 1).toArray();
    const gone = hidden.filter((r) => !keys.has(entityKey(r.entity, r.id)));
    await db.entities.bulkDelete(gone.map((r) => [r.entity, r.id] as [EntityName, string]));
    return gone.length;
  });
}

/**
 * What leaves the phone on expiry and on sign-out, in one transaction: the tokens and the
 * signed-in user, the pull cookie (the next pull sends the full set again), the entries the
 * server has already answered for (normally gone already; never kept with their payload),
 * and the payloads of refused entries (the list stays: what, when and why, without what was
 * typed or signed; the server keeps the full entry for review). Unsent entries stay whole
 * until they are sent: what the officer typed is never lost.
 */
async function purgeLocal(db: FieldDb, entities: "borrower" | "all", notice: Notice): Promise<void> {
  await db.transaction("rw", [db.entities, db.outbox, db.rejected, db.meta], async () => {
    if (entities === "all") await db.entities.clear();
    else await db.entities.where("entity").anyOf([...BORROWER_ENTITIES]).delete();
    const answered = (await getMeta(db, "serverLastMutationId")) ?? 0;
    await db.outbox.where("id").belowOrEqual(answered).delete();
    await db.rejected.toCollection().modify((r) => {
      r.args = null;
    });
    await deleteMeta(db, "accessToken", "refreshToken", "user", "expiresAt", "lastSyncAt");
    await setMeta(db, "cookie", null);
    await setMeta(db, "notice", notice);
  });
}

/** The phone's clock as of a pull: the offset to the server's clock, and the local time then. */
export function clockAt(serverTime: string | null | undefined, now: Date): Clock {
  const server = serverTime ? Date.parse(serverTime) : NaN;
  return { offsetMs: Number.isFinite(server) ? server - now.getTime() : 0, localAt: now.getTime() };
}

/**
 * The server's time now, estimated from the last pull: the phone's clock plus the offset seen
 * then. A phone clock set back since (earlier than the last time seen) moves the offset so
 * the estimate never goes back: turning the clock back does not keep the data longer.
 */
async function serverNow(db: FieldDb, now: Date): Promise<number> {
  const clock = await getMeta(db, "clock");
  const local = now.getTime();
  if (!clock) return local;
  const offsetMs = local < clock.localAt ? clock.offsetMs + (clock.localAt - local) : clock.offsetMs;
  if (local !== clock.localAt) await setMeta(db, "clock", { offsetMs, localAt: local });
  return local + offsetMs;
}

export async function isExpired(db: FieldDb, now: Date = new Date()): Promise<boolean> {
  const expiresAt = await getMeta(db, "expiresAt");
  return !!expiresAt && Date.parse(expiresAt) <= (await serverNow(db, now));
}

/**
 * `expires_at` passed (by the server's clock) without a successful pull: the borrower data,
 * the tokens and every payload but the unsent entries leave the phone (see `purgeLocal`).
 * The officer signs in again; the next pull brings the data back and the entries are sent.
 */
export async function enforceExpiry(db: FieldDb, now: Date = new Date()): Promise<boolean> {
  if (!(await isExpired(db, now))) return false;
  await purgeLocal(db, "borrower", "expired");
  return true;
}

/** Revoked or retired device: erase everything, outbox and device id included. */
export async function wipeAll(db: FieldDb): Promise<void> {
  await db.transaction("rw", [db.entities, db.outbox, db.rejected, db.meta], async () => {
    await db.entities.clear();
    await db.outbox.clear();
    await db.rejected.clear();
    const keep = await db.meta.bulkGet([...SURVIVES_WIPE]);
    await db.meta.clear();
    await db.meta.bulkPut(keep.filter((r): r is NonNullable<typeof r> => !!r));
  });
}

/**
 * Sign out: the local copy and the tokens go, by the same rules as expiry (`purgeLocal`);
 * the device id, the id counter and the unsent entries stay so that the same officer's
 * unsent work is sent after the next sign-in.
 */
export async function signOutLocal(db: FieldDb): Promise<void> {
  await purgeLocal(db, "all", "signed_out");
}
