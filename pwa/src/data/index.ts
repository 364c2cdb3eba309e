// The data layer as the screens see it: the app's database, its sync engine, read models
// (as live observables) and actions. Screens never touch IndexedDB directly.
import { liveQuery, type Observable } from "dexie";
import { Api } from "./api";
import { wipeAll } from "./apply";
import { signIn as signInWith, signOut as signOutWith } from "./auth";
import { FieldDb } from "./db";
import { newId, sha256Hex } from "./ids";
import { getMeta, setMeta, type Lang } from "./meta";
import { enqueue, listRejected, markRejectedSeen } from "./outbox";
import * as q from "./queries";
import { SyncEngine } from "./sync";
import type { ChangeKind, ComplaintCategory, ContactResult, GeoPoint, MutationArgs, SessionUser, SkipReason } from "./types";

export type { Lang, Notice } from "./meta";
export type { SyncProblem, SyncState } from "./sync";
export type * from "./types";
export type { Context, DayRoutes, VisitCard, VisitDetail, BorrowerDetail, SyncCounts, Holdings, WithId } from "./queries";
export { StorageFullError } from "./errors";
export { OtherOfficerPendingError } from "./auth";
export { ApiError, NetworkError, SignInRequiredError, toQuery, type RequestOptions, type QueryValue } from "./api";

export const db = new FieldDb();
export const api = new Api({
  db,
  onRevoked: async () => {
    await wipeAll(db);
    await setMeta(db, "notice", "revoked");
  },
});
export const engine = new SyncEngine({ db, api });

/** Open the database (running schema upgrades) and purge expired data (see `enforceExpiry`). */
export async function boot(): Promise<void> {
  await db.open();
  await engine.expire();
  // Ask the browser not to evict our data under storage pressure (best effort).
  void globalThis.navigator?.storage?.persist?.().catch(() => false);
}

export function startSync(): void {
  engine.start(window, document);
}

/** Managers and admins get the console; it does not run the phone's sync engine. */
export function isManagerRole(role: string | undefined | null): boolean {
  return role === "manager" || role === "admin";
}

/** The signed-in user as stored at sign-in (undefined when nobody is signed in). */
export async function currentUser(): Promise<SessionUser | undefined> {
  return (await getMeta(db, "refreshToken")) ? getMeta(db, "user") : undefined;
}

/** Start the sync engine for an officer; stop it for a manager (the console fetches its data). */
export async function syncForRole(): Promise<void> {
  const user = await currentUser();
  if (user && isManagerRole(user.role)) engine.stop();
  else startSync();
}

export const observe = {
  context: (): Observable<q.Context> => liveQuery(() => q.getContext(db)),
  visits: (): Observable<q.VisitCard[]> => liveQuery(() => q.listVisits(db)),
  dayRoutes: (day: string): Observable<q.DayRoutes> => liveQuery(() => q.getDayRoutes(db, day)),
  callTasks: (lastDay: string) => liveQuery(() => q.listCallTasks(db, lastDay)),
  visit: (id: string): Observable<q.VisitDetail | null> => liveQuery(() => q.getVisit(db, id)),
  borrower: (id: string): Observable<q.BorrowerDetail | null> => liveQuery(() => q.getBorrower(db, id)),
  agreement: (id: string) => liveQuery(() => q.getAgreement(db, id)),
  syncCounts: (): Observable<q.SyncCounts> => liveQuery(() => q.getSyncCounts(db)),
  holdings: (): Observable<q.Holdings> => liveQuery(() => q.getHoldings(db)),
  rejected: () => liveQuery(() => listRejected(db)),
  pendingSos: () => liveQuery(() => q.listPendingSos(db)),
  session: () =>
    liveQuery(async () => ({
      user: (await getMeta(db, "user")) ?? null,
      signedIn: !!(await getMeta(db, "refreshToken")),
      notice: (await getMeta(db, "notice")) ?? null,
      deviceUser: (await getMeta(db, "deviceUser")) ?? null,
    })),
};

export async function loadLang(): Promise<Lang | undefined> {
  return getMeta(db, "lang");
}

export async function saveLang(lang: Lang): Promise<void> {
  await setMeta(db, "lang", lang);
}

export async function signIn(username: string, password: string): Promise<void> {
  const ua = navigator.userAgent;
  const platform = /Android/i.test(ua) ? "android" : /iPhone|iPad/i.test(ua) ? "ios" : "web";
  await signInWith(db, api, username, password, { name: `${platform} phone`, platform: `pwa/${platform}` });
  engine.reset();
  const user = await getMeta(db, "user");
  if (user && isManagerRole(user.role)) engine.stop();
  else startSync();
}

export async function signOut(): Promise<void> {
  await signOutWith(db, api);
  engine.reset();
}

export function markRejectedAsSeen(): Promise<void> {
  return markRejectedSeen(db);
}

/** Queue a mutation (applied locally at once) and try to send it straight away. */
async function act<N extends keyof MutationArgs>(name: N, args: MutationArgs[N]): Promise<void> {
  await enqueue(db, name, args);
  void engine.syncNow();
}

const nowIso = () => new Date().toISOString();

export function checkIn(visitId: string, location: GeoPoint | null, coVisitorIds: string[]): Promise<void> {
  return act("visit.check_in", { visit_id: visitId, at: nowIso(), location, co_visitor_ids: coVisitorIds });
}

