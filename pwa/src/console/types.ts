// Shapes of the REST API the console reads (/api/v1). Where the API has a response model
// they are the types generated from its schema (src/api/schema.d.ts: `make api-types`).
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
export type HistoryPage = Schemas["HistoryPage"];

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

export type RouteSummary = Schemas["RouteSummary"];
export type Unassigned = Schemas["UnassignedBorrower"];
export type Unscheduled = Schemas["UnscheduledVisit"];
export type PlanSummary = Schemas["PlanSummary"];
/** A plan in a list (no visits). */
export type PlanListItem = Schemas["PlanSummaryItem"];
export type PlanPublic = Schemas["PlanPublic"];

// ---- The live day --------------------------------------------------------------------------

export type DayVisit = Schemas["DayVisit"];
export type GeoFix = NonNullable<DayVisit["check_in_location"]>;
export type DayRoute = Schemas["DayRoute"];
export type DayAlert = Schemas["DayAlert"];
export type DayView = Schemas["DayView"];

export type SafetyAlert = Schemas["AlertPublic"];
export type OutNow = Schemas["OutNowPublic"];

// ---- Review --------------------------------------------------------------------------------

export type ReviewMutation = Schemas["ReviewMutation"];
/** What the officer proposed: free JSON by kind of request (the schema says so); these keys are the ones the console shows. */
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

export type KpiRow = Schemas["KpiRowPublic"];
export type KpiReport = Schemas["KpiReport"];
export type HardshipRow = Schemas["HardshipRow"];
export type ComplianceItem = Schemas["Breach"];
export type ComplianceReport = Schemas["ComplianceReportPublic"];

// ---- Issue 14: borrowers' locations, proposals, working days --------------------------------
// Written by hand from the API contract until schema.d.ts is regenerated with these endpoints.

export type LocationSource = "import" | "geocoder" | "check_in" | "manager";
export type LocationPrecision = "exact" | "village" | "township";
export const SAFETY_FLAGS = ["aggressive_dog", "hostile_relative", "remote_road", "prior_threat"] as const;
export type SafetyFlag = (typeof SAFETY_FLAGS)[number];

/** A preferred visiting time: weekdays 0 (Monday) .. 6 (Sunday), null = every day. */
export interface PreferredTime {
  weekdays: number[] | null;
  start: string;
  end: string;
}

/** Where a borrower lives and how we know it (flat fields on every borrower record). */
export interface LocationFields {
  lat: number | null;
  lon: number | null;
  location_source: LocationSource | null;
  location_precision: LocationPrecision | null;
  location_note: string;
}

export interface BorrowerItem extends LocationFields {
  id: string;
  name: string;
  address: string;
  village: string;
  located_at: string | null;
  preferred_times: PreferredTime[];
  safety_flags: string[];
  open_proposals: number;
}

export interface BorrowerPage {
  items: BorrowerItem[];
  total: number;
}

export interface BorrowerQuery {
  located?: boolean;
  q?: string;
  limit?: number;
  offset?: number;
}

export interface GeocodeResult {
  lat: number;
  lon: number;
  precision: LocationPrecision;
  formatted: string;
  provider: string;
}

export type ProposalKind = "location" | "preferred_times" | "safety_flags";
export type ProposalStatus = "open" | "accepted" | "declined";

export interface BorrowerProposal {
  id: string;
  borrower_id: string;
  borrower_name: string;
  address: string;
  kind: ProposalKind;
  /** location: {lat, lon, accuracy_m}; preferred_times: {preferred_times}; safety_flags: {safety_flags}. */
  data: Record<string, unknown>;
  source: string;
  proposed_by: string | null;
  proposed_by_name: string;
  visit_id: string | null;
  at: string;
  received_at: string;
  status: ProposalStatus;
  distance_m: number | null;
}

export interface WorkBreak {
  start: string;
  end: string;
}

export interface Workday {
  start: string;
  end: string;
  breaks: WorkBreak[];
  max_work_minutes: number;
}

export interface OfficerWorkday {
  user_id: string;
  full_name: string;
  workday: Workday | null;
}

/** What the last optimise moved between routes (summary.moves). */
export interface PlanMove {
  visit_id: string;
  borrower_name: string;
  from_route: number | null;
  to_route: number | null;
}

// ---- Complaints and follow-up calls (回访) -----------------------------------------------------

export type Complaint = Schemas["ComplaintPublic"];
export type ComplaintStatus = "open" | "resolved" | "all";
export type FeedbackCall = Schemas["FeedbackCallPublic"];
export type FeedbackCallList = Schemas["FeedbackCallList"];
export type FeedbackForm = Schemas["FeedbackForm"];
