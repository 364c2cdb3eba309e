// The devices screen's rows: one per person and device (a person with none gets one row),
// each carrying whether the person is blocked from new phones after a revoke.
import type { DevicePublic, UserPublic } from "./types";

/** The person may not sign in on a new phone until a manager re-enables it. */
export interface PhoneBlock {
  /** The person's id (what `POST /users/{id}/phone/enable` takes). */
  userId: string;
  /** When the block began (ISO), null when only the device list says so. */
  since: string | null;
}

export interface DeviceRow {
  key: string;
  /** The person's user name (from the user list, else from the device). */
  username: string;
  user: UserPublic | null;
  device: DevicePublic | null;
  block: PhoneBlock | null;
}

/**
 * Is this person blocked? The user's `phone_blocked_at` says since when; a device whose
 * `owner_phone_blocked` is set says so too (a person the user list does not have).
 */
export function phoneBlock(userId: string, user: UserPublic | null, devices: readonly DevicePublic[]): PhoneBlock | null {
  if (user?.phone_blocked_at) return { userId, since: user.phone_blocked_at };
  if (devices.some((d) => d.user_id === userId && d.owner_phone_blocked)) return { userId, since: null };
  return null;
}

/**
 * Every person with their devices (active ones, or all with `showOld`), then devices whose
 * owner the user list lacks. A blocked person always has a row, so the block can be lifted.
 */
export function deviceRows(users: readonly UserPublic[], devices: readonly DevicePublic[], showOld: boolean): DeviceRow[] {
  const shown = (d: DevicePublic) => showOld || d.status === "active";
  const out: DeviceRow[] = [];
  for (const u of users) {
    const block = phoneBlock(u.id, u, devices);
    const mine = devices.filter((d) => d.user_id === u.id && shown(d));
    if (!mine.length) out.push({ key: `u-${u.id}`, username: u.username, user: u, device: null, block });
    for (const d of mine) out.push({ key: d.device_id, username: u.username, user: u, device: d, block });
  }
  const known = new Set(users.map((u) => u.id));
  const orphans = new Set<string>();
  for (const d of devices) {
    if (known.has(d.user_id)) continue;
    const block = phoneBlock(d.user_id, null, devices);
    if (shown(d)) {
      out.push({ key: d.device_id, username: d.username, user: null, device: d, block });
      orphans.add(d.user_id);
    }
  }
  // An unknown owner who is blocked but has no device shown: one row for the block.
  for (const d of devices) {
    if (known.has(d.user_id) || orphans.has(d.user_id) || !d.owner_phone_blocked) continue;
    orphans.add(d.user_id);
    out.push({ key: `u-${d.user_id}`, username: d.username, user: null, device: null, block: { userId: d.user_id, since: null } });
  }
  return out;
}

/** The blocked people, once each (their first row), for the notice above the table. */
export function blockedPeople(rows: readonly DeviceRow[]): DeviceRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    if (!r.block || seen.has(r.block.userId)) return false;
    seen.add(r.block.userId);
    return true;
  });
}
