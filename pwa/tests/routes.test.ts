// Routes on the phone: stored as the server sends them, read by day, with the server's
// figures (never a sum of legs made here).
import { describe, expect, it } from "vitest";
import { applyPull, signOutLocal, type PullPage } from "../src/data/apply";
import { refOf } from "../src/data/keys";
import { getDayRoutes } from "../src/data/queries";
import type { Route } from "../src/data/types";
import { BORROWER_ID, borrowerData, dbsPerTest, del, put, referenceChanges, VISIT_ID, visitData } from "./helpers";

const db = dbsPerTest();

const PLAN = "p0000000-0000-4000-8000-000000000001";
const ROUTE_ID = `${PLAN}:0`;

function routeData(patch: Partial<Route> = {}): Route {
  return {
    id: ROUTE_ID,
    plan_id: PLAN,
    route: 0,
    plan_date: "2026-11-23",
    officer_ids: ["u1", "u2"],
    visit_ids: [VISIT_ID],
    distance_m: 60_234,
    duration_s: 25_200,
    start_at: "2026-11-23T00:30:00Z",
    end_at: "2026-11-23T07:30:00Z",
    ...patch,
  };
}

function page(patch: Partial<PullPage>): PullPage {
  return { cookie: "c1", reset: false, last_mutation_id: 0, expires_at: "2099-01-01T00:00:00Z", changes: [], ...patch };
}

describe("routes", () => {
  it("are stored by day and keep the server's distance (the way back included)", async () => {
    const d = db();
    await applyPull(
      d,
      page({
        reset: true,
        changes: [
          ...referenceChanges(),
          put("borrower", BORROWER_ID, borrowerData()),
          // The legs sum to 46 km; the route's figure counts the way back: 60.2 km.
          put("visit", VISIT_ID, visitData({ leg_distance_m: 46_000, planned_arrival: "2026-11-23T01:10:00Z" })),
          put("route", ROUTE_ID, routeData()),
        ],
      }),
    );
    const day = await getDayRoutes(d, "2026-11-23");
    expect(day.distance_m).toBe(60_234);
    expect(day.routes.map((r) => [r.id, r.visit_ids, r.start_at])).toEqual([[ROUTE_ID, [VISIT_ID], "2026-11-23T00:30:00Z"]]);
    expect(await getDayRoutes(d, "2026-11-24")).toEqual({ routes: [], distance_m: null });
    expect(refOf("route", ROUTE_ID, routeData())).toBe("2026-11-23");
  });

  it("follow puts and dels (a replaced plan's route goes away)", async () => {
    const d = db();
    await applyPull(d, page({ changes: [put("route", ROUTE_ID, routeData())] }));
    await applyPull(d, page({ changes: [put("route", ROUTE_ID, routeData({ distance_m: 58_000 }), 2)] }));
    expect((await getDayRoutes(d, "2026-11-23")).distance_m).toBe(58_000);
    const other = `${PLAN.replace("p0", "p1")}:1`;
    await applyPull(d, page({ changes: [del("route", ROUTE_ID), put("route", other, routeData({ id: other, route: 1, distance_m: 12_500 }))] }));
    const day = await getDayRoutes(d, "2026-11-23");
    expect(day.routes.map((r) => r.id)).toEqual([other]);
    expect(day.distance_m).toBe(12_500);
  });

  it("add up when the officer has two routes that day, and leave on sign-out", async () => {
    const d = db();
    const second = `${PLAN}:3`;
    await applyPull(
      d,
      page({
        changes: [
          put("route", second, routeData({ id: second, route: 3, distance_m: 1_000, start_at: "2026-11-23T05:00:00Z" })),
          put("route", ROUTE_ID, routeData()),
        ],
      }),
    );
    const day = await getDayRoutes(d, "2026-11-23");
    expect(day.routes.map((r) => r.route)).toEqual([0, 3]); // by start time
    expect(day.distance_m).toBe(61_234);
    await signOutLocal(d);
    expect(await getDayRoutes(d, "2026-11-23")).toEqual({ routes: [], distance_m: null });
  });

  it("with no published route, a day has no distance: the phone does not sum the legs", async () => {
    const d = db();
    await applyPull(d, page({ changes: [put("visit", VISIT_ID, visitData({ leg_distance_m: 46_000 }))] }));
    expect((await getDayRoutes(d, "2026-11-23")).distance_m).toBeNull();
  });
});
