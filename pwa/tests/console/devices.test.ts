// The devices screen's rows (issue 13, item 10): after a revoke the officer is blocked from new
// phones, and the console shows it on every row of that person, since when, so the block can be
// lifted even when the revoked phone is hidden.
import { describe, expect, it } from "vitest";
import { blockedPeople, deviceRows, phoneBlock } from "../../src/console/devices";
import type { DevicePublic, UserPublic } from "../../src/console/types";

const user = (id: string, extra: Partial<UserPublic> = {}): UserPublic => ({
  id,
  username: `user-${id}`,
  full_name: `Name ${id}`,
  role: "officer",
  branch_id: "b",
  phone: "",
  phone_blocked_at: null,
  ...extra,
});

const device = (id: string, userId: string, extra: Partial<DevicePublic> = {}): DevicePublic => ({
  device_id: id,
  user_id: userId,
  username: `user-${userId}`,
  name: "phone",
  platform: "android",
  status: "active",
  created_at: "2026-01-01T00:00:00Z",
  last_seen_at: null,
  last_pull_at: null,
  last_mutation_id: 0,
  owner_phone_blocked: false,
  ...extra,
});

const SINCE = "2026-03-02T01:02:03Z";

describe("phone block", () => {
  it("comes from the user's phone_blocked_at, with the time", () => {
    expect(phoneBlock("a", user("a", { phone_blocked_at: SINCE }), [])).toEqual({ userId: "a", since: SINCE });
  });
  it("comes from a device's owner_phone_blocked when the user does not say (no time)", () => {
    expect(phoneBlock("a", null, [device("d", "a", { status: "revoked", owner_phone_blocked: true })])).toEqual({ userId: "a", since: null });
  });
  it("is absent for everyone else", () => {
    expect(phoneBlock("a", user("a"), [device("d", "a"), device("e", "b", { owner_phone_blocked: true })])).toBeNull();
  });
});

describe("device rows", () => {
  const users = [user("a", { phone_blocked_at: SINCE }), user("b")];
  const devices = [device("d1", "a", { status: "revoked", owner_phone_blocked: true }), device("d2", "b")];

  it("keep a row for a blocked officer whose only phone is revoked (hidden by default)", () => {
    const rows = deviceRows(users, devices, false);
    expect(rows.map((r) => [r.key, r.username, r.device?.device_id ?? null, r.block])).toEqual([
      ["u-a", "user-a", null, { userId: "a", since: SINCE }],
      ["d2", "user-b", "d2", null],
    ]);
  });

  it("mark every row of the blocked officer when old devices are shown", () => {
    const rows = deviceRows(users, [...devices, device("d3", "a")], true);
    expect(rows.map((r) => [r.key, r.block?.userId ?? null])).toEqual([
      ["d1", "a"],
      ["d3", "a"],
      ["d2", null],
    ]);
  });

  it("show no block once the phone is re-enabled", () => {
    const rows = deviceRows([user("a"), user("b")], [device("d1", "a", { status: "revoked" }), device("d2", "b")], false);
    expect(rows.every((r) => r.block === null)).toBe(true);
  });

  it("keep a blocked owner the user list lacks, by the device's user name", () => {
    const rows = deviceRows([], [device("d9", "z", { status: "revoked", owner_phone_blocked: true })], false);
    expect(rows).toEqual([{ key: "u-z", username: "user-z", user: null, device: null, block: { userId: "z", since: null } }]);
  });
});

describe("blocked people", () => {
  it("name each blocked person once, by their first row", () => {
    const users = [user("a", { phone_blocked_at: SINCE }), user("b"), user("c", { phone_blocked_at: SINCE })];
    const devices = [device("d1", "a", { status: "revoked" }), device("d2", "a"), device("d3", "b")];
    expect(blockedPeople(deviceRows(users, devices, true)).map((r) => [r.key, r.block?.userId])).toEqual([
      ["d1", "a"],
      ["u-c", "c"],
    ]);
    expect(blockedPeople(deviceRows([user("b")], [device("d3", "b")], true))).toEqual([]);
  });
});
