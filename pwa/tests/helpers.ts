import Dexie from "dexie";
import { afterEach } from "vitest";
import { FieldDb } from "../src/data/db";
import type { Borrower, Change, EntityData, EntityName, Visit } from "../src/data/types";

let n = 0;
export function freshDb(): FieldDb {
  n += 1;
  return new FieldDb(`test-${n}-${Math.random().toString(36).slice(2)}`);
}

/** A maker of fresh databases for one test file (or a keeper of one opened elsewhere):
 * each is closed and deleted after its test. */
export function dbsPerTest(): (existing?: FieldDb) => FieldDb {
  const open: FieldDb[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) {
      d.close();
      await Dexie.delete(d.name);
    }
  });
  return (existing) => {
    const d = existing ?? freshDb();
    open.push(d);
    return d;
  };
}

export const BORROWER_ID = "b0000000-0000-4000-8000-000000000001";
export const VISIT_ID = "v0000000-0000-4000-8000-000000000001";
export const LOAN_ID = "l0000000-0000-4000-8000-000000000001";

export function visitData(patch: Partial<Visit> = {}): Visit {
  return {
    borrower_id: BORROWER_ID,
    loan_ids: [LOAN_ID],
    officer_ids: ["u1", "u2"],
    plan_date: "2026-11-23",
    route_position: 1,
    window_start: "2026-11-23T00:00:00Z",
    window_end: "2026-11-23T13:00:00Z",
    planned_arrival: "2026-11-23T01:50:00Z",
    leg_distance_m: 4200,
    status: "planned",
    priority: 50,
    reasons: [{ code: "dpd", text: "M2, 45 days" }],
    checked_in_at: null,
    checked_out_at: null,
    last_outcome: null,
    ...patch,
  };
}

export function borrowerData(patch: Partial<Borrower> = {}): Borrower {
  return {
    name: "张三",
    national_id_masked: "3714**********1234",
    phone: "13800000000",
    address: "山东省德州市陵城区安德街道张庄1号",
    village: "安德街道张庄",
    lat: 37.33,
    lon: 116.57,
    segment: "farmer",
    language: "zh-CN",
    safety_flags: [],
    preferred_times: [],
    loans: [
      {
        id: LOAN_ID,
        account_number: "6210000001",
        product: "农户小额信用贷款",
        principal_fen: 5_000_000,
        outstanding_fen: 3_000_000,
        overdue_fen: 1_234_500,
        dpd: 45,
        last_payment_date: "2026-09-01",
        status: "active",
      },
    ],
    recent_contacts: [],
    ...patch,
  };
}

export function put<E extends EntityName>(entity: E, id: string, data: EntityData[E], version = 1): Change {
  return { op: "put", entity, id, version, data };
}

export function del(entity: EntityName, id: string): Change {
  return { op: "del", entity, id };
}

/** The reference rows every full pull carries. */
export function referenceChanges(): Change[] {
  return [
    put("officer", "u1", { username: "officer1", full_name: "李明", role: "officer", branch_id: "br1", phone: "1" }),
    put("branch", "br1", {
      name: "陵城支行",
      address: "",
      phone: "0534-8221234",
      lat: 37.3,
      lon: 116.5,
      timezone: "Asia/Shanghai",
      work_start: "08:30",
      work_end: "17:30",
    }),
    put("hardship_reason", "h1", { code: "natural_disaster", label_zh: "自然灾害", label_en: "Natural disaster", sort_order: 1 }),
  ];
}
