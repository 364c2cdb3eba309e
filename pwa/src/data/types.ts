// Shapes of the sync protocol v1 (shared/docs/sync-protocol.md). Ids are UUID strings,
// times ISO-8601 UTC, money integer fen. The pull and push envelopes and the signed-in user
// are the types generated from the API's schema (src/api/schema.d.ts: `make api-types`);
// what travels inside them (each entity's data, each mutation's args) is written by hand:
// the API's schema has them as free objects.
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export type EntityName =
  | "officer"
  | "branch"
  | "policy"
  | "hardship_reason"
  | "reference"
  | "visit"
  | "borrower"
  | "promise"
  | "agreement"
  | "route"
  | "call_task"
  | "history";

export interface Officer {
  username: string;
  full_name: string;
  role: string;
  branch_id: string;
  phone: string;
}

export interface Branch {
  name: string;
  address: string;
  phone: string;
  lat: number;
  lon: number;
  timezone: string;
  work_start: string;
  work_end: string;
  /** The branch's text message ({name}, {amount}, {branch_phone}); the server sends a default. */
  sms_template?: string;
}

export interface Policy {
  version: number;
  visiting_hours: { start: string; end: string };
  min_staff: number;
  visit_frequency_days: number;
  device_data_hours: number;
  checkout_overdue_minutes: number;
  holidays: string[];
}

export interface HardshipReason {
  code: string;
  label_zh: string;
  label_en: string;
  sort_order: number;
}

export interface CodeLabel {
  code: string;
  label_zh: string;
  label_en: string;
}

export interface AssessmentCodes {
  income_source: CodeLabel[];
  business_condition: CodeLabel[];
  willingness: CodeLabel[];
}

export type Reference =
  | { kind: "contact_codes"; items: CodeLabel[] }
  | { kind: "agreement_template"; templates: Record<string, string> }
  | ({ kind: "assessment_codes" } & AssessmentCodes)
  | { kind: "skip_reasons"; items: CodeLabel[] }
  | { kind: "contact_results"; items: CodeLabel[] };

export type VisitStatus = Schemas["VisitStatus"];

export interface ChangeRequestNote {
  /** Made on this phone: the request's id and when; from the server: `id`, status, decision. */
  request_id?: string;
  id?: string;
  kind: ChangeKind;
  at?: string;
  status?: "open" | "approved" | "declined" | string;
  decision_reason?: string;
}

export interface Visit {
  borrower_id: string;
  loan_ids: string[];
  officer_ids: string[];
  plan_date: string;
  route_position: number | null;
  window_start: string | null;
  window_end: string | null;
  planned_arrival: string | null;
  leg_distance_m: number | null;
  status: VisitStatus;
  priority: number;
  reasons: { code: string; text: string }[];
  checked_in_at: string | null;
  checked_out_at: string | null;
  last_outcome: { contact: string; at: string } | null;
  /** Set with status "skipped": why the visit could not be made, and when. */
  skip_reason?: string;
  skipped_at?: string | null;
  /** Local only: change requests made on this phone (the server keeps them for review). */
  change_requests?: ChangeRequestNote[];
}

/**
 * One route of a published plan the officer is on ("<plan_id>:<route>"), with the figures
 * the server computed once (the console shows the same): total distance including the way
 * back to the branch, and the route's start and end. The phone never recomputes them.
 */
export interface Route {
  id: string;
  plan_id: string;
  route: number;
  plan_date: string;
  officer_ids: string[];
  /** The route's visits in order. */
  visit_ids: string[];
  distance_m: number;
  duration_s: number;
  start_at: string | null;
  end_at: string | null;
}

export interface Loan {
  id: string;
  account_number: string;
  product: string;
  principal_fen: number;
  outstanding_fen: number;
  overdue_fen: number;
  dpd: number;
  last_payment_date: string | null;
  status: string;
}

