// What the plan screen computes, with no UI and no requests: the candidate filters and the
// selection, teams, the new plan's request, routes as the visits now stand, the plan's
// figures, what was left out, and the map. Tested in tests/console/screens/plan/plan.test.ts.
import { t, type Lang } from "../../../i18n";
import { provenance } from "../../../ui/borrowerFacts";
import { colourFor, routeColours } from "../../colours";
import type { MapModel, MapStop } from "../../components/mapModel";
import { yuanToFen } from "../../format";
import type {
  Bucket,
  Candidate,
  CandidateFilters,
  DayView,
  DayVisit,
  PlanCreate,
  PlanMove,
  PlanPublic,
  RouteSummary,
  Segment,
  Unassigned,
  UserPublic,
  VisitPublic,
} from "../../types";

/** Candidates per page. */
export const PAGE = 100;
export const BUCKETS: readonly Bucket[] = ["M1", "M2", "M3", "M3+"];
export const SEGMENTS: readonly Segment[] = ["farmer", "small_business", "individual_trader"];

/** A reason in the language (the Chinese text falls back to the English one). */
export function reasonText(r: { text: string; text_zh: string }, lang: Lang): string {
  return lang === "en" ? r.text : r.text_zh || r.text;
}

/** "Name + Name" of a team; an officer not in the list by the start of the id. */
export function teamNames(ids: readonly string[], users: readonly UserPublic[] | undefined): string {
  return ids.map((id) => users?.find((u) => u.id === id)?.full_name ?? id.slice(0, 8)).join(" + ");
}

// ---- Candidate filters and the selection ---------------------------------------------------

/** The filter form as typed (amounts in yuan, as text). */
export interface FilterForm {
  bucket: Bucket | "";
  segment: Segment | "";
  village: string;
  minYuan: string;
  maxYuan: string;
  officer: string;
}

export const EMPTY_FILTERS: FilterForm = { bucket: "", segment: "", village: "", minYuan: "", maxYuan: "", officer: "" };

/** A select's value as a bucket ("" for all, or anything else). */
export function parseBucket(value: string): Bucket | "" {
  return BUCKETS.find((b) => b === value) ?? "";
}

export function parseSegment(value: string): Segment | "" {
  return SEGMENTS.find((s) => s === value) ?? "";
}

/** Both amounts empty or money (the form cannot be applied otherwise). */
export function amountsValid(f: FilterForm): boolean {
  return yuanToFen(f.minYuan) !== undefined && yuanToFen(f.maxYuan) !== undefined;
}

/** The query for a page of candidates; null while an amount is not money. */
export function toFilters(f: FilterForm, offset: number): CandidateFilters | null {
  const min = yuanToFen(f.minYuan);
  const max = yuanToFen(f.maxYuan);
  if (min === undefined || max === undefined) return null;
  return {
    bucket: f.bucket || undefined,
    segment: f.segment || undefined,
    village: f.village.trim() || undefined,
    min_overdue_fen: min,
    max_overdue_fen: max,
    officer_id: f.officer || undefined,
    limit: PAGE,
    offset,
  };
}

/**
 * The selection after ticking (`on`) or unticking rows. It keeps borrowers of other pages and
 * filters, so a filter narrows the list without losing what was chosen.
 */
export function toggleSelection(
  selected: ReadonlyMap<string, Candidate>,
  items: readonly Candidate[],
  keys: readonly string[],
  on: boolean,
): Map<string, Candidate> {
  const next = new Map(selected);
  for (const key of keys) {
    const c = items.find((i) => i.borrower_id === key);
    if (on && c) next.set(key, c);
    else next.delete(key);
  }
  return next;
}

/** The pager's figures: "first–last / total" and whether there is a page before or after. */
export function pageOf(offset: number, total: number): { first: number; last: number; hasPrev: boolean; hasNext: boolean } {
  return { first: offset + 1, last: Math.min(offset + PAGE, total), hasPrev: offset > 0, hasNext: offset + PAGE < total };
}

// ---- Teams of a new plan -------------------------------------------------------------------

/** Which team (index) each officer is in: an officer is in one team at most. */
export function teamOf(teams: readonly (readonly string[])[]): Map<string, number> {
  const used = new Map<string, number>();
  teams.forEach((team, i) => team.forEach((id) => used.set(id, i)));
  return used;
}

/** Add the officer to team `i` (last: the first one added leads), or take them out. */
export function toggleMember(teams: readonly (readonly string[])[], i: number, id: string): string[][] {
  const next = teams.map((tm) => [...tm]);
  const team = teams[i] ?? [];
  next[i] = team.includes(id) ? team.filter((x) => x !== id) : [...team, id];
  return next;
}

export function removeTeam(teams: readonly string[][], i: number): string[][] {
  return teams.filter((_, j) => j !== i);
}

