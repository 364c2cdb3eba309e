// Chart.js, loaded only with the console's charts (its own chunk): bar charts with the value
// written on every bar (a tiny plugin, no extra package), no animation.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip, type Plugin } from "chart.js";
import type { ChartSpec } from "./chartSpec";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const FONT = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

const valueLabels: Plugin<"bar"> = {
  id: "valueLabels",
  afterDatasetsDraw(chart) {
    const texts = (chart.options.plugins as { valueLabels?: { texts: string[]; horizontal: boolean } }).valueLabels;
    if (!texts) return;
    const ctx = chart.ctx;
    const meta = chart.getDatasetMeta(0);
    ctx.save();
    ctx.font = `600 13px ${FONT}`;
    ctx.fillStyle = "#14202b";
    meta.data.forEach((bar, i) => {
      const text = texts.texts[i] ?? "";
      const { x, y, base } = bar.getProps(["x", "y", "base"], true) as { x: number; y: number; base: number };
      if (texts.horizontal) {
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        ctx.fillText(text, Math.max(x, base) + 6, y);
      } else {
        ctx.textAlign = "center";
        ctx.textBaseline = "bottom";
        ctx.fillText(text, x, Math.min(y, base) - 4);
      }
    });
    ctx.restore();
  },
};

export interface DrawnChart {
  update(spec: ChartSpec): void;
  destroy(): void;
}

export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): DrawnChart {
  const config = (s: ChartSpec) => ({
    labels: s.labels,
    datasets: [
      {
        data: s.values.map((v) => v ?? 0),
        backgroundColor: s.colour ?? "#0b5cad",
        borderRadius: 3,
        maxBarThickness: 56,
      },
    ],
  });
  const options = (s: ChartSpec) => ({
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    indexAxis: (s.horizontal ? "y" : "x") as "x" | "y",
    layout: { padding: s.horizontal ? { right: 90 } : { top: 24 } },
    scales: {
      [s.horizontal ? "x" : "y"]: {
        beginAtZero: true,
        ...(s.max !== undefined ? { max: s.max } : { grace: "12%" }),
        ticks: { font: { family: FONT, size: 12 }, color: "#4a5968" },
        grid: { color: "#e3e8ed" },
      },
      [s.horizontal ? "y" : "x"]: {
        ticks: { font: { family: FONT, size: 13 }, color: "#14202b", autoSkip: false },
        grid: { display: false },
      },
    },
    plugins: {
      legend: { display: false },
      tooltip: { callbacks: { label: (item: { dataIndex: number }) => s.texts[item.dataIndex] ?? "" } },
      valueLabels: { texts: s.texts, horizontal: !!s.horizontal },
    },
  });
  const chart = new Chart(canvas, {
    type: "bar",
    data: config(spec),
    options: options(spec) as never,
    plugins: [valueLabels],
  });
  return {
    update(s) {
      chart.data = config(s);
      chart.options = options(s) as never;
      chart.update();
    },
    destroy() {
      chart.destroy();
    },
  };
}
