// The console's REST client: the same tokens as the phone app (data/api.ts `request`),
// typed per endpoint. Nothing here is stored offline: the console reads the server live.
import { api, ApiError, NetworkError, SignInRequiredError, type QueryValue } from "../data";
import { t, tMaybe } from "../i18n";
import type {
  AgreementDetail,
  AgreementSummary,
  BorrowerItem,
  BorrowerPage,
  BorrowerProposal,
  BorrowerQuery,
  BranchPublic,
  CandidateFilters,
  CandidatePage,
  ChangeRequest,
  Complaint,
  ComplaintStatus,
  ComplianceReport,
  DayView,
  DevicePublic,
  FeedbackCallList,
  FeedbackCall,
  FeedbackForm,
  GeocodeResult,
  GroupBy,
  HardshipRow,
  ImportReport,
  KpiReport,
  LocationPrecision,
  OfficerWorkday,
  OutNow,
  PlanCreate,
  PlanListItem,
  PlanPublic,
  PreferredTime,
  PrioritySettings,
  PriorityUpdate,
  PromisePublic,
  ReviewList,
  SafetyAlert,
  UserPublic,
  Verification,
  VisitPublic,
  Workday,
} from "./types";
import type { BorrowerPublic, HistoryPage } from "./types";

async function getJson<T>(path: string, query?: Record<string, QueryValue>): Promise<T> {
  const res = await api.request(path, query ? { query } : {});
  return (await res.json()) as T;
}

async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const res = await api.request(path, { method: "POST", json: body });
  return (await res.json()) as T;
}

async function sendJson<T>(method: "PUT" | "PATCH", path: string, body: unknown): Promise<T> {
  const res = await api.request(path, { method, json: body });
  return (await res.json()) as T;
}

/** A request answered with no body (204). */
async function remove(path: string): Promise<void> {
  await api.request(path, { method: "DELETE" });
}

const WORKDAY = "/branches/current/settings/workday";

// ---- What this server offers (colleagues add endpoints while the console ships) ----------

let capabilities: Promise<Set<string> | null> | null = null;

/** "GET /api/v1/safety/alerts" and so on, from the server's openapi.json (null: unknown). */
export function loadCapabilities(fetchFn: typeof fetch = fetch): Promise<Set<string> | null> {
  capabilities ??= fetchFn("/openapi.json", { cache: "no-store" })
    .then(async (res) => {
      if (!res.ok) return null;
      const doc = (await res.json()) as { paths?: Record<string, Record<string, unknown>> };
      const out = new Set<string>();
      for (const [path, ops] of Object.entries(doc.paths ?? {})) {
        for (const method of Object.keys(ops)) out.add(`${method.toUpperCase()} ${path}`);
      }
      return out;
    })
    .catch(() => null);
  return capabilities;
}

/** Forget what was learnt (a new server version may have landed). */
export function resetCapabilities(): void {
  capabilities = null;
}

/** Does the server have this endpoint? Unknown (no openapi.json) counts as yes. */
export async function has(method: string, path: string): Promise<boolean> {
  const caps = await loadCapabilities();
  return caps === null || caps.has(`${method} /api/v1${path}`);
}

// ---- Errors in words ------------------------------------------------------------------------

/** What went wrong, for a person: our sentence for the code, then the server's detail. */
export function errorMessage(err: unknown): string {
  if (err instanceof NetworkError) return t("console.error.network");
  if (err instanceof SignInRequiredError) return t("console.error.signin");
  if (err instanceof ApiError) {
    const lead = tMaybe(`console.error.${err.code}`) ?? (err.status === 403 ? t("console.error.Forbidden") : t("console.error.generic"));
    return err.detail && err.detail !== lead ? `${lead} ${err.detail}` : lead;
  }
  return t("console.error.generic");
}

// ---- Endpoints ---------------------------------------------------------------------------

