// Borrowers (借款人): where each one lives and how we know it, filters (all / unlocated /
// with open proposals) and a search; a borrower opens the edit panel. The second tab holds
// the field's open proposals. Filter, search, page and the open borrower live in the address.
import { useEffect, useMemo, useState } from "preact/hooks";
import { DEFAULT_TZ } from "../../../domain/time";
import { t } from "../../../i18n";
import { consoleApi } from "../../api";
import { DataTable } from "../../components/DataTable";
import { useBranch, useLoad } from "../../hooks";
import { replaceParams } from "../../router";
import { BORROWER_PAGE, FILTERS, borrowerPage, borrowerQuery, parseFilter, shownBorrowers, type BorrowerFilter } from "../../borrowers";
import type { BorrowerItem } from "../../types";
import { BorrowerFile } from "./BorrowerFile";
import { BorrowerPanel } from "./BorrowerPanel";
import { LocationBadge } from "./LocationBadge";
import { Proposals } from "./Proposals";
import { provenance } from "../../../ui/borrowerFacts";

type Tab = "list" | "proposals";

export function BorrowersScreen({ params }: { params: URLSearchParams }) {
  const branch = useBranch();
  const tz = branch?.timezone ?? DEFAULT_TZ;
  const [tab, setTab] = useState<Tab>(params.get("tab") === "proposals" ? "proposals" : "list");
  const [filter, setFilter] = useState<BorrowerFilter>(parseFilter(params.get("filter")));
  const [typed, setTyped] = useState(params.get("q") ?? "");
  const [q, setQ] = useState(params.get("q") ?? "");
  const [offset, setOffset] = useState(Math.max(0, Number(params.get("offset")) || 0));
  const [open, setOpen] = useState<string | null>(params.get("id"));
  const [file, setFile] = useState<string | null>(params.get("file"));
  const page = useLoad(() => consoleApi.borrowers(borrowerQuery(filter, q, offset)), [filter, q, offset], true);
  const proposals = useLoad(() => consoleApi.proposals(), []);

  useEffect(() => {
    replaceParams("borrowers", {
      tab: tab === "list" ? undefined : tab,
      filter: filter === "all" ? undefined : filter,
      q: q || undefined,
      offset: offset ? String(offset) : undefined,
      id: open ?? undefined,
      file: file ?? undefined,
    });
  }, [tab, filter, q, offset, open, file]);

  const rows = shownBorrowers(page.data?.items ?? [], filter);
  const byId = useMemo(() => new Map((page.data?.items ?? []).map((b) => [b.id, b])), [page.data]);
  const total = page.data?.total ?? 0;
  const pg = borrowerPage(offset, total);
  const centre = useMemo(() => (branch ? { lat: branch.lat, lon: branch.lon } : { lat: 37.4355, lon: 116.3575 }), [branch]);
  const openCount = proposals.data?.length ?? 0;

  return (
    <div class="c-screen" data-testid="borrowers-screen">
      <header class="c-head">
        <h1>{t("console.nav.borrowers")}</h1>
      </header>
      <div class="c-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "list"} onClick={() => setTab("list")} data-testid="tab-borrowers">
          {t("console.borrowers.tabList")}
        </button>
        <button type="button" role="tab" aria-selected={tab === "proposals"} onClick={() => setTab("proposals")} data-testid="tab-proposals">
          {t("console.borrowers.tabProposals")}
          {openCount > 0 && <span class="c-badge c-badge-soft">{openCount}</span>}
        </button>
      </div>
      {tab === "list" && (
        <section class="c-card">
          <div class="c-filters">
            <div class="c-row" role="radiogroup" aria-label={t("console.borrowers.col.location")}>
              {FILTERS.map((f) => (
                <button
                  key={f}
                  type="button"
                  role="radio"
                  class="c-chip"
                  aria-checked={filter === f}
                  aria-pressed={filter === f}
                  onClick={() => {
                    setFilter(f);
                    setOffset(0);
                  }}
                  data-testid={`filter-${f}`}
                >
                  {t(`console.borrowers.filter.${f}`)}
                </button>
              ))}
            </div>
            <form
              class="c-row"
              role="search"
              onSubmit={(e) => {
                e.preventDefault();
                setQ(typed.trim());
                setOffset(0);
              }}
            >
              <label class="c-field c-inline">
                <span>{t("console.borrowers.searchLabel")}</span>
                <input type="search" name="q" maxLength={100} value={typed} placeholder={t("console.borrowers.searchPlaceholder")} onInput={(e) => setTyped(e.currentTarget.value)} />
              </label>
              <button type="submit" class="c-btn">
                {t("console.borrowers.searchLabel")}
              </button>
            </form>
            <span class="c-spacer" />
            <span class="c-muted" data-testid="borrowers-total">
              {t("console.borrowers.total", { n: total })}
              {filter === "proposals" && ` ${t("console.borrowers.pageOnly")}`}
            </span>
          </div>
          {page.error && (
            <p class="c-error" role="alert">
              {page.error}
            </p>
          )}
          <DataTable
            rows={rows}
            rowKey={(b) => b.id}
            filename="borrowers"
            testId="borrowers-table"
            empty={page.loading ? "…" : t("console.borrowers.empty")}
            rowAttrs={(b) => ({ "data-testid": "borrower-row", "data-borrower-id": b.id })}
            columns={[
              { key: "name", label: t("console.borrowers.col.name"), value: (b: BorrowerItem) => b.name },
              { key: "village", label: t("console.borrowers.col.village"), value: (b: BorrowerItem) => b.village },
              { key: "address", label: t("console.borrowers.col.address"), value: (b: BorrowerItem) => b.address, wrap: true },
              {
                key: "location",
                label: t("console.borrowers.col.location"),
                value: (b: BorrowerItem) => provenance(b).line,
                render: (b: BorrowerItem) => <LocationBadge b={b} />,
                wrap: true,
              },
              {
                key: "proposals",
                label: t("console.borrowers.col.proposals"),
                value: (b: BorrowerItem) => b.open_proposals,
                numeric: true,
                render: (b: BorrowerItem) => (b.open_proposals > 0 ? <span class="c-badge">{b.open_proposals}</span> : ""),
              },
              {
                key: "open",
                label: "",
                value: () => "",
                noExport: true,
                sortable: false,
                render: (b: BorrowerItem) => (
                  <span class="c-row">
                    <button type="button" class="c-btn c-small" onClick={() => setFile(b.id)} data-testid="open-file">
                      {t("console.file.open")}
                    </button>
                    <button type="button" class="c-btn c-small" onClick={() => setOpen(b.id)} data-testid="open-borrower">
                      {t("console.borrowers.open")}
                    </button>
                  </span>
                ),
              },
            ]}
          />
          {total > BORROWER_PAGE && (
            <div class="c-pager">
              <span class="c-muted">{t("console.borrowers.page", { first: pg.first, last: pg.last, total })}</span>
              <button type="button" class="c-btn c-small" disabled={!pg.hasPrev} onClick={() => setOffset(Math.max(0, offset - BORROWER_PAGE))}>
                {t("console.borrowers.prev")}
              </button>
              <button type="button" class="c-btn c-small" disabled={!pg.hasNext} onClick={() => setOffset(offset + BORROWER_PAGE)}>
                {t("console.borrowers.next")}
              </button>
            </div>
          )}
        </section>
      )}
      {tab === "proposals" && (
        <Proposals
          loaded={proposals}
          tz={tz}
          borrowers={byId}
          onOpen={setOpen}
          onDecided={() => {
            void proposals.reload();
            void page.reload();
          }}
        />
      )}
      {file && !open && (
        <BorrowerFile
          id={file}
          tz={tz}
          onClose={() => setFile(null)}
          onEdit={() => {
            setOpen(file);
            setFile(null);
          }}
        />
      )}
      {open && (
        <BorrowerPanel
          id={open}
          centre={centre}
          tz={tz}
          onClose={() => setOpen(null)}
          onChanged={() => {
            void page.reload();
            void proposals.reload();
          }}
        />
      )}
    </div>
  );
}
