// The console's issue-14 calls against a mocked fetch: paths, methods and bodies as the
// contract writes them, and the API's messages as the screens show them.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { consoleApi, errorMessage } from "../../src/console/api";
import { ApiError, db } from "../../src/data";
import { setMeta } from "../../src/data/meta";
import { setLang } from "../../src/i18n";

interface Call {
  url: string;
  method: string;
  body: unknown;
}

let calls: Call[] = [];

function answer(status: number, body: unknown): void {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, method: init.method ?? "GET", body: typeof init.body === "string" ? JSON.parse(init.body) : null });
      return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    }),
  );
}

beforeEach(async () => {
  calls = [];
  setLang("zh-CN");
  await db.open();
  await setMeta(db, "accessToken", "token");
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("borrower endpoints", () => {
  it("list with the filter and search as query parameters", async () => {
    answer(200, { items: [], total: 0 });
    await consoleApi.borrowers({ located: false, q: "王", limit: 50, offset: 0 });
    expect(calls[0]?.url).toBe("/api/v1/borrowers?located=false&q=%E7%8E%8B&limit=50&offset=0");
  });
  it("save the pin with PUT and the facts with PATCH", async () => {
    answer(200, {});
    await consoleApi.putLocation("b1", { lat: 37.1, lon: 116.2, precision: "village" });
    await consoleApi.patchBorrower("b1", { preferred_times: [{ weekdays: [0], start: "09:00", end: "10:00" }], safety_flags: ["remote_road"] });
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ["PUT", "/api/v1/borrowers/b1/location"],
      ["PATCH", "/api/v1/borrowers/b1"],
    ]);
    expect(calls[0]?.body).toEqual({ lat: 37.1, lon: 116.2, precision: "village" });
    expect(calls[1]?.body).toEqual({ preferred_times: [{ weekdays: [0], start: "09:00", end: "10:00" }], safety_flags: ["remote_road"] });
  });
  it("geocode by address; a 503 reaches the screen as a 503 with its message", async () => {
    answer(503, { error: "ServiceUnavailable", detail: "No geocoder is configured." });
    const err = await consoleApi.geocode("陵城区 小王庄").catch((e: unknown) => e);
    expect(calls[0]?.url).toBe("/api/v1/geocode?address=%E9%99%B5%E5%9F%8E%E5%8C%BA+%E5%B0%8F%E7%8E%8B%E5%BA%84");
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    expect((err as ApiError).detail).toBe("No geocoder is configured.");
  });
  it("show a 422's own words inline", async () => {
    answer(422, { error: "InvalidInput", detail: "preferred_times[1]: start must be before end" });
    const err = await consoleApi.patchBorrower("b1", { preferred_times: [] }).catch((e: unknown) => e);
    expect(errorMessage(err)).toBe("输入有误。 preferred_times[1]: start must be before end");
  });
  it("decide a proposal with a note", async () => {
    answer(200, {});
    await consoleApi.proposals();
    await consoleApi.decideProposal("p1", "declined", "电话核实未搬家");
    expect(calls[0]?.url).toBe("/api/v1/borrower-proposals?status=open");
    expect(calls[1]).toEqual({ url: "/api/v1/borrower-proposals/p1/decide", method: "POST", body: { decision: "declined", note: "电话核实未搬家" } });
  });
});

describe("working day and plans", () => {
  it("branch day PUT, officer override PUT and DELETE (204)", async () => {
    const day = { start: "08:30", end: "17:30", breaks: [], max_work_minutes: 480 };
    answer(200, day);
    await consoleApi.putWorkday(day);
    await consoleApi.putOfficerWorkday("u1", day);
    answer(204, null);
    await consoleApi.resetOfficerWorkday("u1");
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ["PUT", "/api/v1/branches/current/settings/workday"],
      ["PUT", "/api/v1/branches/current/settings/workday/officers/u1"],
      ["DELETE", "/api/v1/branches/current/settings/workday/officers/u1"],
    ]);
  });
  it("re-optimise keeps areas unless asked for a fresh plan; discard is a DELETE", async () => {
    answer(200, {});
    await consoleApi.optimise("p1");
    await consoleApi.optimise("p1", { fresh: true, timeLimitS: 2 });
    answer(204, null);
    await consoleApi.deletePlan("p1");
    expect(calls[0]?.body).toEqual({});
    expect(calls[1]?.body).toEqual({ time_limit_s: 2, fresh: true });
    expect([calls[2]?.method, calls[2]?.url]).toEqual(["DELETE", "/api/v1/plans/p1"]);
  });
  it("a published plan cannot be discarded: the conflict in words", async () => {
    answer(409, { error: "Conflict", detail: "This plan is published; it can only be replaced." });
    const err = await consoleApi.deletePlan("p1").catch((e: unknown) => e);
    expect(errorMessage(err)).toBe("与当前状态冲突，请刷新后再试。 This plan is published; it can only be replaced.");
  });
});
