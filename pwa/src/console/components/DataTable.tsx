import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { getLang, t } from "../../i18n";
import { errorMessage, saveBlob } from "../api";
import { compareValues } from "../format";
import { toCsv, toXlsx, XLSX_TYPE, type Cell } from "../export";

export interface Column<R> {
  key: string;
  label: string;
  /** The value sorted, filtered and exported. */
  value: (row: R) => Cell;
  /** What the cell shows (defaults to the value). */
  render?: (row: R) => ComponentChildren;
  numeric?: boolean;
  sortable?: boolean;
  /** Long text: wraps (other cells stay on one line). */
  wrap?: boolean;
  /** Left out of exports (action buttons). */
  noExport?: boolean;
}

export interface Selection {
  selected: ReadonlySet<string>;
  toggle: (key: string, on: boolean) => void;
  toggleAll: (keys: string[], on: boolean) => void;
}

interface DataTableProps<R> {
  rows: readonly R[];
  columns: readonly Column<R>[];
  rowKey: (row: R) => string;
  /** File name (without extension) of the exports. */
  filename: string;
  /** The API's own export (`?format=`); else the table exports the rows it shows. */
  serverExport?: (fmt: "csv" | "xlsx") => Promise<boolean | void>;
  initialSort?: { key: string; dir: "asc" | "desc" } | null;
  testId?: string;
  caption?: string;
  empty?: string;
  selection?: Selection;
  rowAttrs?: (row: R) => Record<string, string | undefined>;
  rowClass?: (row: R) => string;
  toolbar?: ComponentChildren;
  filterable?: boolean;
}

/** A table that sorts, filters and exports what it shows (CSV/XLSX). */
export function DataTable<R>(props: DataTableProps<R>) {
  const { rows, columns, rowKey, selection } = props;
  const [sort, setSort] = useState(props.initialSort ?? null);
  const [filter, setFilter] = useState("");
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const lang = getLang();

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    let out = needle
      ? rows.filter((r) => columns.some((c) => !c.noExport && String(c.value(r) ?? "").toLowerCase().includes(needle)))
      : [...rows];
    if (sort) {
      const col = columns.find((c) => c.key === sort.key);
      if (col) {
        const dir = sort.dir === "asc" ? 1 : -1;
        out = out
          .map((r, i) => ({ r, i }))
          .sort((a, b) => {
            const va = col.value(a.r);
            const vb = col.value(b.r);
            const blank = (v: Cell) => v === null || v === undefined || v === "";
            if (blank(va) || blank(vb)) return compareValues(va, vb, lang) || a.i - b.i; // blanks last both ways
            return dir * compareValues(va, vb, lang) || a.i - b.i;
          })
          .map((x) => x.r);
      }
    }
    return out;
  }, [rows, columns, filter, sort, lang]);

  const exportable = columns.filter((c) => !c.noExport);
  const doExport = async (fmt: "csv" | "xlsx") => {
    setExporting(true);
    setExportError(null);
    try {
      // The API's export when it has one (false: not for this format, export here).
      if (props.serverExport && (await props.serverExport(fmt)) !== false) return;
      const headers = exportable.map((c) => c.label);
      const data = shown.map((r) => exportable.map((c) => c.value(r)));
      const blob =
        fmt === "csv"
          ? new Blob([toCsv(headers, data)], { type: "text/csv;charset=utf-8" })
          : new Blob([toXlsx(props.filename, headers, data) as BlobPart], { type: XLSX_TYPE });
      saveBlob(blob, `${props.filename}.${fmt}`);
    } catch (err) {
      setExportError(errorMessage(err));
    } finally {
      setExporting(false);
    }
  };

  const clickSort = (key: string) => {
    setSort((s) => (s?.key === key ? { key, dir: s.dir === "asc" ? "desc" : "asc" } : { key, dir: "asc" }));
  };
  const keys = shown.map(rowKey);
  const allOn = selection ? keys.length > 0 && keys.every((k) => selection.selected.has(k)) : false;

  return (
    <div class="c-table-wrap" data-testid={props.testId}>
      <div class="c-table-tools">
        {props.filterable !== false && (
          <label class="c-filter">
            <span class="sr-only">{t("console.table.filter")}</span>
            <input
              type="search"
              placeholder={t("console.table.filter")}
              value={filter}
              onInput={(e) => setFilter(e.currentTarget.value)}
              data-testid="table-filter"
            />
          </label>
        )}
        <span class="c-muted c-count" data-testid="table-count">
          {t("console.table.count", { n: shown.length, total: rows.length })}
        </span>
        {props.toolbar}
        <span class="c-spacer" />
        <button type="button" class="c-btn" disabled={exporting || !shown.length} onClick={() => void doExport("csv")} data-testid="export-csv">
          {t("console.table.exportCsv")}
        </button>
        <button type="button" class="c-btn" disabled={exporting || !shown.length} onClick={() => void doExport("xlsx")} data-testid="export-xlsx">
          {t("console.table.exportXlsx")}
        </button>
      </div>
      {exportError && (
        <p class="c-error" role="alert">
          {exportError}
        </p>
      )}
      <div class="c-table-scroll">
        <table class="c-table">
          {props.caption && <caption class="sr-only">{props.caption}</caption>}
          <thead>
            <tr>
              {selection && (
                <th class="c-check">
                  <input
                    type="checkbox"
                    aria-label={t("console.table.selectAll")}
                    checked={allOn}
                    onChange={(e) => selection.toggleAll(keys, e.currentTarget.checked)}
                    data-testid="select-all"
                  />
                </th>
              )}
              {columns.map((c) => {
                const sortable = c.sortable !== false;
                const dir = sort?.key === c.key ? (sort.dir === "asc" ? "ascending" : "descending") : undefined;
                return (
                  <th key={c.key} class={c.numeric ? "num" : ""} aria-sort={dir ?? (sortable ? "none" : undefined)} scope="col">
                    {sortable ? (
                      <button type="button" class="c-sort" onClick={() => clickSort(c.key)} data-sort-key={c.key}>
                        {c.label}
                        <span aria-hidden="true" class="c-sort-mark">
                          {dir === "ascending" ? "▲" : dir === "descending" ? "▼" : "↕"}
                        </span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const key = rowKey(r);
              return (
                <tr key={key} class={props.rowClass?.(r) ?? ""} {...(props.rowAttrs?.(r) ?? {})}>
                  {selection && (
                    <td class="c-check">
                      <input
                        type="checkbox"
                        aria-label={t("console.table.selectRow")}
                        checked={selection.selected.has(key)}
                        onChange={(e) => selection.toggle(key, e.currentTarget.checked)}
                        data-testid="select-row"
                      />
                    </td>
                  )}
                  {columns.map((c) => (
                    <td key={c.key} class={c.numeric ? "num" : c.wrap ? "c-wrap" : ""}>
                      {c.render ? c.render(r) : (c.value(r) ?? "—")}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
        {!shown.length && <p class="c-empty">{props.empty ?? t("console.table.empty")}</p>}
      </div>
    </div>
  );
}
