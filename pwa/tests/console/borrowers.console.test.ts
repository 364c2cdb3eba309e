import { describe, expect, it } from "vitest";
import { borrowerPage, borrowerQuery, formatDistance, parseFilter, proposalSentence, proposedPoint, shownBorrowers } from "../../src/console/borrowers";
import { fromDisplay, wgs84ToGcj02 } from "../../src/console/geo";
import type { BorrowerItem, BorrowerProposal } from "../../src/console/types";

const TZ = "Asia/Shanghai";

function proposal(over: Partial<BorrowerProposal>): BorrowerProposal {
  return {
    id: "p1",
    borrower_id: "b1",
    borrower_name: "张三",
    address: "德州市陵城区前孙村 12 号",
    kind: "location",
    data: { lat: 37.4, lon: 116.5, accuracy_m: 12 },
    source: "check_in",
    proposed_by: "u1",
    proposed_by_name: "李敏",
    visit_id: "v1",
    at: "2026-12-01T02:42:00Z",
    received_at: "2026-12-01T02:43:00Z",
    status: "open",
    distance_m: 900,
    ...over,
  };
}

function item(over: Partial<BorrowerItem>): BorrowerItem {
  return {
    id: "b1",
    name: "张三",
    address: "",
    village: "前孙村",
    lat: null,
    lon: null,
    location_source: null,
    location_precision: null,
    located_at: null,
    location_note: "",
    preferred_times: [],
    safety_flags: [],
    open_proposals: 0,
    ...over,
  };
}

describe("proposal sentences", () => {
  it("a check-in far from the stored place asks whether the borrower moved", () => {
    expect(proposalSentence(proposal({}), TZ, "zh-CN")).toBe("李敏 于 2026年12月1日 10:42 签到的位置离 张三 的登记位置 900 米：是否搬家了？");
    expect(proposalSentence(proposal({ distance_m: 1530 }), TZ, "en")).toBe(
      "李敏 checked in 1.5 km from 张三's stored location on 2026-12-01 10:42: has the borrower moved?",
    );
  });
  it("the officer's 'house is here', with or without a stored place", () => {
    expect(proposalSentence(proposal({ source: "officer", distance_m: 240 }), TZ, "zh-CN")).toBe("李敏 于 2026年12月1日 10:42 报告 张三 的房子在这里，离登记位置 240 米");
    expect(proposalSentence(proposal({ source: "officer", distance_m: null }), TZ, "en")).toBe("李敏 said on 2026-12-01 10:42 that 张三's house is here (no location before)");
  });
  it("preferred times and safety flags are written out", () => {
    const times = proposal({ kind: "preferred_times", data: { preferred_times: [{ weekdays: [0, 2], start: "18:00", end: "20:00" }] }, distance_m: null });
    expect(proposalSentence(times, TZ, "zh-CN")).toBe("李敏 于 2026年12月1日 10:42 建议 张三 的方便走访时间：周一、周三 18:00–20:00");
    const flags = proposal({ kind: "safety_flags", data: { safety_flags: ["aggressive_dog"] }, distance_m: null });
    expect(proposalSentence(flags, TZ, "en")).toBe("李敏 proposed safety flags for 张三 on 2026-12-01 10:42: Aggressive dog");
  });
  it("survive malformed data and a missing name", () => {
    const odd = proposal({ kind: "preferred_times", data: { preferred_times: "junk" }, proposed_by_name: "" });
    expect(proposalSentence(odd, TZ, "en")).toBe("An officer proposed visiting times for 张三 on 2026-12-01 10:42: None");
    expect(proposedPoint(proposal({ data: { lat: "x", lon: 1 } }))).toBeNull();
    expect(proposedPoint(proposal({}))).toEqual({ lat: 37.4, lon: 116.5, accuracy_m: 12 });
    expect(proposedPoint(proposal({ kind: "safety_flags" }))).toBeNull();
  });
});

describe("the borrower list's query", () => {
  it("unlocated asks the server; search is trimmed and bounded; pages of 50", () => {
    expect(borrowerQuery("all", "", 0)).toEqual({ limit: 50, offset: 0 });
    expect(borrowerQuery("unlocated", "  王 ", 50)).toEqual({ located: false, q: "王", limit: 50, offset: 50 });
    expect(borrowerQuery("proposals", "x".repeat(300), -5).q).toHaveLength(100);
    expect(borrowerQuery("proposals", "", -5).offset).toBe(0);
  });
  it("with open proposals is filtered on the page", () => {
    const rows = [item({ id: "a", open_proposals: 0 }), item({ id: "b", open_proposals: 2 })];
    expect(shownBorrowers(rows, "proposals").map((b) => b.id)).toEqual(["b"]);
    expect(shownBorrowers(rows, "all")).toHaveLength(2);
  });
  it("reads the filter from the address and pages", () => {
    expect(parseFilter("unlocated")).toBe("unlocated");
    expect(parseFilter("nonsense")).toBe("all");
    expect(parseFilter(null)).toBe("all");
    expect(borrowerPage(50, 120)).toEqual({ first: 51, last: 100, hasPrev: true, hasNext: true });
    expect(borrowerPage(0, 0)).toEqual({ first: 0, last: 0, hasPrev: false, hasNext: false });
  });
  it("writes distances in metres, then kilometres", () => {
    expect(formatDistance(420, "zh-CN")).toBe("420 米");
    expect(formatDistance(1234, "en")).toBe("1.2 km");
  });
});

describe("a pin dropped on GCJ-02 tiles", () => {
  it("goes back to WGS-84 within a metre", () => {
    const [gLat, gLon] = wgs84ToGcj02(37.4355, 116.3575);
    const [lat, lon] = fromDisplay(gLat, gLon, "gcj02");
    expect(Math.abs(lat - 37.4355)).toBeLessThan(1e-5);
    expect(Math.abs(lon - 116.3575)).toBeLessThan(1e-5);
    expect(fromDisplay(1, 2, "wgs84")).toEqual([1, 2]);
  });
});