export interface OutcomeInput {
  visitId: string;
  borrowerId: string;
  contact: string;
  hardshipReasons: string[];
  hardshipDetail: string;
  nextAction: string;
  /** The doorstep assessment: "" when not asked. */
  incomeSource: string;
  businessCondition: string;
  willingness: string;
  /** YYYY-MM-DD, or null: the branch's cadence for the next action. */
  followUpOn: string | null;
  note: string;
}

export async function recordOutcome(o: OutcomeInput): Promise<void> {
  const at = nowIso();
  await enqueue(db, "visit.record_outcome", {
    outcome_id: newId(),
    visit_id: o.visitId,
    contact: o.contact,
    hardship_reasons: o.hardshipReasons,
    hardship_detail: o.hardshipDetail,
    next_action: o.nextAction,
    income_source: o.incomeSource,
    business_condition: o.businessCondition,
    willingness: o.willingness,
    follow_up_on: o.followUpOn,
    at,
  });
  if (o.note.trim()) {
    await enqueue(db, "note.add", { note_id: newId(), borrower_id: o.borrowerId, visit_id: o.visitId, text: o.note.trim(), at });
  }
  void engine.syncNow();
}

export function addNote(borrowerId: string, visitId: string | null, text: string): Promise<void> {
  return act("note.add", { note_id: newId(), borrower_id: borrowerId, visit_id: visitId, text, at: nowIso() });
}

/** The visit could not be made: closed as skipped on this phone, sent with the outbox. */
export function skipVisit(visitId: string, reason: SkipReason, note: string): Promise<void> {
  return act("visit.skip", { visit_id: visitId, reason, note: note.trim(), at: nowIso() });
}

export interface ContactInput {
  borrowerId: string;
  visitId: string | null;
  channel: "call" | "sms";
  answeredBy: string;
  result: ContactResult;
  note: string;
}

/** A call or a text message, recorded after the dialer or the messages app. */
export function logContact(c: ContactInput): Promise<void> {
  return act("contact.log", {
    id: newId(),
    borrower_id: c.borrowerId,
    visit_id: c.visitId,
    channel: c.channel,
    answered_by: c.channel === "sms" ? "" : c.answeredBy,
    result: c.channel === "sms" ? "sent" : c.result,
    note: c.note.trim(),
    at: nowIso(),
  });
}

/** A borrower's complaint about collection conduct, sent to the manager's Review. */
export function recordComplaint(borrowerId: string, visitId: string | null, category: ComplaintCategory, text: string): Promise<void> {
  return act("complaint.record", { id: newId(), borrower_id: borrowerId, visit_id: visitId, category, text: text.trim(), at: nowIso() });
}

export function checkOut(visitId: string, location: GeoPoint | null): Promise<void> {
  return act("visit.check_out", { visit_id: visitId, at: nowIso(), location });
}

export function createPromise(visitId: string, loanId: string, amountFen: number, dueDate: string): Promise<void> {
  return act("promise.create", {
    promise_id: newId(),
    visit_id: visitId,
    loan_id: loanId,
    amount_fen: amountFen,
    due_date: dueDate,
    at: nowIso(),
  });
}

export function requestChange(visitId: string, kind: ChangeKind, reason: string, proposed: { date?: string; text?: string }): Promise<void> {
  return act("visit.request_change", { request_id: newId(), visit_id: visitId, kind, reason, proposed });
}

export interface SignInput {
  visitId: string;
  loanId: string;
  terms: MutationArgs["agreement.sign"]["terms"];
  text: string;
  borrowerSignature: string;
  officerSignature: string;
  location: GeoPoint | null;
}

/** Sign an instalment agreement; returns its id (made here, offline). */
export async function signAgreement(s: SignInput): Promise<string> {
  const id = newId();
  await act("agreement.sign", {
    agreement_id: id,
    visit_id: s.visitId,
    loan_id: s.loanId,
    terms: s.terms,
    text: s.text,
    text_sha256: await sha256Hex(s.text),
    borrower_signature: s.borrowerSignature,
    officer_signature: s.officerSignature,
    signed_at: nowIso(),
    location: s.location,
  });
  return id;
}

/** SOS: queued like every entry, sent first thing when there is signal. */
export async function sendSos(location: GeoPoint | null, message: string, visitId: string | null): Promise<string> {
  const id = newId();
  await act("safety.sos", { alert_id: id, at: nowIso(), location, message, visit_id: visitId });
  return id;
}

/** Issue 14: a proposal about a borrower, queued like every entry; the branch decides. */
export type BorrowerProposalInput =
  | { kind: "location"; location: GeoPoint }
  | { kind: "preferred_times"; preferred_times: MutationArgs["borrower.propose"]["preferred_times"] & object }
  | { kind: "safety_flags"; safety_flags: string[] };

export function proposeBorrower(borrowerId: string, visitId: string | null, p: BorrowerProposalInput): Promise<void> {
  const base = { id: newId(), borrower_id: borrowerId, visit_id: visitId, at: nowIso() };
  if (p.kind === "location") {
    return act("borrower.propose", { ...base, kind: "location", lat: p.location.lat, lon: p.location.lon, accuracy_m: p.location.accuracy_m });
  }
  if (p.kind === "preferred_times") return act("borrower.propose", { ...base, kind: "preferred_times", preferred_times: p.preferred_times });
  return act("borrower.propose", { ...base, kind: "safety_flags", safety_flags: p.safety_flags });
}

export function syncNow(): Promise<void> {
  return engine.syncNow();
}
