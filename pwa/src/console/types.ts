// Shapes of the REST API the console reads (/api/v1). Where the API has a response model
// they are the types generated from its schema (src/api/schema.d.ts: `make api-types`);
// the rest are written by hand against the server's code until it has one (TODO(typed-api)).
// Ids are UUID strings, times ISO-8601 UTC, money integer fen.
import type { components, operations } from "../api/schema";

type Schemas = components["schemas"];

/**
 * A request body whose fields with a server default may be left out. The generated types
 * mark them required (openapi-typescript's defaultNonNullable: right for responses, where
 * the server always fills them in).
 */
type WithDefaults<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

// ---- People, branch, visits ----------------------------------------------------------------

export type UserPublic = Schemas["UserPublic"];
export type BranchPublic = Schemas["BranchPublic"];
export type VisitStatus = Schemas["VisitStatus"];
export type VisitPublic = Schemas["VisitPublic"];
export type BorrowerPublic = Schemas["BorrowerPublic"];

// ---- Candidates and plans ------------------------------------------------------------------

export type Segment = Schemas["Segment"];
export type Candidate = Schemas["CandidatePublic"];
export type CandidatePage = Schemas["CandidatePage"];
export type CandidateFilters = NonNullable<operations["planning-candidates"]["parameters"]["query"]>;
export type Bucket = NonNullable<CandidateFilters["bucket"]>;
/** Why a borrower is a candidate, with the points it adds to the score. */
export type Reason = Candidate["reasons"][number];
export type PrioritySettings = Schemas["PrioritySettings"];
/** What the settings form sends: a rule left out takes its default (PUT replaces them all). */
export type PriorityUpdate = Partial<PrioritySettings>;
export type PlanCreate = WithDefaults<Schemas["PlanCreate"], "auto">;

// TODO(typed-api): generated once plan.summary has a model (PlanSummary, RouteSummary).
export interface RouteSummary {
  officer_ids: string[];
  lead_id?: string;
  visit_ids: string[];
  stops?: number;
  distance_m: number;
  duration_s: number;
  start_at?: string | null;
  end_at?: string | null;
  clerk_distance_m?: number;
  saved_m?: number;
  saved_km?: number;
}

export interface Unassigned {
  borrower_id: string;
  name: string;
  score: number;
  reason: string;
  text: string;
  text_zh: string;
}

export interface Unscheduled {
  visit_id: string;
  reason: string;
}

export interface PlanSummary {
  routes?: RouteSummary[];
  unassigned?: Unassigned[];
  unscheduled?: Unscheduled[];
  distance_m?: number;
  clerk_distance_m?: number;
  saved_m?: number;
  saved_km?: number;
  visits?: number;
  optimised_at?: string | null;
}

/** A plan in a list (no visits); its summary typed by hand until the API types it. */
export type PlanListItem = Omit<Schemas["PlanSummaryItem"], "summary"> & { summary: PlanSummary };
export type PlanPublic = Omit<Schemas["PlanPublic"], "summary"> & { summary: PlanSummary };

// ---- The live day --------------------------------------------------------------------------

// TODO(typed-api): generated once GET /day has a response model.
export interface GeoFix {
  lat: number;
  lon: number;
  accuracy_m?: number | null;
}

export interface DayVisit {
  id: string;
  position: number | null;
  borrower_id: string;
  borrower_name: string;
  village: string;
  lat: number | null;
  lon: number | null;
  safety_flags: string[];
  status: VisitStatus;
  priority?: number;
  window_start: string | null;
  window_end: string | null;
  planned_arrival: string | null;
  leg_distance_m?: number | null;
  checked_in_at: string | null;
  check_in_location: GeoFix | null;
  checked_out_at: string | null;
  check_out_location?: GeoFix | null;
  flags: string[];
  overdue_checkout: boolean;
}

export interface DayRoute {
  officer_ids: string[];
  officer_names: string[];
  distance_m: number;
  visits: DayVisit[];
}

export interface DayAlert {
  id: string;
  kind: "sos" | "overdue_checkout" | string;
  officer_id?: string;
  officer_name: string;
  visit_id?: string | null;
  borrower_name?: string | null;
  at: string;
  received_at?: string;
  lat: number | null;
  lon: number | null;
  message: string;
  acknowledged: boolean;
}

export interface DayView {
  date: string;
  generated_at: string;
  branch: { id?: string; name: string; lat: number; lon: number };
  routes: DayRoute[];
  alerts: DayAlert[];
  counts: Partial<Record<VisitStatus, number>>;
  review_waiting: number;
}

export type SafetyAlert = Schemas["AlertPublic"];
export type OutNow = Schemas["OutNowPublic"];

// ---- Review --------------------------------------------------------------------------------

export type ReviewMutation = Schemas["ReviewMutation"];
/** What the officer proposed. TODO(typed-api): generated once `proposed` has a model (the API sends a free object). */
export type ProposedChange = { date?: string; text?: string } & Record<string, unknown>;
export type ChangeRequest = Omit<Schemas["ReviewChangeRequest"], "proposed"> & { proposed: ProposedChange };
export type ReviewList = Omit<Schemas["ReviewList"], "change_requests"> & { change_requests: ChangeRequest[] };

// ---- Agreements and promises ---------------------------------------------------------------

export type AgreementLine = Schemas["AgreementLinePublic"];
export type AgreementSummary = Schemas["AgreementSummary"];
export type AgreementDetail = Schemas["AgreementPublic"];
export type Verification = Schemas["VerificationPublic"];
export type PromisePublic = Schemas["PromisePublic"];

// ---- Devices and imports -------------------------------------------------------------------

export type DevicePublic = Schemas["DevicePublic"];
export type ImportReport = Schemas["ImportReportPublic"];

// ---- Reports -------------------------------------------------------------------------------

export type GroupBy = NonNullable<operations["reports-kpis"]["parameters"]["query"]["group_by"]>;

// TODO(typed-api): generated once GET /reports/kpis, /reports/hardship and /reports/compliance
// have response models.
export interface KpiRow {
  group: string;
  group_label: string;
  visits_planned: number;
  visits_completed: number;
  met?: number;
  promised?: number;
  promises_due?: number;
  promises_kept?: number;
  contact_rate: number | null;
  ptp_rate: number | null;
  ptp_kept_rate: number | null;
  recovery_rate: number | null;
  cure_rate: number | null;
  km_per_visit: number | null;
  recovered_fen: number;
  overdue_at_visit_fen?: number;
  cost_per_100_recovered_fen: number | null;
}

export interface KpiReport {
  from: string;
  to: string;
  group_by: GroupBy;
  rows: KpiRow[];
}

export interface HardshipRow {
  code: string;
  label_zh: string;
  label_en: string;
  count: number;
  share: number;
}

export interface ComplianceItem {
  kind: string;
  visit_id: string | null;
  plan_date: string | null;
  borrower_name: string;
  officer_name: string;
  local_time: string | null;
  codes: string[];
}

export interface ComplianceReport {
  counts: Record<string, number>;
  total: number;
  on_target: boolean;
  policy_version?: number;
  items: Record<string, ComplianceItem[]>;
}
