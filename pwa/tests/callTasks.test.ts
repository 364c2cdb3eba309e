import { describe, expect, it } from "vitest";
import { applyPull, enforceExpiry, type PullPage } from "../src/data/apply";
import { getContext, listCallTasks } from "../src/data/queries";
import type { CallTask } from "../src/data/types";
import { dbsPerTest, put, referenceChanges } from "./helpers";

const db = dbsPerTest();

function page(patch: Partial<PullPage>): PullPage {
  return { cookie: "c1", reset: false, last_mutation_id: 0, expires_at: "2099-01-01T00:00:00Z", changes: [], ...patch };
}

function task(name: string, due_on: string): CallTask {
  return { borrower_id: `b-${name}`, borrower_name: name, borrower_phone: "", village: "张庄", due_on, visit_id: "v1", outcome_id: `o-${name}`, visited_on: "2026-11-20" };
}

describe("call tasks and assessment codes", () => {
  it("lists the phone follow-ups due by a day, earliest first", async () => {
    const d = db();
    await applyPull(
      d,
      page({
        changes: [...referenceChanges(), put("call_task", "t1", task("王五", "2026-11-24")), put("call_task", "t2", task("张三", "2026-11-23"))],
      }),
    );
    expect((await listCallTasks(d, "2026-11-23")).map((t) => t.borrower_name)).toEqual(["张三"]);
    expect((await listCallTasks(d, "2026-11-24")).map((t) => t.borrower_name)).toEqual(["张三", "王五"]);
  });

  it("erases call tasks (borrower names and phones) when the data expires", async () => {
    const d = db();
    await applyPull(d, page({ expires_at: "2026-11-24T00:00:00Z", changes: [...referenceChanges(), put("call_task", "t1", task("王五", "2026-11-24"))] }));
    expect(await listCallTasks(d, "2026-11-24")).toHaveLength(1);
    expect(await enforceExpiry(d, new Date("2026-11-25T00:00:00Z"))).toBe(true);
    expect(await d.entities.where("entity").equals("call_task").count()).toBe(0);
  });

  it("reads the assessment codes from the reference record", async () => {
    const d = db();
    const codes = [{ code: "cooperative", label_zh: "配合", label_en: "Cooperative" }];
    await applyPull(
      d,
      page({
        changes: [...referenceChanges(), put("reference", "r1", { kind: "assessment_codes", income_source: [], business_condition: [], willingness: codes })],
      }),
    );
    const ctx = await getContext(d);
    expect(ctx.assessment?.willingness).toEqual(codes);
    expect(ctx.contactCodes).toEqual([]);
  });
});
