// Imports: the core-banking exports of overdue loans and of payments; the row-by-row
// validation report (row, column, message) and the counts.
import { useState } from "preact/hooks";
import { ApiError } from "../../data";
import { t } from "../../i18n";
import { consoleApi, errorMessage } from "../api";
import { DataTable } from "../components/DataTable";
import type { ImportReport } from "../types";

function ImportCard({ kind }: { kind: "loans" | "payments" }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState<string[]>([]);

  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setMissing([]);
    setReport(null);
    try {
      setReport(await consoleApi.importFile(kind, file));
    } catch (err) {
      if (err instanceof ApiError && Array.isArray(err.body.missing_columns)) {
        setMissing(err.body.missing_columns.map(String));
        setError(t("console.imports.wrongFile"));
      } else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="c-card" aria-labelledby={`imp-${kind}`} data-testid={`import-${kind}`}>
      <h2 id={`imp-${kind}`}>{t(`console.imports.${kind}`)}</h2>
      <p class="c-muted c-small-text">{t(`console.imports.${kind}Hint`)}</p>
      <form class="c-row" onSubmit={upload}>
        <label class="c-field">
          <span>{t("console.imports.file")}</span>
          <input
            type="file"
            name="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </label>
        <button type="submit" class="c-btn c-primary" disabled={!file || busy} data-testid="upload">
          {busy ? t("console.imports.uploading") : t("console.imports.upload")}
        </button>
      </form>
      {error && (
        <div class="c-error" role="alert" data-testid="import-error">
          <p>{error}</p>
          {missing.length > 0 && <p>{t("console.imports.missing", { columns: missing.join(", ") })}</p>}
        </div>
      )}
      {report && (
        <div data-testid="import-report">
          <div class="c-counts">
            {(["rows", "created", "updated", "unchanged", "failed"] as const).map((k) => (
              <div key={k} class={`c-count-box${k === "failed" && report[k] > 0 ? " warn" : ""}`} data-count-of={k} data-count={report[k]}>
                <span class="c-count-n">{report[k]}</span>
                <span class="c-count-l">{t(`console.imports.count.${k}`)}</span>
              </div>
            ))}
          </div>
          {report.errors.length > 0 ? (
            <DataTable
              rows={report.errors.map((e, i) => ({ ...e, key: String(i) }))}
              rowKey={(e) => e.key}
              filename={`import-${kind}-errors`}
              testId="import-errors"
              initialSort={{ key: "row", dir: "asc" }}
              columns={[
                { key: "row", label: t("console.imports.row"), value: (e) => e.row, numeric: true },
                { key: "column", label: t("console.imports.column"), value: (e) => e.column },
                { key: "message", label: t("console.imports.message"), value: (e) => e.message, wrap: true },
              ]}
            />
          ) : (
            <p class="c-ok-text">{t("console.imports.allGood")}</p>
          )}
        </div>
      )}
    </section>
  );
}

export function ImportsScreen() {
  return (
    <div class="c-screen" data-testid="imports-screen">
      <header class="c-head">
        <h1>{t("console.nav.imports")}</h1>
      </header>
      <div class="c-two">
        <ImportCard kind="loans" />
        <ImportCard kind="payments" />
      </div>
    </div>
  );
}
