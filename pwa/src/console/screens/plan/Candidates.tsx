// The candidate list: scores and reasons, filtered on the server, paged, with a selection
// that survives filters and pages.
import { useState } from "preact/hooks";
import { formatDate, formatMoney, getLang, t, tMaybe } from "../../../i18n";
import { consoleApi } from "../../api";
import { DataTable, type Column } from "../../components/DataTable";
import { useLoad } from "../../hooks";
import type { Candidate, UserPublic } from "../../types";
import { CandidateFilters } from "./CandidateFilters";
import { EMPTY_FILTERS, PAGE, pageOf, reasonText, toFilters, toggleSelection, type FilterForm } from "./plan";
import { ReasonList } from "./ReasonList";

function candidateColumns(): Column<Candidate>[] {
  const lang = getLang();
  return [
    {
      key: "name",
      label: t("console.plan.col.name"),
      value: (c) => c.name,
      render: (c) => (
        <span title={c.address}>
          {c.name}
          {c.held && (
            <span class="c-muted" data-testid="held">
              {" "}
              · {t("console.plan.held")}
            </span>
          )}
        </span>
      ),
    },
    { key: "village", label: t("console.plan.col.village"), value: (c) => c.village },
    { key: "segment", label: t("console.plan.col.segment"), value: (c) => tMaybe(`segment.${c.segment}`) ?? c.segment },
    { key: "bucket", label: t("console.plan.col.bucket"), value: (c) => c.bucket, render: (c) => <span class="bucket">{c.bucket}</span> },
    { key: "dpd", label: t("console.plan.col.dpd"), value: (c) => c.dpd, numeric: true },
    { key: "overdue", label: t("console.plan.col.overdue"), value: (c) => c.overdue_fen / 100, render: (c) => <span class="money">{formatMoney(c.overdue_fen)}</span>, numeric: true },
    { key: "score", label: t("console.plan.col.score"), value: (c) => c.score, numeric: true, render: (c) => <strong data-testid="score">{c.score}</strong> },
    {
      key: "reasons",
      label: t("console.plan.col.reasons"),
      value: (c) => c.reasons.map((r) => `${reasonText(r, lang)} (${(r.points ?? 0) < 0 ? "" : "+"}${r.points ?? 0})`).join("; "),
      render: (c) => <ReasonList reasons={c.reasons} />,
      sortable: false,
    },
    { key: "last_visit", label: t("console.plan.col.lastVisit"), value: (c) => c.last_visit_on ?? "", render: (c) => (c.last_visit_on ? formatDate(c.last_visit_on) : "—") },
    { key: "last_contact", label: t("console.plan.col.lastContact"), value: (c) => c.last_contact_on ?? "", render: (c) => (c.last_contact_on ? formatDate(c.last_contact_on) : "—") },
  ];
}

function Pager({ offset, total, onOffset }: { offset: number; total: number; onOffset: (offset: number) => void }) {
  const page = pageOf(offset, total);
  return (
    <div class="c-pager">
      <button type="button" class="c-btn" disabled={!page.hasPrev} onClick={() => onOffset(Math.max(0, offset - PAGE))}>
        {t("console.prev")}
      </button>
      <span>
        {page.first}–{page.last} / {total}
      </span>
      <button type="button" class="c-btn" disabled={!page.hasNext} onClick={() => onOffset(offset + PAGE)}>
        {t("console.next")}
      </button>
    </div>
  );
}

export function Candidates({
  officers,
  selected,
  setSelected,
}: {
  officers: UserPublic[];
  selected: Map<string, Candidate>;
  setSelected: (next: Map<string, Candidate>) => void;
}) {
  const [form, setForm] = useState<FilterForm>(EMPTY_FILTERS);
  const [applied, setApplied] = useState<FilterForm>(EMPTY_FILTERS);
  const [offset, setOffset] = useState(0);
  // Borrowers an arrangement on track holds back are listed only when asked.
  const [showHeld, setShowHeld] = useState(false);
  const base = toFilters(applied, offset);
  const filters = base && (showHeld ? { ...base, include_held: true } : base);
  const page = useLoad(() => (filters ? consoleApi.candidates(filters) : Promise.reject(new Error("filters"))), [JSON.stringify(filters)]);
  const items = page.data?.items ?? [];

  const apply = (next: FilterForm) => {
    setForm(next);
    setApplied(next);
    setOffset(0);
  };
  const selection = {
    selected: new Set(selected.keys()),
    toggle: (key: string, on: boolean) => setSelected(toggleSelection(selected, items, [key], on)),
    toggleAll: (keys: string[], on: boolean) => setSelected(toggleSelection(selected, items, keys, on)),
  };

  return (
    <section class="c-card" aria-labelledby="cand-title">
      <div class="c-card-head">
        <h2 id="cand-title">{t("console.plan.candidates")}</h2>
        {page.data && <span class="c-muted">{t("console.plan.total", { n: page.data.total })}</span>}
      </div>
      <CandidateFilters officers={officers} form={form} onChange={(next, now) => (now ? apply(next) : setForm(next))} onApply={apply} />
      <label class="c-check" data-testid="include-held">
        <input
          type="checkbox"
          checked={showHeld}
          onChange={(e) => {
            setShowHeld(e.currentTarget.checked);
            setOffset(0);
          }}
        />{" "}
        {t("console.plan.includeHeld")}
      </label>
      {page.error && <p class="c-error" role="alert">{page.error}</p>}
      <DataTable
        rows={items}
        columns={candidateColumns()}
        rowKey={(c) => c.borrower_id}
        filename={`candidates-${new Date().toISOString().slice(0, 10)}`}
        testId="candidates"
        selection={selection}
        rowAttrs={(c) => ({ "data-testid": "candidate", "data-borrower-id": c.borrower_id, "data-held": c.held ? "true" : "false" })}
        caption={t("console.plan.candidates")}
        empty={page.loading ? t("common.loading") : t("console.plan.noCandidates")}
      />
      {page.data && page.data.total > PAGE && <Pager offset={offset} total={page.data.total} onOffset={setOffset} />}
    </section>
  );
}
