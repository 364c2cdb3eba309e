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
