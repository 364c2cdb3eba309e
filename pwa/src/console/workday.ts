// The working-day form: what the manager types, checked before it is sent (the server checks
// again and its message is shown as it comes). Pure (tested).
import type { MessageKey } from "../i18n";
import { isHhmm } from "../ui/borrowerFacts";
import type { Workday } from "./types";

export interface WorkdayForm {
  start: string;
  end: string;
  breaks: { start: string; end: string }[];
  /** Typed text: a whole number of minutes. */
  max: string;
}

export const MAX_BREAKS = 6;
export const MIN_WORK_MINUTES = 30;
export const MAX_WORK_MINUTES = 960;
export const DEFAULT_WORKDAY: Workday = { start: "08:30", end: "17:30", breaks: [{ start: "12:00", end: "13:00" }], max_work_minutes: 480 };

export function formFrom(w: Workday | null | undefined): WorkdayForm {
  const v = w ?? DEFAULT_WORKDAY;
  return { start: v.start, end: v.end, breaks: v.breaks.map((b) => ({ ...b })), max: String(v.max_work_minutes) };
}

export interface WorkdayProblem {
  /** "start", "end", "max" or "break.<i>". */
  field: string;
  key: MessageKey;
  params?: Record<string, string | number>;
}

/** Problems with the form (empty when it may be sent) and the body to send. */
export function checkWorkday(f: WorkdayForm): { problems: WorkdayProblem[]; value: Workday | null } {
  const problems: WorkdayProblem[] = [];
  const startOk = isHhmm(f.start);
  const endOk = isHhmm(f.end, true);
  if (!startOk) problems.push({ field: "start", key: "workday.badTime" });
  if (!endOk) problems.push({ field: "end", key: "workday.badTime" });
  if (startOk && endOk && f.start >= f.end) problems.push({ field: "end", key: "workday.endBeforeStart" });
  if (f.breaks.length > MAX_BREAKS) problems.push({ field: "breaks", key: "workday.tooManyBreaks", params: { n: MAX_BREAKS } });
  const ordered = f.breaks.map((b, i) => ({ ...b, i })).sort((a, b) => a.start.localeCompare(b.start));
  let lastEnd = "";
  for (const b of ordered) {
    const field = `break.${b.i}`;
    const n = b.i + 1;
    if (!isHhmm(b.start) || !isHhmm(b.end, true)) problems.push({ field, key: "workday.badBreakTime", params: { n } });
    else if (b.start >= b.end) problems.push({ field, key: "workday.breakBackwards", params: { n } });
    else if (startOk && endOk && (b.start < f.start || b.end > f.end)) problems.push({ field, key: "workday.breakOutside", params: { n } });
    else if (lastEnd && b.start < lastEnd) problems.push({ field, key: "workday.breakOverlap", params: { n } });
    if (isHhmm(b.end, true) && b.end > lastEnd) lastEnd = b.end;
  }
  const max = f.max.trim();
  const minutes = /^\d{1,4}$/.test(max) ? Number(max) : Number.NaN;
  if (!(minutes >= MIN_WORK_MINUTES && minutes <= MAX_WORK_MINUTES)) {
    problems.push({ field: "max", key: "workday.badMax", params: { min: MIN_WORK_MINUTES, max: MAX_WORK_MINUTES } });
  }
  if (problems.length) return { problems, value: null };
  return {
    problems,
    value: {
      start: f.start,
      end: f.end,
      breaks: [...f.breaks].sort((a, b) => a.start.localeCompare(b.start)).map((b) => ({ start: b.start, end: b.end })),
      max_work_minutes: minutes,
    },
  };
}

/** Minutes between two HH:MM (for "8 h 0 min of work"). */
export function minutesBetween(a: string, b: string): number {
  const m = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  return m(b) - m(a);
}

/** "08:30–17:30 · 午休 12:00–13:00" style summary parts for the officers' table. */
export function workdaySummary(w: Workday): { hours: string; breaks: string[] } {
  return { hours: `${w.start}–${w.end}`, breaks: w.breaks.map((b) => `${b.start}–${b.end}`) };
}
