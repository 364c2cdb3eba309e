// Read models for the screens. Hidden rows (left the scope, entries unsent) are never shown.
import type { FieldDb } from "./db";
import { getMetaMany } from "./meta";
import { BORROWER_ENTITIES } from "./rows";
import type {
  Agreement,
  AssessmentCodes,
  CallTask,
  Borrower,
  Branch,
  BorrowerHistory,
  CodeLabel,
  EntityData,
  EntityName,
  HardshipReason,
  Officer,
  OutboxEntry,
  Policy,
  PromiseToPay,
  Reference,
  Route,
  HistoryItem,
  Visit,
} from "./types";
import { recentItems } from "./history";

export type WithId<T> = T & { id: string };

async function visibleRows<E extends EntityName>(db: FieldDb, entity: E): Promise<WithId<EntityData[E]>[]> {
  const rows = await db.entities.where("entity").equals(entity).toArray();
  return rows.filter((r) => r.hidden !== 1).map((r) => ({ ...(r.data as EntityData[E]), id: r.id }));
}

async function visibleRow<E extends EntityName>(db: FieldDb, entity: E, id: string): Promise<WithId<EntityData[E]> | null> {
  const row = await db.entities.get([entity, id]);
  if (!row || row.hidden === 1) return null;
  return { ...(row.data as EntityData[E]), id: row.id };
}

async function byBorrower<E extends EntityName>(db: FieldDb, entity: E, borrowerId: string): Promise<WithId<EntityData[E]>[]> {
  const rows = await db.entities.where("[entity+ref]").equals([entity, borrowerId]).toArray();
  return rows.filter((r) => r.hidden !== 1).map((r) => ({ ...(r.data as EntityData[E]), id: r.id }));
}

export interface Context {
  officer: WithId<Officer> | null;
  branch: WithId<Branch> | null;
  policy: WithId<Policy> | null;
  hardshipReasons: WithId<HardshipReason>[];
  contactCodes: CodeLabel[];
  assessment: AssessmentCodes | null;
  templates: Record<string, string>;
}

/** Reference data every screen may need: the officer, branch, policy and code lists. */
export async function getContext(db: FieldDb): Promise<Context> {
  const [officers, branches, policies, reasons, refs] = await Promise.all([
    visibleRows(db, "officer"),
    visibleRows(db, "branch"),
    visibleRows(db, "policy"),
    visibleRows(db, "hardship_reason"),
    visibleRows(db, "reference"),
  ]);
  let contactCodes: CodeLabel[] = [];
  let templates: Record<string, string> = {};
  let assessment: AssessmentCodes | null = null;
  for (const ref of refs as Reference[]) {
    if (ref.kind === "contact_codes") contactCodes = ref.items;
    if (ref.kind === "assessment_codes") assessment = ref;
    if (ref.kind === "agreement_template") templates = ref.templates;
  }
  const policy = [...policies].sort((a, b) => b.version - a.version)[0] ?? null;
  return {
    officer: officers[0] ?? null,
    branch: branches[0] ?? null,
    policy,
    hardshipReasons: reasons.sort((a, b) => a.sort_order - b.sort_order),
    contactCodes,
    assessment,
    templates,
  };
}

/** Phone follow-ups due by `lastDay` (YYYY-MM-DD), earliest first. */
export async function listCallTasks(db: FieldDb, lastDay: string): Promise<WithId<CallTask>[]> {
  const tasks = await visibleRows(db, "call_task");
  return tasks
    .filter((task) => task.due_on <= lastDay)
    .sort((a, b) => a.due_on.localeCompare(b.due_on) || a.borrower_name.localeCompare(b.borrower_name));
}

export interface VisitCard {
  visit: WithId<Visit>;
  borrower: WithId<Borrower> | null;
}

/** Every visible visit with its borrower, in route order within each day. */
export async function listVisits(db: FieldDb): Promise<VisitCard[]> {
  const [visits, borrowers] = await Promise.all([visibleRows(db, "visit"), visibleRows(db, "borrower")]);
  const byId = new Map(borrowers.map((b) => [b.id, b]));
  return visits
    .map((visit) => ({ visit, borrower: byId.get(visit.borrower_id) ?? null }))
    .sort(
      (a, b) =>
        a.visit.plan_date.localeCompare(b.visit.plan_date) ||
        (a.visit.route_position ?? 9999) - (b.visit.route_position ?? 9999),
    );
}

