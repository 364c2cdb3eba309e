import type { FieldDb } from "./db";
import type { SessionUser } from "./types";

export type Lang = "zh-CN" | "en";
/** Why the phone erased itself; shown once on the sign-in screen. */
export type Notice = "revoked" | "retired" | "expired" | "signed_out" | "session_expired";

/** The phone's clock against the server's, as of the last pull (see `isExpired`). */
export interface Clock {
  /** Server time minus phone time, ms. */
  offsetMs: number;
  /** The latest phone time seen (epoch ms): a clock set back before it is detected. */
  localAt: number;
}

export interface MetaValues {
  deviceId: string;
  /** The user the device is registered to (a device belongs to one officer). */
  deviceUser: string;
  accessToken: string;
  refreshToken: string;
  user: SessionUser;
  cookie: string | null;
  /** The id the next outbox entry gets; never goes back while the device id is kept. */
  nextMutationId: number;
  lastSyncAt: string;
  expiresAt: string | null;
  clock: Clock;
  serverLastMutationId: number;
  lang: Lang;
  notice: Notice;
}

export type MetaKey = keyof MetaValues;

/** Kept by a wipe: harmless settings, not data. */
export const SURVIVES_WIPE: readonly MetaKey[] = ["lang", "notice"];

export async function getMeta<K extends MetaKey>(db: FieldDb, key: K): Promise<MetaValues[K] | undefined> {
  const row = await db.meta.get(key);
  return row?.value as MetaValues[K] | undefined;
}

export async function setMeta<K extends MetaKey>(db: FieldDb, key: K, value: MetaValues[K]): Promise<void> {
  await db.meta.put({ key, value });
}

export async function deleteMeta(db: FieldDb, ...keys: MetaKey[]): Promise<void> {
  await db.meta.bulkDelete(keys);
}

export async function getMetaMany<K extends MetaKey>(
  db: FieldDb,
  keys: readonly K[],
): Promise<Partial<Pick<MetaValues, K>>> {
  const rows = await db.meta.bulkGet([...keys]);
  const out: Partial<Pick<MetaValues, K>> = {};
  rows.forEach((row, i) => {
    const key = keys[i];
    if (row && key !== undefined) (out as Record<string, unknown>)[key] = row.value;
  });
  return out;
}
