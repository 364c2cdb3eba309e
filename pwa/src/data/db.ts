import Dexie, { type Table, type Transaction } from "dexie";
import { mutationKeys, refOf } from "./keys";
import type { EntityName, EntityRow, MutationArgs, MutationName, OutboxEntry, RejectedEntry } from "./types";

export interface MetaRow {
  key: string;
  value: unknown;
}

export const DB_NAME = "fieldvisit";

/**
 * Schema history. A phone can stay offline across an app update, so every version keeps
 * an upgrade function and old versions are never edited.
 *
 * v1: entities keyed [entity+id]; outbox keyed by mutation id, rejected mutations stayed in
 *     it with status "rejected"; meta key/value.
 * v2: entities get `ref` (their borrower) and `hidden`; outbox entries list the entity keys
 *     they touch (so a pulled `del` can keep rows with unsent entries); rejected mutations
 *     move to their own table.
 */
export const SCHEMA_V1 = {
  entities: "[entity+id], entity",
  outbox: "id",
  meta: "key",
};

export const SCHEMA_V2 = {
  entities: "[entity+id], entity, [entity+ref]",
  outbox: "id, *keys",
  rejected: "id",
  meta: "key",
};

/** The v1 outbox row (kept for the upgrade and its test). */
export interface OutboxRowV1 {
  id: number;
  name: MutationName;
  args: MutationArgs[MutationName];
  client_time: string;
  status?: "pending" | "rejected";
  reason?: string;
  rejected_at?: string;
}

export async function upgradeToV2(tx: Transaction): Promise<void> {
  await tx
    .table("entities")
    .toCollection()
    .modify((row: { entity: EntityName; id: string; data: unknown; ref?: string; hidden?: 0 | 1 }) => {
      row.ref = refOf(row.entity, row.id, row.data);
      row.hidden = 0;
    });
  const outbox = tx.table<OutboxRowV1 & { keys?: string[] }, number>("outbox");
  const rows = await outbox.toArray();
  const rejected: RejectedEntry[] = [];
  for (const row of rows) {
    if (row.status === "rejected") {
      rejected.push({
        id: row.id,
        name: row.name,
        args: row.args,
        client_time: row.client_time,
        reason: row.reason ?? "",
        rejected_at: row.rejected_at ?? row.client_time,
        seen: 0,
      });
      await outbox.delete(row.id);
    } else {
      const next: OutboxEntry = {
        id: row.id,
        name: row.name,
        args: row.args,
        client_time: row.client_time,
        keys: mutationKeys(row.name, row.args),
      };
      await outbox.put(next);
    }
  }
  await tx.table("rejected").bulkPut(rejected);
}

export class FieldDb extends Dexie {
  entities!: Table<EntityRow, [EntityName, string]>;
  outbox!: Table<OutboxEntry, number>;
  rejected!: Table<RejectedEntry, number>;
  meta!: Table<MetaRow, string>;

  constructor(name: string = DB_NAME) {
    super(name);
    this.version(1).stores(SCHEMA_V1);
    this.version(2).stores(SCHEMA_V2).upgrade(upgradeToV2);
  }
}
