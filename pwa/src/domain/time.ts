// Times are stored in UTC and shown in the branch's time zone, 24 h.

export const DEFAULT_TZ = "Asia/Shanghai";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-CA", {
        timeZone: tz,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
    } catch {
      return formatter(DEFAULT_TZ); // an unknown zone name from the server
    }
    formatters.set(tz, f);
  }
  return f;
}

/** The local calendar date ("YYYY-MM-DD") and clock time ("HH:MM") in `tz`. */
export function localParts(at: Date | string, tz: string): { date: string; time: string } {
  const d = typeof at === "string" ? new Date(at) : at;
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(d)) parts[p.type] = p.value;
  const hour = parts.hour === "24" ? "00" : parts.hour;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${hour}:${parts.minute}` };
}

export function todayIn(tz: string, now: Date = new Date()): string {
  return localParts(now, tz).date;
}

/** Is `now` inside [start, end) of the lawful visiting hours, in the branch's zone? */
export function withinHours(now: Date, tz: string, hours: { start: string; end: string }): boolean {
  const t = localParts(now, tz).time;
  if (hours.start <= hours.end) return t >= hours.start && t < hours.end;
  return t >= hours.start || t < hours.end; // a window across midnight
}

export function isHoliday(now: Date, tz: string, holidays: readonly string[]): boolean {
  return holidays.includes(localParts(now, tz).date);
}

/** Add days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
