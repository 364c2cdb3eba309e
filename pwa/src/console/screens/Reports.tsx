// Effectiveness: every KPI side by side for a date range, by officer, DPD bucket or segment
// (never a ranking on recovered amount alone), one chart per question with its numbers and
// its table, the hardship reasons, the compliance report when the server has it, and exports.
import { useMemo, useState } from "preact/hooks";
import { DEFAULT_TZ, addDays, todayIn } from "../../domain/time";
import { formatDate, getLang, t, tMaybe } from "../../i18n";
import { consoleApi, downloadExport } from "../api";
import { BarChart } from "../components/BarChart";
import type { ChartSpec } from "../components/chartSpec";
import { DataTable, type Column } from "../components/DataTable";
import { chartValue, formatFen, formatKpi, formatRate, RATE_KPIS, type KpiKey } from "../format";
import { useBranch, useHas, useLoad } from "../hooks";
import type { ComplianceItem, GroupBy, HardshipRow, KpiRow } from "../types";

const GROUPS: GroupBy[] = ["officer", "bucket", "segment", "all"];
type ChartKpi = Exclude<KpiKey, "recovered_fen">;
const CHART_KPIS: ChartKpi[] = ["contact_rate", "ptp_rate", "ptp_kept_rate", "recovery_rate", "cure_rate", "km_per_visit", "cost_per_100_recovered_fen"];
const CHART_COLOURS: Record<string, string> = {
  contact_rate: "#0b5cad",
  ptp_rate: "#1c7c54",
  ptp_kept_rate: "#00707a",
  recovery_rate: "#7b3fa0",
  cure_rate: "#8a6d00",
  km_per_visit: "#4a5968",
  cost_per_100_recovered_fen: "#b35900",
};

export function groupLabel(row: Pick<KpiRow, "group" | "group_label">, groupBy: GroupBy): string {
  if (groupBy === "all") return t("console.reports.allBranch");
  if (groupBy === "segment") return tMaybe(`segment.${row.group}`) ?? row.group_label;
  if (groupBy === "bucket" && row.group === "current") return t("console.reports.bucketCurrent");
  return row.group_label || row.group;
}

/** One chart per KPI question, groups in the table's order (by name, never by value). */
export function kpiChart(key: ChartKpi, rows: readonly KpiRow[], groupBy: GroupBy): ChartSpec {
  const labels = rows.map((r) => groupLabel(r, groupBy));
  const raw = rows.map((r) => r[key] as number | null);
  return {
    id: key,
    question: t(`console.reports.q.${key}`),
    labels,
    values: raw.map((v) => chartValue(key, v)),
    texts: raw.map((v) => formatKpi(key, v)),
    max: RATE_KPIS.includes(key) ? 100 : undefined,
    colour: CHART_COLOURS[key],
    table: {
      headers: [t(`console.reports.group.${groupBy}`), t(`console.kpi.${key}`), t("console.kpi.visits_completed")],
      rows: rows.map((r, i) => [labels[i] ?? "", formatKpi(key, raw[i]), String(r.visits_completed)]),
    },
  };
}

export function hardshipChart(rows: readonly HardshipRow[]): ChartSpec {
  const en = getLang() === "en";
  const labels = rows.map((r) => (en ? r.label_en : r.label_zh));
  return {
    id: "hardship",
    question: t("console.reports.q.hardship"),
    labels,
    values: rows.map((r) => r.count),
    texts: rows.map((r) => `${r.count} (${formatRate(r.share)})`),
    horizontal: true,
    colour: "#0b5cad",
    table: {
      headers: [t("console.reports.reason"), t("console.reports.count"), t("console.reports.share")],
      rows: rows.map((r, i) => [labels[i] ?? "", String(r.count), formatRate(r.share)]),
    },
  };
}

function kpiColumns(groupBy: GroupBy): Column<KpiRow>[] {
  const rate = (key: KpiKey): Column<KpiRow> => ({
    key,
    label: t(`console.kpi.${key}`),
    value: (r) => r[key] as number | null,
    render: (r) => formatKpi(key, r[key] as number | null),
    numeric: true,
  });
  return [
    { key: "group", label: t(`console.reports.group.${groupBy}`), value: (r) => groupLabel(r, groupBy) },
    { key: "visits_planned", label: t("console.kpi.visits_planned"), value: (r) => r.visits_planned, numeric: true },
    { key: "visits_completed", label: t("console.kpi.visits_completed"), value: (r) => r.visits_completed, numeric: true },
    rate("contact_rate"),
    rate("ptp_rate"),
    rate("ptp_kept_rate"),
    rate("recovery_rate"),
    rate("cure_rate"),
    rate("km_per_visit"),
    { key: "recovered_fen", label: t("console.kpi.recovered_fen"), value: (r) => r.recovered_fen / 100, render: (r) => formatFen(r.recovered_fen), numeric: true },
    rate("cost_per_100_recovered_fen"),
  ];
}

