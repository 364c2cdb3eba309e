// What the plan left out and why: borrowers the solver could not fit, visits it could not
// schedule.
import { getLang, t, tMaybe } from "../../../i18n";
import { DataTable } from "../../components/DataTable";
import type { DayVisit, PlanPublic } from "../../types";
import { leftOutRows, reasonText } from "./plan";

export function LeftOut({ plan, info }: { plan: PlanPublic; info: ReadonlyMap<string, DayVisit> }) {
  const lang = getLang();
  const rows = leftOutRows(plan, info, {
    unassigned: (u) => reasonText(u, lang),
    unscheduled: (code) => tMaybe(`console.plan.unscheduled.${code}`) ?? code,
  });
  if (rows.length === 0) return null;
  return (
    <section class="c-card" data-testid="left-out">
      <h2>{t("console.plan.leftOut")}</h2>
      <DataTable
        rows={rows}
        columns={[
          { key: "name", label: t("console.plan.col.name"), value: (r) => r.name },
          { key: "score", label: t("console.plan.col.score"), value: (r) => r.score, numeric: true },
          { key: "why", label: t("console.plan.col.why"), value: (r) => r.why, wrap: true },
        ]}
        rowKey={(r) => r.id}
        rowAttrs={(r) => ({ "data-testid": "left-out-row", "data-code": r.code })}
        filename={`left-out-${plan.plan_date}`}
      />
    </section>
  );
}
