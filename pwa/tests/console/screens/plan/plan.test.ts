import { describe, expect, it } from "vitest";
import { ROUTE_COLOURS } from "../../../../src/console/colours";
import {
  amountsValid,
  buildRoutes,
  canCreatePlan,
  chosenPlan,
  dayVisits,
  EMPTY_FILTERS,
  filledTeams,
  km,
  leftOutRows,
  newPlanBody,
  PAGE,
  pageOf,
  parseBucket,
  parseSegment,
  planFigures,
  planMapModel,
  reasonText,
  removeTeam,
  teamNames,
  teamOf,
  toFilters,
  toggleMember,
  toggleSelection,
  visitLabel,
  type NewPlanInput,
} from "../../../../src/console/screens/plan/plan";
import type { Candidate, DayView, DayVisit, PlanPublic, PlanSummary, RouteSummary, UserPublic, VisitPublic } from "../../../../src/console/types";

// ---- Fixtures ----------------------------------------------------------------------------

function user(id: string, full_name: string): UserPublic {
  return { id, username: id, full_name, role: "officer", branch_id: "br", phone: "" };
}

const USERS = [user("lead-a", "王芳"), user("a2", "李强"), user("lead-b", "杨兰英"), user("b2", "赵磊")];

function visit(id: string, officer_ids: string[], patch: Partial<VisitPublic> = {}): VisitPublic {
  return {
    id,
    plan_id: "p1",
    borrower_id: `borrower-${id}`,
    officer_id: officer_ids[0] ?? "",
    officer_ids,
    loan_ids: [],
    plan_date: "2026-11-24",
    route_position: null,
    window_start: null,
    window_end: null,
    planned_arrival: null,
    leg_distance_m: null,
    status: "planned",
    priority: 40,
    reasons: [],
    pinned: false,
    checked_in_at: null,
    checked_out_at: null,
    version: 1,
    ...patch,
  };
}

/** A summary with only the parts a test is about: plan.ts reads every part defensively. */
type SummaryPart = Omit<Partial<PlanSummary>, "routes"> & { routes?: Partial<RouteSummary>[] };

function plan(visits: VisitPublic[], summary: SummaryPart = {}): PlanPublic {
  return {
    id: "p1",
    plan_date: "2026-11-24",
    status: "draft",
    created_by: "m",
    created_at: "2026-11-23T02:00:00Z",
    version: 1,
    summary: summary as PlanSummary,
    visits,
  };
}

function candidate(borrower_id: string): Candidate {
  return {
    borrower_id,
    name: borrower_id,
    village: "",
    address: "",
    segment: "farmer",
    lat: null,
    lon: null,
    loan_ids: [],
    account_numbers: [],
    overdue_fen: 0,
    outstanding_fen: 0,
    dpd: 40,
    bucket: "M2",
    score: 10,
    reasons: [],
    last_visit_on: null,
    last_contact_on: null,
    held: false,
  };
}

function dayVisit(id: string, patch: Partial<DayVisit> = {}): DayVisit {
  return {
    id,
    position: null,
    borrower_id: `borrower-${id}`,
    borrower_name: `name-${id}`,
    village: `village-${id}`,
    location_source: null,
    location_precision: null,
    lat: 37.4,
    lon: 116.6,
    safety_flags: [],
    status: "planned",
    window_start: null,
    window_end: null,
    planned_arrival: null,
    checked_in_at: null,
    check_in_location: null,
    checked_out_at: null,
    flags: [],
    overdue_checkout: false,
    priority: 0,
    leg_distance_m: null,
    check_out_location: null,
    ...patch,
  };
}

// ---- Words and names ---------------------------------------------------------------------

describe("reasons and names", () => {
  it("writes a reason in the language, Chinese falling back to English", () => {
    expect(reasonText({ text: "45 days late", text_zh: "逾期45天" }, "en")).toBe("45 days late");
    expect(reasonText({ text: "45 days late", text_zh: "逾期45天" }, "zh-CN")).toBe("逾期45天");
    expect(reasonText({ text: "45 days late", text_zh: "" }, "zh-CN")).toBe("45 days late");
  });
  it("names a team lead first, an unknown officer by the start of the id", () => {
    expect(teamNames(["lead-a", "a2"], USERS)).toBe("王芳 + 李强");
    expect(teamNames(["0123456789abcdef"], USERS)).toBe("01234567");
    expect(teamNames(["lead-a"], undefined)).toBe("lead-a");
  });
  it("writes metres as kilometres with one decimal", () => {
    expect(km(12_345)).toBe("12.3");
    expect(km(0)).toBe("0.0");
  });
});

