// One chart = one question, its numbers written on it, its table one click away.
export interface ChartSpec {
  id: string;
  question: string;
  labels: string[];
  /** The plotted numbers (null: nothing to show for that group). */
  values: (number | null)[];
  /** The text written on each bar. */
  texts: string[];
  /** Axis maximum (100 for percentages), or undefined to fit. */
  max?: number;
  colour?: string;
  horizontal?: boolean;
  /** The table behind the chart. */
  table: { headers: string[]; rows: string[][] };
}

/** A short text for screen readers: "question: a 45.0%, b 12.0%". */
export function describe(spec: ChartSpec): string {
  return `${spec.question} ${spec.labels.map((l, i) => `${l} ${spec.texts[i] ?? ""}`).join("; ")}`;
}