export interface RecentContact {
  /** Local entries carry the id of the mutation's record so a replay adds them once. */
  id?: string;
  at: string;
  kind: string;
  contact: string | null;
  officer_name: string;
  hardship_reasons: string[];
  text: string;
  pending?: boolean;
}

export type Segment = Schemas["Segment"];

export interface Borrower {
  name: string;
  national_id_masked: string;
  phone: string;
  address: string;
  village: string;
  lat: number | null;
  lon: number | null;
  segment: Segment;
  language: string;
  safety_flags: string[];
  preferred_times: { weekdays?: number[] | null; start: string; end: string }[];
  /** Issue 14: how the location is known (absent from servers before it). */
  location_source?: "import" | "geocoder" | "check_in" | "manager" | null;
  location_precision?: "exact" | "village" | "township" | null;
  location_note?: string;
  loans: Loan[];
  recent_contacts: RecentContact[];
  /** Issue 15: an approved reschedule or extension waiting for an agreement at the next
   * visit (derived on the server; gone once an agreement is received). */
  agreement_requested?: AgreementRequested | null;
}

export interface AgreementRequested {
  request_id: string;
  kind: "reschedule" | "extension";
  decided_at: string;
  proposed_date: string | null;
}

export interface PromiseToPay {
  visit_id: string;
  loan_id: string;
  borrower_id: string;
  amount_fen: number;
  due_date: string;
  status: string;
  paid_fen: number;
}

export interface ScheduleLine {
  seq: number;
  due_date: string;
  amount_fen: number;
  paid_fen: number;
  status: string;
}

export interface Agreement {
  visit_id: string;
  loan_id: string;
  borrower_id: string;
  principal_fen: number;
  down_payment_fen: number;
  schedule: ScheduleLine[];
  status: string;
  signed_at: string | null;
  decision_reason: string | null;
  /** Local only: what was signed on this phone, shown read-only afterwards. */
  text?: string;
  borrower_signature?: string;
  officer_signature?: string;
}

export interface EntityData {
  officer: Officer;
  branch: Branch;
  policy: Policy;
  hardship_reason: HardshipReason;
  reference: Reference;
  visit: Visit;
  borrower: Borrower;
  promise: PromiseToPay;
  agreement: Agreement;
  route: Route;
  call_task: CallTask;
  history: BorrowerHistory;
}

/** A phone follow-up due today or tomorrow (from the borrower's latest outcome). */
export interface CallTask {
  borrower_id: string;
  borrower_name: string;
  borrower_phone: string;
  village: string;
  due_on: string;
  visit_id: string;
  outcome_id: string;
  visited_on: string;
}

/** One event of a borrower's file (GET /borrowers/{id}/history and the phone's copy). */
export type HistoryItem = Schemas["HistoryItem"];

/** The phone's copy of a borrower's file: the last 90 days, at most 50 items, newest first. */
export interface BorrowerHistory {
  borrower_id: string;
  since: string;
  items: HistoryItem[];
}

/** A row of the local copy. `hidden` rows left the scope but still have unsent entries. */
export interface EntityRow<E extends EntityName = EntityName> {
  entity: E;
  id: string;
  version: number;
  data: EntityData[E];
  /** The borrower a row belongs to (index for the borrower screen); "" when none. */
  ref: string;
  hidden: 0 | 1;
}

/**
 * One change of a pull, per operation. `data` is the entity's client-view record, checked
 * where it is applied (data/apply.ts): the pull's schema carries it as a free object.
 */
export type Change =
  | { op: "put"; entity: EntityName; id: string; version: number; data: unknown }
  | { op: "del"; entity: EntityName; id: string };

export type PullResponse = Omit<Schemas["PullResponse"], "changes"> & { changes: Change[] };

export type ResultStatus = Schemas["MutationResult"]["status"];

export type PushResponse = Schemas["PushResponse"];

// ---- Mutations -------------------------------------------------------------------------

export interface GeoPoint {
  lat: number;
  lon: number;
  accuracy_m: number | null;
}