// ---- Candidate filters and the selection -------------------------------------------------

describe("candidate filters", () => {
  it("sends only what is filled in, amounts in fen, one page at the offset", () => {
    expect(toFilters(EMPTY_FILTERS, 0)).toEqual({
      bucket: undefined,
      segment: undefined,
      village: undefined,
      min_overdue_fen: null,
      max_overdue_fen: null,
      officer_id: undefined,
      limit: PAGE,
      offset: 0,
    });
    const f = toFilters({ bucket: "M2", segment: "farmer", village: "  张庄 ", minYuan: "1,000", maxYuan: "¥2000.5", officer: "u1" }, 200);
    expect(f).toEqual({
      bucket: "M2",
      segment: "farmer",
      village: "张庄",
      min_overdue_fen: 100_000,
      max_overdue_fen: 200_050,
      officer_id: "u1",
      limit: PAGE,
      offset: 200,
    });
  });
  it("does not query while an amount is not money", () => {
    const bad = { ...EMPTY_FILTERS, minYuan: "12x" };
    expect(amountsValid(bad)).toBe(false);
    expect(toFilters(bad, 0)).toBeNull();
    expect(amountsValid({ ...EMPTY_FILTERS, maxYuan: "1.234" })).toBe(false);
    expect(amountsValid({ ...EMPTY_FILTERS, minYuan: "12.5" })).toBe(true);
  });
  it("reads the selects' values, anything unknown as all", () => {
    expect(parseBucket("M3+")).toBe("M3+");
    expect(parseBucket("M9")).toBe("");
    expect(parseSegment("small_business")).toBe("small_business");
    expect(parseSegment("")).toBe("");
  });
  it("pages by a hundred", () => {
    expect(pageOf(0, 250)).toEqual({ first: 1, last: 100, hasPrev: false, hasNext: true });
    expect(pageOf(200, 250)).toEqual({ first: 201, last: 250, hasPrev: true, hasNext: false });
  });
});

describe("selection", () => {
  const page = [candidate("b1"), candidate("b2"), candidate("b3")];
  it("adds ticked rows of the page and keeps those of other pages", () => {
    const before = new Map([["elsewhere", candidate("elsewhere")]]);
    const after = toggleSelection(before, page, ["b1", "b3"], true);
    expect([...after.keys()]).toEqual(["elsewhere", "b1", "b3"]);
    expect(before.size).toBe(1); // a new map: the old one is state
  });
  it("removes unticked rows, and never adds a row it does not have", () => {
    const before = new Map([["b1", candidate("b1")]]);
    expect([...toggleSelection(before, page, ["b1"], false).keys()]).toEqual([]);
    expect([...toggleSelection(before, page, ["gone"], true).keys()]).toEqual(["b1"]);
  });
});

// ---- Teams and the new plan --------------------------------------------------------------

describe("teams", () => {
  it("adds officers in order (the first leads) and takes them out again", () => {
    let teams: string[][] = [[]];
    teams = toggleMember(teams, 0, "lead-a");
    teams = toggleMember(teams, 0, "a2");
    expect(teams).toEqual([["lead-a", "a2"]]);
    teams = toggleMember(teams, 0, "lead-a");
    expect(teams).toEqual([["a2"]]);
  });
  it("knows which team each officer is in", () => {
    const used = teamOf([["lead-a", "a2"], [], ["lead-b"]]);
    expect(used.get("a2")).toBe(0);
    expect(used.get("lead-b")).toBe(2);
    expect(used.has("b2")).toBe(false);
  });
  it("removes a team and leaves empty ones out of the plan", () => {
    expect(removeTeam([["a"], ["b"], ["c"]], 1)).toEqual([["a"], ["c"]]);
    expect(filledTeams([["a"], [], ["c"]])).toEqual([["a"], ["c"]]);
  });
});

