// Review: flagged and rejected entries (resolve with a note), change requests (approve, or
// decline with a reason that reaches the phone), agreements waiting for approval, open
// complaints (resolve with what was done).
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../../data";
import { formatDate, formatDateTime, formatMoney, getLang, t, tMaybe } from "../../i18n";
import { toast } from "../../ui/toast";
import { consoleApi } from "../api";
import { refreshBadge } from "../badge";
import { AgreementDialog } from "../components/AgreementDetail";
import { DataTable } from "../components/DataTable";
import { ConfirmDialog } from "../components/Dialog";
import { useAction, useHas, usePoll, useUsers } from "../hooks";
import type { AgreementSummary, BorrowerPublic, ChangeRequest, Complaint, ReviewMutation } from "../types";

function mutationLabel(name: string): string {
  return tMaybe(`mutation.${name}`) ?? name;
}

/** The few facts of an entry worth showing (no signatures or long texts). */
function argsSummary(args: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(args)) {
    if (typeof v === "string" && (v.startsWith("data:") || v.length > 80)) continue;
    if (k.endsWith("_id") || k.includes("sha256") || k.includes("signature") || k === "terms" || k === "location") continue;
    parts.push(`${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  }
  return parts.join(" · ");
}

function useBorrowerNames(ids: string[]): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const key = [...new Set(ids)].sort().join(",");
  useEffect(() => {
    let alive = true;
    const missing = [...new Set(ids)].filter((id) => !names.has(id));
    if (!missing.length) return;
    void Promise.all(
      missing.map((id) =>
        api
          .request(`/borrowers/${id}`)
          .then((r) => r.json() as Promise<BorrowerPublic>)
          .then((b) => [id, b.name] as const)
          .catch(() => [id, ""] as const),
      ),
    ).then((pairs) => {
      if (!alive) return;
      setNames((old) => {
        const next = new Map(old);
        for (const [id, name] of pairs) next.set(id, name);
        return next;
      });
    });
    return () => {
      alive = false;
    };
  }, [key]);
  return names;
}

type Pending =
  | { kind: "resolve"; entry: ReviewMutation }
  | { kind: "complaint"; complaint: Complaint }
  | { kind: "approve" | "decline"; request: ChangeRequest };

export function ReviewScreen() {
  const users = useUsers();
  const hasAgreements = useHas("GET", "/agreements");
  const review = usePoll(() => consoleApi.review(), []);
  const hasComplaints = useHas("GET", "/complaints");
  const complaints = usePoll<Complaint[] | null>(
    () => (hasComplaints ? consoleApi.complaints("open") : Promise.resolve(null)),
    [hasComplaints],
  );
  const agreements = usePoll<AgreementSummary[] | null>(
    () => (hasAgreements ? consoleApi.agreements(["pending_approval"]) : Promise.resolve(null)),
    [hasAgreements],
  );
  const [pending, setPending] = useState<Pending | null>(null);
  const [openAgreement, setOpenAgreement] = useState<string | null>(null);
  const action = useAction();
  const lang = getLang();

  const entries = review.data?.mutations ?? [];
  const requests = (review.data?.change_requests ?? []).filter((r) => r.status === "open");
  const borrowerNames = useBorrowerNames(requests.map((r) => r.borrower_id));
  const officerName = (id?: string) => users?.find((u) => u.id === id)?.full_name ?? "";

  const after = async () => {
    setPending(null);
    await Promise.all([review.reload(), complaints.reload(), refreshBadge()]);
  };

  const decide = async (reason: string) => {
    if (!pending) return;
    let ok: unknown;
    if (pending.kind === "resolve") ok = await action.run(() => consoleApi.resolve(pending.entry.id, reason));
    else if (pending.kind === "complaint") ok = await action.run(() => consoleApi.resolveComplaint(pending.complaint.id, reason));
    else ok = await action.run(() => consoleApi.decideChange(pending.request.id, pending.kind as "approve" | "decline", reason));
    if (ok) {
      toast(t(`console.review.done.${pending.kind}`));
      await after();
    }
  };

  const counts = useMemo(
    () => ({
      entries: entries.length,
      requests: requests.length,
      agreements: agreements.data?.length ?? 0,
      complaints: complaints.data?.length ?? 0,
    }),
    [entries, requests, agreements.data, complaints.data],
  );

  return (
    <div class="c-screen" data-testid="review-screen">
      <header class="c-head">
        <h1>{t("console.nav.review")}</h1>
        <span class="c-muted">{t("console.review.summary", counts)}</span>
        <span class="c-spacer" />
        <button type="button" class="c-btn" onClick={() => void Promise.all([review.reload(), agreements.reload(), complaints.reload(), refreshBadge()])}>
          {t("console.refresh")}
        </button>
      </header>
      {review.error && <p class="c-error" role="alert">{review.error}</p>}

      {hasComplaints !== false && (
        <section class="c-card" aria-labelledby="complaints-title" data-testid="complaints">
          <h2 id="complaints-title">
            {t("console.review.complaints")} {counts.complaints > 0 && <span class="c-badge">{counts.complaints}</span>}
          </h2>
          <DataTable
            rows={complaints.data ?? []}
            rowKey={(c) => c.id}
            filename="complaints-open"
            rowAttrs={(c) => ({ "data-testid": "complaint", "data-complaint-id": c.id })}
            empty={t("console.review.noComplaints")}
            columns={[
              { key: "at", label: t("console.complaint.at"), value: (c) => c.at, render: (c) => formatDateTime(c.at) },
              { key: "borrower", label: t("console.agreement.borrower"), value: (c) => c.borrower_name },
              { key: "about", label: t("console.complaint.about"), value: (c) => c.about_officer_name },
              { key: "channel", label: t("console.complaint.channel"), value: (c) => tMaybe(`complaint.channel.${c.channel}`) ?? c.channel },
              { key: "category", label: t("console.complaint.category"), value: (c) => (lang === "en" ? c.category_en : c.category_zh) },
              { key: "text", label: t("console.complaint.text"), value: (c) => c.text, wrap: true },
              {
                key: "act",
                label: "",
                value: () => "",
                noExport: true,
                sortable: false,
                render: (c) => (
                  <button type="button" class="c-btn c-small c-primary" onClick={() => setPending({ kind: "complaint", complaint: c })} data-testid="resolve-complaint">
                    {t("console.review.resolve")}
                  </button>
                ),
              },
            ]}
          />
        </section>
      )}

      <section class="c-card" aria-labelledby="agreements-title" data-testid="pending-agreements">
        <h2 id="agreements-title">
          {t("console.review.agreements")} {counts.agreements > 0 && <span class="c-badge">{counts.agreements}</span>}
        </h2>
        {hasAgreements === false ? (
          <p class="c-muted">{t("console.notOnServer")}</p>
        ) : (
          <DataTable
            rows={agreements.data ?? []}
            rowKey={(a) => a.id}
            filename="agreements-pending"
            rowAttrs={(a) => ({ "data-testid": "pending-agreement", "data-agreement-id": a.id })}
            empty={t("console.review.noAgreements")}
            columns={[
              { key: "signed", label: t("console.agreement.signedAt"), value: (a) => a.signed_at, render: (a) => formatDateTime(a.signed_at) },
              { key: "borrower", label: t("console.agreement.borrower"), value: (a) => a.borrower_name },
              { key: "officer", label: t("console.agreement.officer"), value: (a) => a.officer_name },
              { key: "principal", label: t("console.agreement.principal"), value: (a) => a.principal_fen / 100, numeric: true, render: (a) => <span class="money">{formatMoney(a.principal_fen)}</span> },
              { key: "n", label: t("console.agreement.instalments"), value: (a) => a.instalments, numeric: true },
              {
                key: "why",
                label: t("console.agreement.whyApproval"),
                value: (a) => a.approval_reasons.map((r) => (lang === "en" ? r.text : r.text_zh || r.text)).join("; "),
                wrap: true,
              },
              {
                key: "open",
                label: "",
                value: () => "",
                noExport: true,
                sortable: false,
                render: (a) => (
                  <button type="button" class="c-btn c-small c-primary" onClick={() => setOpenAgreement(a.id)} data-testid="open-agreement">
                    {t("console.review.open")}
                  </button>
                ),
              },
            ]}
          />
        )}
      </section>

      <section class="c-card" aria-labelledby="requests-title" data-testid="change-requests">
        <h2 id="requests-title">
          {t("console.review.requests")} {counts.requests > 0 && <span class="c-badge">{counts.requests}</span>}
        </h2>
        <DataTable
          rows={requests}
          rowKey={(r) => r.id}
          filename="change-requests"
          rowAttrs={(r) => ({ "data-testid": "change-request", "data-request-id": r.id, "data-visit-id": r.visit_id })}
          empty={t("console.review.noRequests")}
          columns={[
            { key: "at", label: t("console.review.received"), value: (r) => r.created_at ?? "", render: (r) => (r.created_at ? formatDateTime(r.created_at) : "—") },
            { key: "officer", label: t("console.agreement.officer"), value: (r) => officerName(r.officer_id) },
            { key: "borrower", label: t("console.agreement.borrower"), value: (r) => borrowerNames.get(r.borrower_id) ?? "" },
            { key: "kind", label: t("console.review.kind"), value: (r) => tMaybe(`kind.${r.kind}`) ?? r.kind },
            {
              key: "proposed",
              label: t("console.review.proposed"),
              value: (r) => [r.proposed.date ? formatDate(r.proposed.date) : "", r.proposed.text ?? ""].filter(Boolean).join(" · "),
              wrap: true,
            },
            { key: "reason", label: t("console.review.reason"), value: (r) => r.reason, wrap: true },
            {
              key: "act",
              label: "",
              value: () => "",
              noExport: true,
              sortable: false,
              render: (r) => (
                <span class="c-row c-nowrap">
                  <button type="button" class="c-btn c-small c-primary" onClick={() => setPending({ kind: "approve", request: r })} data-testid="approve-request">
                    {t("console.approve")}
                  </button>
                  <button type="button" class="c-btn c-small c-danger" onClick={() => setPending({ kind: "decline", request: r })} data-testid="decline-request">
                    {t("console.decline")}
                  </button>
                </span>
              ),
            },
          ]}
        />
      </section>

      <section class="c-card" aria-labelledby="entries-title" data-testid="entries">
        <h2 id="entries-title">
          {t("console.review.entries")} {counts.entries > 0 && <span class="c-badge">{counts.entries}</span>}
        </h2>
        <DataTable
          rows={entries}
          rowKey={(e) => String(e.id)}
          filename="flagged-entries"
          rowAttrs={(e) => ({ "data-testid": "entry", "data-status": e.status })}
          empty={t("console.review.noEntries")}
          columns={[
            { key: "at", label: t("console.review.received"), value: (e) => e.received_at, render: (e) => formatDateTime(e.received_at) },
            { key: "officer", label: t("console.agreement.officer"), value: (e) => e.officer_name },
            { key: "name", label: t("console.review.entry"), value: (e) => mutationLabel(e.name) },
            {
              key: "status",
              label: t("console.today.status"),
              value: (e) => t(`console.review.status.${e.status === "rejected" ? "rejected" : "flagged"}`),
              render: (e) => <span class={`c-chip-status ${e.status}`}>{t(`console.review.status.${e.status === "rejected" ? "rejected" : "flagged"}`)}</span>,
            },
            { key: "reason", label: t("console.review.reason"), value: (e) => e.reason, wrap: true },
            { key: "details", label: t("console.review.details"), value: (e) => argsSummary(e.args), render: (e) => <span class="c-small-text c-muted">{argsSummary(e.args)}</span>, wrap: true },
            {
              key: "act",
              label: "",
              value: () => "",
              noExport: true,
              sortable: false,
              render: (e) => (
                <button type="button" class="c-btn c-small" onClick={() => setPending({ kind: "resolve", entry: e })} data-testid="resolve">
                  {t("console.review.resolve")}
                </button>
              ),
            },
          ]}
        />
      </section>

      {pending && (
        <ConfirmDialog
          title={t(`console.review.ask.${pending.kind}`)}
          text={
            pending.kind === "resolve"
              ? t("console.review.askText.resolve", { entry: mutationLabel(pending.entry.name), officer: pending.entry.officer_name })
              : pending.kind === "complaint"
              ? t("console.review.askText.complaint", { name: pending.complaint.borrower_name })
              : t(`console.review.askText.${pending.kind}`, {
                  kind: tMaybe(`kind.${pending.request.kind}`) ?? pending.request.kind,
                  name: borrowerNames.get(pending.request.borrower_id) ?? "",
                })
          }
          yes={pending.kind === "resolve" || pending.kind === "complaint" ? t("console.review.resolve") : pending.kind === "approve" ? t("console.approve") : t("console.decline")}
          danger={pending.kind === "decline"}
          reason={
            pending.kind === "complaint"
              ? { label: t("console.complaint.resolution"), required: true }
              : {
                  label: pending.kind === "resolve" ? t("console.note") : t("console.reason"),
                  required: pending.kind === "decline",
                  hint: pending.kind === "resolve" ? undefined : t("console.reachesPhone"),
                }
          }
          busy={action.busy}
          error={action.error}
          onNo={() => setPending(null)}
          onYes={(reason) => void decide(reason)}
        />
      )}
      {openAgreement && (
        <AgreementDialog
          id={openAgreement}
          onClose={() => setOpenAgreement(null)}
          onChanged={() => void agreements.reload()}
        />
      )}
    </div>
  );
}