export type ChangeKind = "reschedule" | "extension" | "restructure" | "legal";

export interface MutationArgs {
  "visit.check_in": {
    visit_id: string;
    at: string;
    location: GeoPoint | null;
    co_visitor_ids: string[];
  };
  "visit.record_outcome": {
    outcome_id: string;
    visit_id: string;
    contact: string;
    hardship_reasons: string[];
    hardship_detail: string;
    next_action: string;
    income_source?: string;
    business_condition?: string;
    willingness?: string;
    follow_up_on?: string | null;
    at: string;
  };
  "visit.check_out": { visit_id: string; at: string; location: GeoPoint | null };
  "note.add": { note_id: string; borrower_id: string; visit_id: string | null; text: string; at: string };
  "promise.create": {
    promise_id: string;
    visit_id: string;
    loan_id: string;
    amount_fen: number;
    due_date: string;
    /** When the promise was made: the server judges "date in the past" against it. */
    at: string;
  };
  "agreement.sign": {
    agreement_id: string;
    visit_id: string;
    loan_id: string;
    terms: {
      principal_fen: number;
      down_payment_fen: number;
      schedule: { due_date: string; amount_fen: number }[];
    };
    text: string;
    text_sha256: string;
    borrower_signature: string;
    officer_signature: string;
    signed_at: string;
    location: GeoPoint | null;
  };
  "visit.request_change": {
    request_id: string;
    visit_id: string;
    kind: ChangeKind;
    reason: string;
    proposed: { date?: string; text?: string };
  };
  "safety.sos": { alert_id: string; at: string; location: GeoPoint | null; message: string; visit_id: string | null };
  /** Issue 14: the officer proposes where the borrower lives, preferred times or safety flags. */
  "borrower.propose": {
    id: string;
    borrower_id: string;
    visit_id: string | null;
    kind: "location" | "preferred_times" | "safety_flags";
    lat?: number;
    lon?: number;
    accuracy_m?: number | null;
    preferred_times?: { weekdays: number[] | null; start: string; end: string }[];
    safety_flags?: string[];
    at: string;
  };
  /** Issue 15: the visit could not be made (closed as skipped with the reason). */
  "visit.skip": { visit_id: string; reason: SkipReason; note: string; at: string };
  /** Issue 15: a call or a text message to the borrower, with who answered and the result. */
  "contact.log": {
    id: string;
    borrower_id: string;
    visit_id: string | null;
    channel: "call" | "sms";
    answered_by: string;
    result: ContactResult;
    note: string;
    at: string;
  };
  /** Issue 15: a borrower's complaint about collection, for the manager's Review. */
  "complaint.record": {
    id: string;
    borrower_id: string;
    visit_id: string | null;
    category: ComplaintCategory;
    text: string;
    at: string;
  };
}

export type ComplaintCategory = "rude" | "threat" | "wrong_time" | "privacy" | "wrong_amount" | "other";

export type SkipReason = "absent" | "wrong_address" | "unsafe" | "refused_entry" | "other";
export type ContactResult = "promised" | "will_pay_later" | "disputes" | "refused" | "no_answer" | "wrong_number" | "sent";

export type MutationName = keyof MutationArgs;

export interface Mutation<N extends MutationName = MutationName> {
  id: number;
  name: N;
  args: MutationArgs[N];
  client_time: string;
}

/** An outbox entry: the mutation plus the entity keys it touches ("visit:<id>"). */
export interface OutboxEntry extends Mutation {
  keys: string[];
}

export interface RejectedEntry {
  id: number;
  name: MutationName;
  /** null once purged from the phone (expiry, sign-out): the server keeps it for review. */
  args: MutationArgs[MutationName] | null;
  client_time: string;
  reason: string;
  rejected_at: string;
  seen: 0 | 1;
}

/** The signed-in user, as the token response carries it. */
export type SessionUser = Schemas["UserPublic"];