function Compliance({ from, to }: { from: string; to: string }) {
  const report = useLoad(() => consoleApi.compliance(from, to), [from, to]);
  const items = useMemo(() => Object.values(report.data?.items ?? {}).flat(), [report.data]);
  if (report.error) return <p class="c-error">{report.error}</p>;
  if (!report.data) return <p class="c-muted">{t("common.loading")}</p>;
  const counts = report.data.counts;
  return (
    <div data-testid="compliance">
      <p class={report.data.on_target ? "c-ok-text" : "c-warn-text"}>
        {report.data.on_target ? t("console.reports.compliance.onTarget") : t("console.reports.compliance.breaches", { n: report.data.total })}
      </p>
      <div class="c-counts">
        {Object.keys(counts).map((k) => (
          <div key={k} class={`c-count-box${(counts[k] ?? 0) > 0 ? " warn" : ""}`} data-kind={k}>
            <span class="c-count-n">{counts[k]}</span>
            <span class="c-count-l">{tMaybe(`console.compliance.${k}`) ?? k}</span>
          </div>
        ))}
      </div>
      <DataTable<ComplianceItem & { key: string }>
        rows={items.map((it, i) => ({ ...it, key: `${it.kind}-${it.visit_id ?? i}-${i}` }))}
        rowKey={(r) => r.key}
        filename={`compliance-${from}-${to}`}
        serverExport={async (fmt) => (fmt === "csv" ? downloadExport("/reports/compliance", { from, to }, "csv", `compliance-${from}-${to}`) : false)}
        empty={t("console.reports.compliance.none")}
        columns={[
          { key: "kind", label: t("console.review.kind"), value: (r) => tMaybe(`console.compliance.${r.kind}`) ?? r.kind },
          { key: "date", label: t("console.plan.date"), value: (r) => r.plan_date ?? "", render: (r) => (r.plan_date ? formatDate(r.plan_date) : "—") },
          { key: "time", label: t("console.reports.time"), value: (r) => r.local_time ?? "" },
          { key: "borrower", label: t("console.agreement.borrower"), value: (r) => r.borrower_name },
          { key: "officer", label: t("console.agreement.officer"), value: (r) => r.officer_name },
          { key: "codes", label: t("console.reports.rules"), value: (r) => r.codes.join(", ") },
        ]}
      />
    </div>
  );
}

