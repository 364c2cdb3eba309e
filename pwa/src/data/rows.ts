import type { FieldDb } from "./db";
import { refOf } from "./keys";
import type { EntityData, EntityName, EntityRow } from "./types";

/** Entities that are borrower data: they expire and are erased first. */
export const BORROWER_ENTITIES: readonly EntityName[] = ["visit", "borrower", "promise", "agreement", "call_task", "history"];

/** Fields only this phone knows (the server's data lacks them): kept across pulls. */
export const LOCAL_ONLY: Partial<Record<EntityName, readonly string[]>> = {
  agreement: ["text", "borrower_signature", "officer_signature"],
  visit: ["change_requests"],
};

export async function getRow<E extends EntityName>(
  db: FieldDb,
  entity: E,
  id: string,
): Promise<EntityRow<E> | undefined> {
  return (await db.entities.get([entity, id])) as EntityRow<E> | undefined;
}

export function makeRow<E extends EntityName>(
  entity: E,
  id: string,
  version: number,
  data: EntityData[E],
  hidden: 0 | 1 = 0,
): EntityRow<E> {
  return { entity, id, version, data, ref: refOf(entity, id, data), hidden };
}

export async function putRow(db: FieldDb, row: EntityRow): Promise<void> {
  await db.entities.put(row);
}

/** Copy local-only fields of `prev` into a server row that lacks them. */
export function keepLocalFields(entity: EntityName, prev: unknown, next: unknown): unknown {
  const fields = LOCAL_ONLY[entity];
  if (!fields || !prev || !next) return next;
  const merged = { ...(next as Record<string, unknown>) };
  for (const f of fields) {
    const old = (prev as Record<string, unknown>)[f];
    if (merged[f] === undefined && old !== undefined) merged[f] = old;
  }
  return merged;
}
