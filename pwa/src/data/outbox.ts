import type { FieldDb } from "./db";
import { guardQuota } from "./errors";
import { mutationKeys } from "./keys";
import { getMeta, setMeta } from "./meta";
import { applyLocal } from "./optimistic";
import type { MutationArgs, MutationName, OutboxEntry, PushResponse, RejectedEntry } from "./types";

/**
 * Queue a mutation: allocate its id, store it and apply it to the local copy in ONE
 * transaction, so a crash can never leave an id used twice or an entry without its effect.
 */
export async function enqueue<N extends MutationName>(
  db: FieldDb,
  name: N,
  args: MutationArgs[N],
  now: Date = new Date(),
): Promise<OutboxEntry> {
  return guardQuota(() =>
    db.transaction("rw", [db.meta, db.outbox, db.entities], async () => {
      const counter = (await getMeta(db, "nextMutationId")) ?? 1;
      const last = await db.outbox.orderBy("id").last();
      const id = Math.max(counter, (last?.id ?? 0) + 1);
      const entry: OutboxEntry = {
        id,
        name,
        args,
        client_time: now.toISOString(),
        keys: mutationKeys(name, args),
      };
      await db.outbox.add(entry);
      await setMeta(db, "nextMutationId", id + 1);
      await applyLocal(db, entry);
      return entry;
    }),
  );
}

/** The oldest entries first: the server applies them in id order. */
export function nextBatch(db: FieldDb, size: number): Promise<OutboxEntry[]> {
  return db.outbox.orderBy("id").limit(size).toArray();
}

/**
 * Drop what the server answered for (id <= last_mutation_id) and keep the rejected ones,
 * with their reason, in the rejected table for the officer to see.
 */
export async function applyPushResult(
  db: FieldDb,
  sent: readonly OutboxEntry[],
  response: PushResponse,
  now: Date = new Date(),
): Promise<void> {
  await guardQuota(() =>
    db.transaction("rw", [db.meta, db.outbox, db.rejected], async () => {
      const byId = new Map(sent.map((e) => [e.id, e]));
      const rejected: RejectedEntry[] = [];
      for (const result of response.results) {
        if (result.status !== "rejected") continue;
        const entry = byId.get(result.id) ?? (await db.outbox.get(result.id));
        if (!entry) continue;
        rejected.push({
          id: entry.id,
          name: entry.name,
          args: entry.args,
          client_time: entry.client_time,
          reason: result.reason ?? "",
          rejected_at: now.toISOString(),
          seen: 0,
        });
      }
      if (rejected.length) await db.rejected.bulkPut(rejected);
      await dropAnswered(db, response.last_mutation_id);
    }),
  );
}

/** Remove entries the server has processed and keep the id counter ahead of the server. */
export async function dropAnswered(db: FieldDb, lastMutationId: number): Promise<void> {
  await db.outbox.where("id").belowOrEqual(lastMutationId).delete();
  await setMeta(db, "serverLastMutationId", lastMutationId);
  const counter = (await getMeta(db, "nextMutationId")) ?? 1;
  if (counter <= lastMutationId) await setMeta(db, "nextMutationId", lastMutationId + 1);
}

/**
 * 409 MutationGap: the server expects `expected` next but our first entry is another id
 * (e.g. the server was restored from a backup). Renumber the queue in order from
 * `expected`: the records' own UUIDs still make a replay harmless on the server.
 */
export async function renumberFrom(db: FieldDb, expected: number): Promise<void> {
  await guardQuota(() =>
    db.transaction("rw", [db.meta, db.outbox], async () => {
      const entries = await db.outbox.orderBy("id").toArray();
      if (!entries.length || entries[0]?.id === expected) return;
      await db.outbox.clear();
      await db.outbox.bulkAdd(entries.map((e, i) => ({ ...e, id: expected + i })));
      await setMeta(db, "nextMutationId", expected + entries.length);
      // The server has processed up to expected - 1 only: the renumbered entries are unsent
      // (an expiry or a sign-out drops entries at or below this mark).
      await setMeta(db, "serverLastMutationId", expected - 1);
    }),
  );
}

export function listOutbox(db: FieldDb): Promise<OutboxEntry[]> {
  return db.outbox.orderBy("id").toArray();
}

export function listRejected(db: FieldDb): Promise<RejectedEntry[]> {
  return db.rejected.orderBy("id").reverse().toArray();
}

export async function markRejectedSeen(db: FieldDb): Promise<void> {
  await db.rejected.toCollection().modify({ seen: 1 });
}