export const consoleApi = {
  branch: () => getJson<BranchPublic>("/branches/current"),
  users: () => getJson<UserPublic[]>("/users"),

  candidates: (f: CandidateFilters) => getJson<CandidatePage>("/candidates", { ...f }),
  plans: (planDate: string) => getJson<PlanListItem[]>("/plans", { plan_date: planDate }),
  plan: (id: string) => getJson<PlanPublic>(`/plans/${id}`),
  createPlan: (body: PlanCreate) => postJson<PlanPublic>("/plans", body),
  /** fresh: forget the teams' areas (default: each team keeps the area it had). */
  optimise: (id: string, opts: { timeLimitS?: number; fresh?: boolean } = {}) =>
    postJson<PlanPublic>(`/plans/${id}/optimise`, {
      ...(opts.timeLimitS ? { time_limit_s: opts.timeLimitS } : {}),
      ...(opts.fresh ? { fresh: true } : {}),
    }),
  /** Discard a draft plan (409 for a published one). */
  deletePlan: (id: string) => remove(`/plans/${id}`),
  publish: (id: string) => postJson<PlanPublic>(`/plans/${id}/publish`),
  assign: (visitId: string, officerIds: string[], pinned: boolean) =>
    postJson<VisitPublic>(`/visits/${visitId}/assign`, { officer_ids: officerIds, pinned }),
  cancelVisit: (visitId: string, reason: string) => postJson<VisitPublic>(`/visits/${visitId}/cancel`, { reason }),
  priority: () => getJson<PrioritySettings>("/branches/current/settings/priority"),
  putPriority: async (values: PriorityUpdate) =>
    (await api.request("/branches/current/settings/priority", { method: "PUT", json: values })).json() as Promise<PrioritySettings>,

  borrowers: (query: BorrowerQuery) => getJson<BorrowerPage>("/borrowers", { ...query }),
  borrower: (id: string) => getJson<BorrowerItem>(`/borrowers/${id}`),
  /** The full record (loans, masked ID, phone) for the borrower file. */
  borrowerFile: (id: string) => getJson<BorrowerPublic>(`/borrowers/${id}`),
  borrowerHistory: (id: string, before?: string) => getJson<HistoryPage>(`/borrowers/${id}/history`, { limit: 50, before }),
  putLocation: (id: string, body: { lat: number; lon: number; precision: LocationPrecision }) =>
    sendJson<BorrowerItem>("PUT", `/borrowers/${id}/location`, body),
  patchBorrower: (id: string, body: { preferred_times?: PreferredTime[]; safety_flags?: string[] }) =>
    sendJson<BorrowerItem>("PATCH", `/borrowers/${id}`, body),
  geocode: (address: string) => getJson<{ results: GeocodeResult[] }>("/geocode", { address }),
  proposals: () => getJson<BorrowerProposal[]>("/borrower-proposals", { status: "open" }),
  decideProposal: (id: string, decision: "accepted" | "declined", note: string) =>
    postJson<BorrowerProposal>(`/borrower-proposals/${id}/decide`, { decision, note }),

  workday: () => getJson<Workday>(WORKDAY),
  putWorkday: (body: Workday) => sendJson<Workday>("PUT", WORKDAY, body),
  officerWorkdays: () => getJson<OfficerWorkday[]>(`${WORKDAY}/officers`),
  putOfficerWorkday: (userId: string, body: Workday) => sendJson<unknown>("PUT", `${WORKDAY}/officers/${userId}`, body),
  resetOfficerWorkday: (userId: string) => remove(`${WORKDAY}/officers/${userId}`),

  day: (day?: string) => getJson<DayView>("/day", { day }),
  safetyAlerts: () => getJson<SafetyAlert[]>("/safety/alerts"),
  acknowledge: (alertId: string) => postJson<SafetyAlert>(`/safety/alerts/${alertId}/acknowledge`),
  outNow: () => getJson<OutNow[]>("/safety/out-now"),

  review: () => getJson<ReviewList>("/review"),
  complaints: (status: ComplaintStatus = "open") =>
    getJson<{ items: Complaint[] }>("/complaints", { status }).then((r) => r.items),
  resolveComplaint: (id: string, resolution: string) =>
    postJson<Complaint>(`/complaints/${id}/resolve`, { resolution }),
  feedbackCalls: (status: "sampled" | "done" | "unreachable" | "all" = "sampled") =>
    getJson<FeedbackCallList>("/feedback-calls", { status }),
  recordFeedback: (id: string, form: FeedbackForm) => postJson<FeedbackCall>(`/feedback-calls/${id}`, form),
  resolve: (entryId: number, note: string) => postJson<unknown>(`/review/entries/${entryId}/resolve`, { note }),
  decideChange: (requestId: string, decision: "approve" | "decline", reason: string) =>
    postJson<ChangeRequest>(`/change-requests/${requestId}/${decision}`, { reason }),

  agreements: (status?: string[]) => getJson<AgreementSummary[]>("/agreements", { status: status?.length ? status.join(",") : undefined }),
  agreement: (id: string) => getJson<AgreementDetail>(`/agreements/${id}`),
  verify: (id: string) => getJson<Verification>(`/agreements/${id}/verify`),
  decideAgreement: (id: string, decision: "approve" | "decline" | "cancel", reason: string) =>
    postJson<AgreementDetail>(`/agreements/${id}/${decision}`, decision === "approve" ? { note: reason } : { reason }),
  promises: (status?: string[]) => getJson<PromisePublic[]>("/promises", { status: status?.length ? status.join(",") : undefined }),

  devices: () => getJson<DevicePublic[]>("/devices"),
  revoke: (deviceId: string) => postJson<DevicePublic>(`/devices/${deviceId}/revoke`),
  retire: (deviceId: string) => postJson<DevicePublic>(`/devices/${deviceId}/retire`),
  /** After a revoke: let the person sign in on a (new) phone again. */
  enablePhone: (userId: string) => postJson<UserPublic>(`/users/${userId}/phone/enable`),

  importFile: async (kind: "loans" | "payments", file: File): Promise<ImportReport> => {
    const form = new FormData();
    form.append("file", file, file.name);
    return (await api.request(`/imports/${kind}`, { method: "POST", form })).json() as Promise<ImportReport>;
  },

  kpis: (from: string, to: string, groupBy: GroupBy) => getJson<KpiReport>("/reports/kpis", { from, to, group_by: groupBy }),
  hardship: (from: string, to: string) => getJson<{ rows: HardshipRow[] }>("/reports/hardship", { from, to }),
  compliance: (from: string, to: string) => getJson<ComplianceReport>("/reports/compliance", { from, to }),
};

/** Fetch a file with the bearer token (CSV, XLSX, PDF) as a Blob. */
export async function fetchBlob(path: string, query?: Record<string, QueryValue>): Promise<{ blob: Blob; filename: string | null }> {
  const res = await api.request(path, query ? { query } : {});
  const disposition = res.headers.get("Content-Disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return { blob: await res.blob(), filename: match?.[1] ? decodeURIComponent(match[1]) : null };
}

/** Save a Blob as a download. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** Download the API's own export (`?format=csv|xlsx`) of what the screen shows. */
export async function downloadExport(path: string, query: Record<string, QueryValue>, fmt: "csv" | "xlsx", fallbackName: string): Promise<void> {
  const { blob, filename } = await fetchBlob(path, { ...query, format: fmt });
  saveBlob(blob, filename ?? `${fallbackName}.${fmt}`);
}
