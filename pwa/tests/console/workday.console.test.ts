import { describe, expect, it } from "vitest";
import { DEFAULT_WORKDAY, checkWorkday, formFrom, minutesBetween, workdaySummary, type WorkdayForm } from "../../src/console/workday";
import { isFindAddress, movesText, planMoves } from "../../src/console/screens/plan/plan";
import type { PlanPublic } from "../../src/console/types";

const good: WorkdayForm = { start: "08:30", end: "17:30", breaks: [{ start: "12:00", end: "13:00" }], max: "480" };
const keys = (f: WorkdayForm) => checkWorkday(f).problems.map((p) => `${p.field}:${p.key}`);

describe("working-day form", () => {
  it("sends a good day, breaks in order", () => {
    const f = { ...good, breaks: [{ start: "15:00", end: "15:15" }, { start: "12:00", end: "13:00" }] };
    expect(checkWorkday(f).value).toEqual({
      start: "08:30",
      end: "17:30",
      breaks: [{ start: "12:00", end: "13:00" }, { start: "15:00", end: "15:15" }],
      max_work_minutes: 480,
    });
    expect(checkWorkday({ ...good, breaks: [] }).value?.breaks).toEqual([]);
    expect(checkWorkday({ ...good, end: "24:00" }).value?.end).toBe("24:00");
  });
  it("refuses a day that ends before it starts or a bad time", () => {
    expect(keys({ ...good, start: "18:00" })).toEqual(["end:workday.endBeforeStart", "break.0:workday.breakOutside"]);
    expect(keys({ ...good, start: "8:30" })).toEqual(["start:workday.badTime"]);
    expect(checkWorkday({ ...good, start: "" }).value).toBeNull();
  });
  it("names the break that is backwards, outside the day, or overlapping", () => {
    expect(keys({ ...good, breaks: [{ start: "13:00", end: "12:00" }] })).toEqual(["break.0:workday.breakBackwards"]);
    expect(keys({ ...good, breaks: [{ start: "07:00", end: "08:00" }] })).toEqual(["break.0:workday.breakOutside"]);
    expect(keys({ ...good, breaks: [{ start: "12:00", end: "13:00" }, { start: "12:30", end: "13:30" }] })).toEqual(["break.1:workday.breakOverlap"]);
    expect(keys({ ...good, breaks: [{ start: "12:00", end: "13:00" }, { start: "13:00", end: "13:15" }] })).toEqual([]);
    expect(keys({ ...good, breaks: [{ start: "x", end: "13:00" }] })).toEqual(["break.0:workday.badBreakTime"]);
    const many = { ...good, breaks: Array.from({ length: 7 }, (_, i) => ({ start: `${10 + i}:00`, end: `${10 + i}:10` })) };
    expect(keys(many)).toEqual(["breaks:workday.tooManyBreaks"]);
  });
  it("bounds the longest working time to 30..960 whole minutes", () => {
    expect(keys({ ...good, max: "29" })).toEqual(["max:workday.badMax"]);
    expect(keys({ ...good, max: "961" })).toEqual(["max:workday.badMax"]);
    expect(keys({ ...good, max: "480.5" })).toEqual(["max:workday.badMax"]);
    expect(keys({ ...good, max: "" })).toEqual(["max:workday.badMax"]);
    expect(checkWorkday({ ...good, max: " 960 " }).value?.max_work_minutes).toBe(960);
  });
  it("fills the form from the server or the documented default", () => {
    expect(formFrom(null)).toEqual({ start: "08:30", end: "17:30", breaks: [{ start: "12:00", end: "13:00" }], max: "480" });
    const form = formFrom(DEFAULT_WORKDAY);
    form.breaks[0]!.start = "11:00";
    expect(DEFAULT_WORKDAY.breaks[0]!.start).toBe("12:00");
    expect(minutesBetween("08:30", "17:30")).toBe(540);
    expect(workdaySummary(DEFAULT_WORKDAY)).toEqual({ hours: "08:30–17:30", breaks: ["12:00–13:00"] });
  });
});

describe("plan after a re-optimise", () => {
  const plan = (moves: unknown) => ({ summary: { moves } }) as unknown as PlanPublic;
  it("says what moved, routes numbered from 1 as on screen", () => {
    const moves = planMoves(plan([
      { visit_id: "v1", borrower_name: "张三", from_route: 0, to_route: 1 },
      { visit_id: "v2", borrower_name: "李四", from_route: null, to_route: 2 },
    ]));
    expect(movesText(moves, "en")).toBe("2 visits moved: 张三 route 1 -> 2, 李四 route unassigned -> 3");
    expect(movesText(moves, "zh-CN")).toBe("2 个走访换了路线：张三 路线 1 → 2、李四 路线 未分配 → 3");
    expect(movesText([], "en")).toBeNull();
    const teams = ["王伟、李娜", "张强"];
    expect(movesText(moves, "en", (n) => teams[n])).toBe("2 visits moved: 张三 route 王伟、李娜 -> 张强, 李四 route unassigned -> 3");
    expect(planMoves(plan(undefined))).toEqual([]);
  });
  it("knows a visit whose address is to be found", () => {
    expect(isFindAddress({ reasons: [{ code: "dpd" }, { code: "find_address" }] })).toBe(true);
    expect(isFindAddress({ reasons: [{ code: "dpd" }] })).toBe(false);
    expect(isFindAddress({})).toBe(false);
  });
});