export function ReportsScreen() {
  const branch = useBranch();
  const tz = branch?.timezone ?? DEFAULT_TZ;
  const today = todayIn(tz);
  const [from, setFrom] = useState(() => addDays(todayIn(DEFAULT_TZ), -29));
  const [to, setTo] = useState(() => todayIn(DEFAULT_TZ));
  const [groupBy, setGroupBy] = useState<GroupBy>("officer");
  const hasCompliance = useHas("GET", "/reports/compliance");
  const valid = from <= to;
  const kpis = useLoad(() => (valid ? consoleApi.kpis(from, to, groupBy) : Promise.resolve(null)), [from, to, groupBy]);
  const hardship = useLoad(() => (valid ? consoleApi.hardship(from, to) : Promise.resolve(null)), [from, to]);
  const lang = getLang();
  const rows = useMemo(
    () => [...(kpis.data?.rows ?? [])].sort((a, b) => groupLabel(a, groupBy).localeCompare(groupLabel(b, groupBy), lang === "en" ? "en" : "zh-Hans-CN")),
    [kpis.data, groupBy, lang],
  );
  const charts = useMemo(() => (groupBy === "all" ? [] : CHART_KPIS.map((k) => kpiChart(k, rows, groupBy))), [rows, groupBy]);
  const total = rows.reduce((s, r) => s + r.visits_completed, 0);

  const preset = (days: number) => {
    setTo(today);
    setFrom(addDays(today, -(days - 1)));
  };

  return (
    <div class="c-screen" data-testid="reports-screen">
      <header class="c-head">
        <h1>{t("console.nav.reports")}</h1>
        <label class="c-field c-inline">
          <span>{t("console.reports.from")}</span>
          <input type="date" name="from" value={from} max={to} onChange={(e) => e.currentTarget.value && setFrom(e.currentTarget.value)} />
        </label>
        <label class="c-field c-inline">
          <span>{t("console.reports.to")}</span>
          <input type="date" name="to" value={to} min={from} onChange={(e) => e.currentTarget.value && setTo(e.currentTarget.value)} />
        </label>
        <button type="button" class="c-btn c-small" onClick={() => preset(7)}>
          {t("console.reports.last", { n: 7 })}
        </button>
        <button type="button" class="c-btn c-small" onClick={() => preset(30)}>
          {t("console.reports.last", { n: 30 })}
        </button>
        <button type="button" class="c-btn c-small" onClick={() => preset(90)}>
          {t("console.reports.last", { n: 90 })}
        </button>
      </header>
      {!valid && <p class="c-error">{t("console.reports.badRange")}</p>}
      <div class="c-tabs" role="tablist" aria-label={t("console.reports.groupBy")}>
        {GROUPS.map((g) => (
          <button key={g} type="button" role="tab" aria-selected={groupBy === g} onClick={() => setGroupBy(g)} data-testid={`group-${g}`}>
            {t(`console.reports.by.${g}`)}
          </button>
        ))}
      </div>
      <section class="c-card" aria-labelledby="kpi-title">
        <div class="c-card-head">
          <h2 id="kpi-title">{t("console.reports.kpis", { from: formatDate(from, tz), to: formatDate(to, tz) })}</h2>
          <span class="c-muted">{t("console.reports.completedN", { n: total })}</span>
        </div>
        <p class="c-muted c-small-text">{t("console.reports.blend")}</p>
        {kpis.error && <p class="c-error">{kpis.error}</p>}
        <DataTable
          rows={rows}
          columns={kpiColumns(groupBy)}
          rowKey={(r) => r.group}
          filename={`kpis-${groupBy}-${from}-${to}`}
          serverExport={(fmt) => downloadExport("/reports/kpis", { from, to, group_by: groupBy }, fmt, `kpis-${groupBy}-${from}-${to}`)}
          testId="kpi-table"
          rowAttrs={(r) => ({ "data-testid": "kpi-row", "data-group": r.group })}
          empty={kpis.loading ? t("common.loading") : t("console.reports.noData")}
        />
      </section>
      {groupBy === "all" && rows[0] && (
        <section class="c-tiles" data-testid="kpi-tiles">
          {CHART_KPIS.map((k) => (
            <div key={k} class="c-tile">
              <span class="c-tile-q">{t(`console.reports.q.${k}`)}</span>
              <span class="c-tile-n">{formatKpi(k, rows[0]?.[k] as number | null)}</span>
            </div>
          ))}
        </section>
      )}
      {charts.length > 0 && (
        <div class="c-charts" data-testid="charts">
          {charts.map((c) => (
            <BarChart key={c.id} spec={c} />
          ))}
        </div>
      )}
      <section class="c-card" aria-labelledby="hardship-title">
        <h2 id="hardship-title">{t("console.reports.hardship")}</h2>
        {hardship.error && <p class="c-error">{hardship.error}</p>}
        {hardship.data && hardship.data.rows.length === 0 && <p class="c-muted">{t("console.reports.noHardship")}</p>}
        {hardship.data && hardship.data.rows.length > 0 && (
          <div class="c-hardship">
            <BarChart spec={hardshipChart(hardship.data.rows)} />
            <DataTable
              rows={hardship.data.rows}
              rowKey={(r) => r.code}
              filename={`hardship-${from}-${to}`}
              serverExport={(fmt) => downloadExport("/reports/hardship", { from, to }, fmt, `hardship-${from}-${to}`)}
              testId="hardship-table"
              columns={[
                { key: "label", label: t("console.reports.reason"), value: (r) => (lang === "en" ? r.label_en : r.label_zh) },
                { key: "count", label: t("console.reports.count"), value: (r) => r.count, numeric: true },
                { key: "share", label: t("console.reports.share"), value: (r) => r.share, render: (r) => formatRate(r.share), numeric: true },
              ]}
            />
          </div>
        )}
      </section>
      {hasCompliance && (
        <section class="c-card" aria-labelledby="compliance-title">
          <h2 id="compliance-title">{t("console.reports.compliance.title")}</h2>
          <Compliance from={from} to={to} />
        </section>
      )}
    </div>
  );
}