export interface DayRoutes {
  /** The day's routes as the server planned them (one per published plan the officer is on). */
  routes: WithId<Route>[];
  /** Their total distance in metres (the way back included), or null when the day has no
   * published route (visits assigned by hand only): the phone does not make one up. */
  distance_m: number | null;
}

/** The officer's routes of a day (YYYY-MM-DD), with the server's figures. */
export async function getDayRoutes(db: FieldDb, day: string): Promise<DayRoutes> {
  const routes = (await db.entities.where("[entity+ref]").equals(["route", day]).toArray())
    .filter((r) => r.hidden !== 1)
    .map((r) => ({ ...(r.data as Route), id: r.id }))
    .sort((a, b) => (a.start_at ?? "").localeCompare(b.start_at ?? "") || a.route - b.route);
  const distance_m = routes.length > 0 ? routes.reduce((sum, r) => sum + r.distance_m, 0) : null;
  return { routes, distance_m };
}

export interface VisitDetail {
  visit: WithId<Visit>;
  borrower: WithId<Borrower> | null;
  promises: WithId<PromiseToPay>[];
  agreements: WithId<Agreement>[];
}

export async function getVisit(db: FieldDb, id: string): Promise<VisitDetail | null> {
  const visit = await visibleRow(db, "visit", id);
  if (!visit) return null;
  const [borrower, promises, agreements] = await Promise.all([
    visibleRow(db, "borrower", visit.borrower_id),
    byBorrower(db, "promise", visit.borrower_id),
    byBorrower(db, "agreement", visit.borrower_id),
  ]);
  return { visit, borrower, promises, agreements };
}

export interface BorrowerDetail {
  borrower: WithId<Borrower>;
  visits: WithId<Visit>[];
  promises: WithId<PromiseToPay>[];
  agreements: WithId<Agreement>[];
  /** The borrower's file as last pulled (newest first, within its 90 days). */
  history: HistoryItem[];
}

export async function getBorrower(db: FieldDb, id: string): Promise<BorrowerDetail | null> {
  const borrower = await visibleRow(db, "borrower", id);
  if (!borrower) return null;
  const [visits, promises, agreements, history] = await Promise.all([
    byBorrower(db, "visit", id),
    byBorrower(db, "promise", id),
    byBorrower(db, "agreement", id),
    visibleRow(db, "history", id),
  ]);
  return { borrower, visits, promises, agreements, history: recentItems(history as BorrowerHistory | null) };
}

export async function getAgreement(db: FieldDb, id: string): Promise<WithId<Agreement> | null> {
  return visibleRow(db, "agreement", id);
}

export interface SyncCounts {
  pending: number;
  rejectedUnseen: number;
  lastSyncAt: string | null;
  expiresAt: string | null;
}

export async function getSyncCounts(db: FieldDb): Promise<SyncCounts> {
  const [pending, rejectedUnseen, meta] = await Promise.all([
    db.outbox.count(),
    db.rejected.filter((r) => r.seen === 0).count(),
    getMetaMany(db, ["lastSyncAt", "expiresAt"] as const),
  ]);
  return { pending, rejectedUnseen, lastSyncAt: meta.lastSyncAt ?? null, expiresAt: meta.expiresAt ?? null };
}

export interface Holdings {
  counts: Record<string, number>;
  pending: number;
  rejected: number;
  expiresAt: string | null;
  lastSyncAt: string | null;
  deviceId: string | null;
}

/** What this phone holds, for the Settings screen. */
export async function getHoldings(db: FieldDb): Promise<Holdings> {
  const counts: Record<string, number> = {};
  for (const entity of BORROWER_ENTITIES) {
    counts[entity] = await db.entities.where("entity").equals(entity).filter((r) => r.hidden !== 1).count();
  }
  const meta = await getMetaMany(db, ["expiresAt", "lastSyncAt", "deviceId"] as const);
  return {
    counts,
    pending: await db.outbox.count(),
    rejected: await db.rejected.count(),
    expiresAt: meta.expiresAt ?? null,
    lastSyncAt: meta.lastSyncAt ?? null,
    deviceId: meta.deviceId ?? null,
  };
}

export function listPendingSos(db: FieldDb): Promise<OutboxEntry[]> {
  return db.outbox.filter((e) => e.name === "safety.sos").toArray();
}