/** The teams with somebody in them (empty ones are left out of the plan). */
export function filledTeams(teams: readonly string[][]): string[][] {
  return teams.filter((tm) => tm.length > 0);
}

// ---- The new plan --------------------------------------------------------------------------

export interface NewPlanInput {
  date: string;
  teams: readonly string[][];
  /** Borrowers chosen by hand (in the order chosen). */
  selected: readonly string[];
  /** Let the server choose the borrowers (the best `limit` candidates). */
  auto: boolean;
  limit: string;
  /** The solver's search time in seconds, as typed ("" for the server's default). */
  seconds: string;
}

/** A plan needs a team and borrowers: chosen by hand, or left to the server. */
export function canCreatePlan(input: NewPlanInput): boolean {
  return filledTeams(input.teams).length > 0 && (input.selected.length > 0 || input.auto);
}

/** The request: chosen borrowers unless `auto`; the limit and search time kept in range. */
export function newPlanBody(input: NewPlanInput): PlanCreate {
  const time = Number(input.seconds);
  return {
    plan_date: input.date,
    teams: filledTeams(input.teams),
    ...(input.selected.length > 0 && !input.auto
      ? { borrower_ids: [...input.selected] }
      : { auto: true, limit: Math.max(1, Number(input.limit) || 20) }),
    ...(input.seconds && time > 0 ? { time_limit_s: Math.min(60, Math.max(0.1, time)) } : {}),
  };
}

// ---- Routes --------------------------------------------------------------------------------

/** A route as the screen shows it: its team's visits in order and the summary's figures. */
/** A route's figures: a team that has no route in the summary yet (a visit was moved to it
 * after the plan was optimised) has only what the visits give. */
export type RouteFigures = Pick<RouteSummary, "officer_ids" | "visit_ids" | "distance_m" | "duration_s"> &
  Partial<RouteSummary>;

export interface RouteView {
  key: string;
  colour: string;
  summary: RouteFigures;
  name: string;
  visits: VisitPublic[];
}

const LAST = 1e9;
const keyOf = (ids: readonly string[]) => ids.join("+");

/**
 * Routes as the visits now stand: a visit belongs to its team (moved visits show in their new
 * team at once, before the plan is optimised again), in route order; the figures per route
 * come from the plan's summary.
 */
export function buildRoutes(plan: PlanPublic, users: readonly UserPublic[] | undefined): RouteView[] {
  const summaries = plan.summary.routes ?? [];
  const visits = (plan.visits ?? []).filter((v) => v.status !== "cancelled");
  const teams: string[][] = summaries.map((r) => r.officer_ids);
  for (const v of visits) if (!teams.some((tm) => keyOf(tm) === keyOf(v.officer_ids))) teams.push(v.officer_ids);
  const colours = routeColours(teams);
  const order = new Map<string, number>();
  summaries.forEach((r) => r.visit_ids.forEach((id, i) => order.set(id, i)));
  return teams.map((team) => {
    const key = keyOf(team);
    const summary = summaries.find((r) => keyOf(r.officer_ids) === key) ?? ({ officer_ids: team, visit_ids: [], distance_m: 0, duration_s: 0 } satisfies RouteFigures);
    const mine = visits
      .filter((v) => keyOf(v.officer_ids) === key)
      .sort((a, b) => (a.route_position ?? LAST) - (b.route_position ?? LAST) || (order.get(a.id) ?? LAST) - (order.get(b.id) ?? LAST));
    return { key, colour: colourFor(colours, team), summary, name: teamNames(team, users), visits: mine };
  });
}

/** Metres as kilometres with one decimal, as the plan writes distances. */
export function km(metres: number): string {
  return (metres / 1000).toFixed(1);
}

/** The plan's head: how many visits and routes, how far, the saving, how many left out. */
export interface PlanFigures {
  visits: number;
  routes: number;
  distanceKm: string;
  /** Kilometres saved against the clerk's order; null when the summary has none. */
  savedKm: string | null;
  leftOut: number;
}

export function planFigures(plan: PlanPublic, routes: readonly RouteView[]): PlanFigures {
  const s = plan.summary;
  return {
    visits: s.visits ?? plan.visits?.length ?? 0,
    routes: routes.length,
    distanceKm: km(s.distance_m ?? 0),
    savedKm: s.saved_km !== undefined ? s.saved_km.toFixed(1) : null,
    leftOut: (s.unassigned ?? []).length,
  };
}

// ---- Names and places of the visits (from the day view) ------------------------------------

/** The day view's visits by id: names and places for the plan's visits. */
export function dayVisits(day: DayView | undefined): Map<string, DayVisit> {
  const m = new Map<string, DayVisit>();
  for (const r of day?.routes ?? []) for (const v of r.visits) m.set(v.id, v);
  return m;
}

/** A visit by its borrower's name, or the start of the borrower's id before the names load. */
export function visitLabel(v: VisitPublic, info: ReadonlyMap<string, DayVisit>): string {
  return info.get(v.id)?.borrower_name ?? v.borrower_id.slice(0, 8);
}