describe("new plan", () => {
  const base: NewPlanInput = { date: "2026-11-24", teams: [["lead-a", "a2"], []], selected: ["b1", "b2"], auto: false, limit: "20", seconds: "" };
  it("needs a team, and borrowers chosen or left to the server", () => {
    expect(canCreatePlan(base)).toBe(true);
    expect(canCreatePlan({ ...base, teams: [[]] })).toBe(false);
    expect(canCreatePlan({ ...base, selected: [] })).toBe(false);
    expect(canCreatePlan({ ...base, selected: [], auto: true })).toBe(true);
  });
  it("sends the borrowers chosen and the filled teams", () => {
    expect(newPlanBody(base)).toEqual({ plan_date: "2026-11-24", teams: [["lead-a", "a2"]], borrower_ids: ["b1", "b2"] });
  });
  it("lets the server choose when asked, or when nobody is chosen (at least one, 20 by default)", () => {
    expect(newPlanBody({ ...base, auto: true, limit: "35" })).toMatchObject({ auto: true, limit: 35 });
    expect(newPlanBody({ ...base, auto: true, limit: "35" })).not.toHaveProperty("borrower_ids");
    expect(newPlanBody({ ...base, selected: [], limit: "" })).toMatchObject({ auto: true, limit: 20 });
    expect(newPlanBody({ ...base, auto: true, limit: "-4" })).toMatchObject({ limit: 1 });
  });
  it("keeps the search time between 0.1 and 60 seconds, and leaves it out when not given", () => {
    expect(newPlanBody({ ...base, seconds: "1" }).time_limit_s).toBe(1);
    expect(newPlanBody({ ...base, seconds: "600" }).time_limit_s).toBe(60);
    expect(newPlanBody({ ...base, seconds: "0.01" }).time_limit_s).toBe(0.1);
    expect(newPlanBody({ ...base, seconds: "0" })).not.toHaveProperty("time_limit_s");
    expect(newPlanBody({ ...base, seconds: "abc" })).not.toHaveProperty("time_limit_s");
  });
});

// ---- Routes ------------------------------------------------------------------------------

describe("routes", () => {
  const teamA = ["lead-a", "a2"];
  const teamB = ["lead-b", "b2"];
  const summary: SummaryPart = {
    routes: [
      { officer_ids: teamA, visit_ids: ["v1", "v2", "v3"], distance_m: 12_000, duration_s: 3_600, saved_km: 1.5 },
      { officer_ids: teamB, visit_ids: ["v4"], distance_m: 8_000, duration_s: 1_800 },
    ],
    distance_m: 20_000,
    saved_km: 2.25,
    visits: 4,
    unassigned: [{ borrower_id: "bx", name: "孙七", score: 12, reason: "capacity", text: "No room", text_zh: "排不下" }],
    unscheduled: [{ visit_id: "v3", reason: "window" }],
  };

  it("groups visits by team in route order, the summary's order before positions exist", () => {
    const p = plan(
      [
        visit("v2", teamA, { route_position: 2 }),
        visit("v1", teamA, { route_position: 1 }),
        visit("v3", teamA),
        visit("v4", teamB, { route_position: 1 }),
        visit("v5", teamB, { status: "cancelled" }),
      ],
      summary,
    );
    const routes = buildRoutes(p, USERS);
    expect(routes.map((r) => r.key)).toEqual(["lead-a+a2", "lead-b+b2"]);
    expect(routes[0]?.visits.map((v) => v.id)).toEqual(["v1", "v2", "v3"]);
    expect(routes[1]?.visits.map((v) => v.id)).toEqual(["v4"]); // cancelled visits are not on a route
    expect(routes[0]?.name).toBe("王芳 + 李强");
    expect(routes[0]?.summary.distance_m).toBe(12_000);
  });

  it("shows a moved visit with its new team at once, a new team with empty figures", () => {
    const teamC = ["b2"];
    const p = plan([visit("v1", teamA), visit("v2", teamC, { pinned: true })], summary);
    const routes = buildRoutes(p, USERS);
    expect(routes.map((r) => r.key)).toEqual(["lead-a+a2", "lead-b+b2", "b2"]);
    expect(routes[2]?.visits.map((v) => v.id)).toEqual(["v2"]);
    expect(routes[2]?.summary).toEqual({ officer_ids: teamC, visit_ids: [], distance_m: 0, duration_s: 0 });
    expect(routes[1]?.visits).toEqual([]);
  });

  it("gives each route its own colour, the same whatever the order", () => {
    const one = buildRoutes(plan([visit("v1", teamA), visit("v4", teamB)], summary), USERS);
    const two = buildRoutes(plan([visit("v4", teamB), visit("v1", teamA)], { routes: [...(summary.routes ?? [])].reverse() }), USERS);
    expect(new Set(one.map((r) => r.colour)).size).toBe(2);
    expect(one.map((r) => r.colour)).toEqual([...two.map((r) => r.colour)].reverse());
    expect(ROUTE_COLOURS).toContain(one[0]?.colour);
  });

  it("sums up the plan for its head", () => {
    const p = plan([visit("v1", teamA), visit("v4", teamB)], summary);
    expect(planFigures(p, buildRoutes(p, USERS))).toEqual({ visits: 4, routes: 2, distanceKm: "20.0", savedKm: "2.3", leftOut: 1 });
    const bare = plan([visit("v1", teamA)]);
    expect(planFigures(bare, buildRoutes(bare, USERS))).toEqual({ visits: 1, routes: 1, distanceKm: "0.0", savedKm: null, leftOut: 0 });
  });

  it("lists what was left out: borrowers not fitted, then visits not scheduled", () => {
    const p = plan([visit("v3", teamA, { priority: 33 })], summary);
    const info = new Map([["v3", dayVisit("v3", { borrower_name: "周八" })]]);
    const rows = leftOutRows(p, info, { unassigned: (u) => `U:${u.text}`, unscheduled: (code) => `S:${code}` });
    expect(rows).toEqual([
      { id: "b-bx", name: "孙七", score: 12, why: "U:No room", code: "capacity" },
      { id: "v-v3", name: "周八", score: 33, why: "S:window", code: "window" },
    ]);
    const unknown = leftOutRows(plan([], { unscheduled: [{ visit_id: "0123456789", reason: "x" }] }), new Map(), { unassigned: () => "", unscheduled: (c) => c });
    expect(unknown).toEqual([{ id: "v-0123456789", name: "01234567", score: null, why: "x", code: "x" }]);
  });
});

