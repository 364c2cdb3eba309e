import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n";
import { describe, type ChartSpec } from "./chartSpec";
import type { DrawnChart } from "./chartjs";

/** A chart card: the question as its title, the numbers on the bars, its table one click away. */
export function BarChart({ spec, height }: { spec: ChartSpec; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawn = useRef<DrawnChart | null>(null);
  const [showTable, setShowTable] = useState(false);
  const [failed, setFailed] = useState(false);
  const h = height ?? (spec.horizontal ? Math.max(140, 38 * spec.labels.length + 40) : 240);

  useEffect(() => {
    if (showTable) return;
    let alive = true;
    import("./chartjs").then(
      (m) => {
        if (!alive || !canvas.current) return;
        drawn.current = m.drawChart(canvas.current, spec);
      },
      () => alive && setFailed(true),
    );
    return () => {
      alive = false;
      drawn.current?.destroy();
      drawn.current = null;
    };
  }, [showTable]);

  useEffect(() => {
    drawn.current?.update(spec);
  }, [spec]);

  return (
    <figure class="c-chart" data-testid="chart" data-chart={spec.id}>
      <figcaption>
        <h3>{spec.question}</h3>
        <button type="button" class="c-btn c-small" aria-pressed={showTable} onClick={() => setShowTable((v) => !v)} data-testid="chart-toggle">
          {showTable ? t("console.chart.showChart") : t("console.chart.showTable")}
        </button>
      </figcaption>
      {showTable ? (
        <table class="c-table c-chart-table" data-testid="chart-table">
          <thead>
            <tr>
              {spec.table.headers.map((hd) => (
                <th key={hd} scope="col">
                  {hd}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {spec.table.rows.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (
                  <td key={j} class={j > 0 ? "num" : ""}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div class="c-chart-canvas" style={{ height: `${h}px` }}>
          <canvas ref={canvas} role="img" aria-label={describe(spec)} />
        </div>
      )}
      {!showTable && (
        // The numbers in text too (for copy, search and screen readers without the canvas).
        <p class="sr-only" data-testid="chart-values">
          {describe(spec)}
        </p>
      )}
      {failed && <p class="c-error">{t("console.chart.failed")}</p>}
    </figure>
  );
}