// ---- Left out ------------------------------------------------------------------------------

/** A borrower the solver could not fit (`b-`) or a planned visit it could not schedule (`v-`). */
export interface LeftOutRow {
  id: string;
  name: string;
  score: number | null;
  why: string;
  code: string;
}

export interface LeftOutWords {
  unassigned: (u: Unassigned) => string;
  unscheduled: (code: string) => string;
}

export function leftOutRows(plan: PlanPublic, info: ReadonlyMap<string, DayVisit>, words: LeftOutWords): LeftOutRow[] {
  const visitsById = new Map((plan.visits ?? []).map((v) => [v.id, v]));
  return [
    ...(plan.summary.unassigned ?? []).map((u) => ({ id: `b-${u.borrower_id}`, name: u.name, score: u.score, why: words.unassigned(u), code: u.reason })),
    ...(plan.summary.unscheduled ?? []).map((u) => {
      const v = visitsById.get(u.visit_id);
      return {
        id: `v-${u.visit_id}`,
        name: v ? visitLabel(v, info) : u.visit_id.slice(0, 8),
        score: v?.priority ?? null,
        why: words.unscheduled(u.reason),
        code: u.reason,
      };
    }),
  ];
}

// ---- The map -------------------------------------------------------------------------------

/** Where routes start: the day view's branch, else the branch's own record. */
export type Home = { name: string; lat: number; lon: number };

/**
 * The routes on the map: the stops with a known place, numbered by route position (or the
 * order in the list before the plan is optimised); null until the branch is known.
 */
export function planMapModel(
  routes: readonly RouteView[],
  info: ReadonlyMap<string, DayVisit>,
  home: Home | null,
  timeOf: (iso: string) => string,
  /** How the stop's place is known ("位置：导入地址 · 门牌"), for the popup. */
  placeOf?: (d: DayVisit) => string,
): MapModel | null {
  if (!home) return null;
  const stop = (v: VisitPublic, i: number): MapStop | null => {
    const d = info.get(v.id);
    if (!d || d.lat === null || d.lon === null) return null;
    const n = v.route_position ?? i + 1;
    const place = placeOf?.(d) ?? "";
    return {
      id: v.id,
      lat: d.lat,
      lon: d.lon,
      label: String(n),
      title: `${n}. ${d.borrower_name} · ${d.village}${v.planned_arrival ? ` · ${timeOf(v.planned_arrival)}` : ""}${place ? ` · ${place}` : ""}`,
      status: v.status,
      pinned: v.pinned,
    };
  };
  return {
    branch: { name: home.name, lat: home.lat, lon: home.lon },
    routes: routes.map((r) => ({
      key: r.key,
      colour: r.colour,
      name: r.name,
      stops: r.visits.map(stop).filter((s): s is MapStop => s !== null),
    })),
  };
}

// ---- Which plan ----------------------------------------------------------------------------

/** The plan chosen, if it is among the date's plans; else the newest (first). */
export function chosenPlan<P extends { id: string }>(plans: readonly P[], planId: string | null): P | null {
  return plans.find((p) => p.id === planId) ?? plans[0] ?? null;
}

// ---- Issue 14: moves after a re-optimise, visits whose address is to be found ---------------

/** A visit assigned by hand to an unlocated borrower: no ETA, the officer finds the house. */
export function isFindAddress(v: { reasons?: readonly { code: string }[] | null }): boolean {
  return (v.reasons ?? []).some((r) => r.code === "find_address");
}

/** The last optimise's moves (summary.moves, absent on servers before issue 14). */
export function planMoves(plan: PlanPublic): PlanMove[] {
  const raw = (plan.summary as { moves?: unknown }).moves;
  return Array.isArray(raw) ? (raw as PlanMove[]) : [];
}

/** The popup's provenance line of a stop. */
export function stopPlace(d: DayVisit, lang: Lang): string {
  return d.location_source ? provenance(d, lang).line : "";
}

/**
 * "3 visits moved: 张三 route 1 -> 2, …" (null when nothing moved). Routes are named by
 * `routeName` (the team, as the route cards show it), else numbered from 1 (the summary
 * indexes them from 0).
 */
export function movesText(
  moves: readonly PlanMove[],
  lang: Lang,
  routeName?: (index: number) => string | undefined,
): string | null {
  if (moves.length === 0) return null;
  const route = (n: number | null) =>
    n === null ? t("console.plan.moveNone", undefined, lang) : (routeName?.(n) ?? String(n + 1));
  const list = moves.map((m) => t("console.plan.moveLine", { name: m.borrower_name, from: route(m.from_route), to: route(m.to_route) }, lang));
  return t("console.plan.moves", { n: moves.length, list: list.join(t("common.listSep", undefined, lang)) }, lang);
}