// ---- Places and the map ------------------------------------------------------------------

describe("map and places", () => {
  const day: DayView = {
    date: "2026-11-24",
    generated_at: "2026-11-23T02:00:00Z",
    branch: { id: "b1", name: "陵城支行", lat: 37.3, lon: 116.5 },
    routes: [
      { officer_ids: ["lead-a"], officer_names: ["王芳"], distance_m: 0, visits: [dayVisit("v1"), dayVisit("v2", { lat: null })] },
      { officer_ids: ["lead-b"], officer_names: ["杨兰英"], distance_m: 0, visits: [dayVisit("v3")] },
    ],
    alerts: [],
    counts: {},
    review_waiting: 0,
  };

  it("finds the day's visits by id and labels visits by borrower", () => {
    const info = dayVisits(day);
    expect([...info.keys()]).toEqual(["v1", "v2", "v3"]);
    expect(dayVisits(undefined).size).toBe(0);
    expect(visitLabel(visit("v1", ["lead-a"]), info)).toBe("name-v1");
    expect(visitLabel(visit("zz", ["lead-a"], { borrower_id: "abcdefghijk" }), info)).toBe("abcdefgh");
  });

  it("puts the stops with a place on the map, numbered by position or list order", () => {
    const p = plan([
      visit("v1", ["lead-a"], { route_position: 3, planned_arrival: "2026-11-24T01:30:00Z", pinned: true }),
      visit("v2", ["lead-a"]),
      visit("v3", ["lead-b"]),
    ]);
    const routes = buildRoutes(p, USERS);
    const model = planMapModel(routes, dayVisits(day), day.branch, (iso) => `T(${iso})`);
    expect(model?.branch).toEqual({ name: "陵城支行", lat: 37.3, lon: 116.5 });
    expect(model?.routes.map((r) => r.stops.map((s) => s.label))).toEqual([["3"], ["1"]]); // v2 has no place
    expect(model?.routes[0]?.stops[0]).toEqual({
      id: "v1",
      lat: 37.4,
      lon: 116.6,
      label: "3",
      title: "3. name-v1 · village-v1 · T(2026-11-24T01:30:00Z)",
      status: "planned",
      pinned: true,
    });
    expect(planMapModel(routes, dayVisits(day), null, String)).toBeNull();
  });
});

describe("which plan", () => {
  const plans = [{ id: "newest" }, { id: "older" }];
  it("keeps the plan chosen if the date has it, else takes the newest", () => {
    expect(chosenPlan(plans, "older")?.id).toBe("older");
    expect(chosenPlan(plans, "other-date")?.id).toBe("newest");
    expect(chosenPlan(plans, null)?.id).toBe("newest");
    expect(chosenPlan([], "older")).toBeNull();
  });
});
