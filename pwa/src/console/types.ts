// Shapes of the REST API the console reads (/api/v1, see the server's openapi.json).
// Ids are UUID strings, times ISO-8601 UTC, money integer fen.

export interface UserPublic {
  id: string;
  username: string;
  full_name: string;
  role: "officer" | "manager" | "admin" | string;
  branch_id: string;
  phone: string;
}

export interface BranchPublic {
  id: string;
  code: string;
  name: string;
  address: string;
  phone: string;
  lat: number;
  lon: number;
  timezone: string;
  work_start: string;
  work_end: string;
}

export interface Reason {
  code: string;
  text: string;
  text_zh: string;
  points?: number;
}

export type Segment = "farmer" | "small_business" | "individual_trader";
export type Bucket = "M1" | "M2" | "M3" | "M3+";

export interface Candidate {
  borrower_id: string;
  name: string;
  village: string;
  address: string;
  segment: Segment;
  lat: number | null;
  lon: number | null;
  loan_ids: string[];
  account_numbers: string[];
  overdue_fen: number;
  outstanding_fen: number;
  dpd: number;
  bucket: string;
  score: number;
  reasons: Reason[];
  last_visit_on: string | null;
  last_contact_on: string | null;
}

export interface CandidatePage {
  total: number;
  limit: number;
  offset: number;
  items: Candidate[];
}

export interface CandidateFilters {
  bucket?: string;
  segment?: string;
  village?: string;
  min_overdue_fen?: number | null;
  max_overdue_fen?: number | null;
  officer_id?: string;
  limit?: number;
  offset?: number;
}

export type VisitStatus = "planned" | "checked_in" | "done" | "skipped" | "cancelled";

export interface VisitPublic {
  id: string;
  plan_id: string | null;
  borrower_id: string;
  officer_id: string;
  officer_ids: string[];
  loan_ids: string[];
  plan_date: string;
  route_position: number | null;
  window_start: string | null;
  window_end: string | null;
  planned_arrival: string | null;
  leg_distance_m: number | null;
  status: VisitStatus;
  priority: number;
  reasons: Reason[];
  pinned: boolean;
  checked_in_at: string | null;
  checked_out_at: string | null;
  version: number;
}

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

export interface PlanPublic {
  id: string;
  plan_date: string;
  status: "draft" | "published";
  created_by: string;
  created_at: string;
  version: number;
  summary: PlanSummary;
  visits?: VisitPublic[];
}

export interface PlanCreate {
  plan_date: string;
  borrower_ids?: string[];
  auto?: boolean;
  limit?: number;
  officer_ids?: string[];
  teams?: string[][];
  time_limit_s?: number;
}

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

export interface SafetyAlert {
  id: string;
  kind: string;
  visit_id: string | null;
  borrower_id: string | null;
  borrower_name: string | null;
  officer_id: string;
  officer_name: string;
  at: string;
  received_at: string;
  lat: number | null;
  lon: number | null;
  accuracy_m: number | null;
  message: string;
  acknowledged_at: string | null;
}

export interface OutNow {
  officer_id: string;
  officer_name: string;
  visit_id: string;
  borrower_name: string;
  village: string;
  checked_in_at: string;
  due_back_at: string;
  minutes_out: number;
  overdue: boolean;
  open_sos: boolean;
  last_location: { lat: number; lon: number; accuracy_m: number | null; at: string } | null;
}

export interface ReviewMutation {
  id: number;
  device_id: string;
  officer_id: string;
  officer_name: string;
  mutation_id: number;
  name: string;
  args: Record<string, unknown>;
  status: "flagged" | "rejected" | string;
  reason: string;
  client_time: string | null;
  received_at: string;
}

export interface ChangeRequest {
  id: string;
  visit_id: string;
  borrower_id: string;
  officer_id?: string;
  kind: string;
  reason: string;
  proposed: { date?: string; text?: string } & Record<string, unknown>;
  status: string;
  decision_reason: string;
  created_at?: string;
}

export interface ReviewList {
  mutations: ReviewMutation[];
  change_requests: ChangeRequest[];
}

export interface AgreementLine {
  seq: number;
  due_date: string;
  amount_fen: number;
  paid_fen: number;
  status: string;
  paid_on: string | null;
}

export interface AgreementSummary {
  id: string;
  status: string;
  borrower_id: string;
  borrower_name: string;
  loan_id: string;
  account_number: string;
  officer_id: string;
  officer_name: string;
  visit_id: string | null;
  principal_fen: number;
  down_payment_fen: number;
  paid_fen: number;
  instalments: number;
  missed_lines: number;
  next_due_date: string | null;
  signed_at: string;
  received_at: string;
  approval_reasons: Reason[];
  decision_reason: string;
  decided_at: string | null;
}

export interface AgreementDetail extends AgreementSummary {
  national_id_masked: string;
  text: string;
  text_sha256: string;
  content_sha256: string;
  borrower_signature: string;
  officer_signature: string;
  lat: number | null;
  lon: number | null;
  accuracy_m: number | null;
  lines: AgreementLine[];
  allowed_actions: string[];
}

export interface Verification {
  valid: boolean;
  stored_sha256: string;
  computed_sha256: string;
  text_sha256_valid: boolean;
  problems: string[];
}

export interface PromisePublic {
  id: string;
  status: string;
  borrower_name: string;
  account_number: string;
  officer_name: string;
  amount_fen: number;
  paid_fen: number;
  due_date: string;
  made_at: string;
}

export interface DevicePublic {
  device_id: string;
  user_id: string;
  username: string;
  name: string;
  platform: string;
  status: "active" | "retired" | "revoked";
  created_at: string;
  last_seen_at: string | null;
  last_pull_at: string | null;
  last_mutation_id: number;
}

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: { row: number; column: string; message: string }[];
}

export type GroupBy = "all" | "officer" | "bucket" | "segment";

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

export type PrioritySettings = Record<string, number>;
