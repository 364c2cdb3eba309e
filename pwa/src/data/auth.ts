import { Api, ApiError } from "./api";
import { signOutLocal, wipeAll } from "./apply";
import type { FieldDb } from "./db";
import { deleteMeta, getMeta, getMetaMany, setMeta } from "./meta";

/** Another officer's entries are still waiting on this phone: they must be sent first. */
export class OtherOfficerPendingError extends Error {
  constructor(readonly username: string) {
    super(`Entries of ${username} are not sent yet`);
    this.name = "OtherOfficerPendingError";
  }
}

export interface DeviceInfo {
  name: string;
  platform: string;
}

/**
 * Sign in. The first time on this phone: sign in, register the device, then sign in again
 * with client_id = device id so the tokens are bound to it. A different officer on the same
 * phone gets a fresh device (the previous officer's data are erased, unless unsent).
 */
export async function signIn(
  db: FieldDb,
  api: Api,
  username: string,
  password: string,
  device: DeviceInfo,
): Promise<void> {
  const name = username.trim();
  const known = await getMetaMany(db, ["deviceId", "deviceUser"] as const);
  let deviceId = known.deviceId;
  if (deviceId && known.deviceUser !== name) {
    const pending = await db.outbox.count();
    if (pending > 0) throw new OtherOfficerPendingError(known.deviceUser ?? "");
    await wipeAll(db);
    deviceId = undefined;
  }
  if (deviceId) {
    try {
      await api.storeTokens(await api.token(name, password, deviceId));
      await deleteMeta(db, "notice");
      return;
    } catch (err) {
      // The server no longer knows this device for this user: register a new one.
      if (!(err instanceof ApiError && (err.status === 403 || err.status === 404 || err.code === "InvalidInput"))) throw err;
      if ((await db.outbox.count()) > 0) throw err;
      await wipeAll(db);
    }
  }
  const first = await api.token(name, password);
  const newDevice = await api.registerDevice(first.access_token, device.name, device.platform);
  const bound = await api.token(name, password, newDevice);
  await db.transaction("rw", db.meta, async () => {
    await setMeta(db, "deviceId", newDevice);
    await setMeta(db, "deviceUser", name);
    await setMeta(db, "nextMutationId", 1);
  });
  await api.storeTokens(bound);
  await deleteMeta(db, "notice");
}

/**
 * Sign out: the server ends the session (best effort, offline it is skipped), then see
 * `signOutLocal` (the outbox and the device id stay on the phone).
 */
export async function signOut(db: FieldDb, api?: Api): Promise<void> {
  const refreshToken = await getMeta(db, "refreshToken");
  if (api && refreshToken) await api.signOut(refreshToken).catch(() => undefined);
  await signOutLocal(db);
  await setMeta(db, "notice", "signed_out");
}
