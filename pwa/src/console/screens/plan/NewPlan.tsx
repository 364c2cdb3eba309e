// A new plan for the date: the borrowers chosen (or the best ones, left to the server), the
// teams and the solver's search time.
import { useState } from "preact/hooks";
import { formatDate, t } from "../../../i18n";
import { consoleApi } from "../../api";
import { useAction } from "../../hooks";
import type { Candidate, PlanPublic, UserPublic } from "../../types";
import { canCreatePlan, newPlanBody, type NewPlanInput } from "./plan";
import { TeamBuilder } from "./TeamBuilder";

export function NewPlan({
  date,
  officers,
  selected,
  onCreated,
}: {
  date: string;
  officers: UserPublic[];
  selected: Map<string, Candidate>;
  onCreated: (plan: PlanPublic) => void;
}) {
  const [teams, setTeams] = useState<string[][]>([[]]);
  const [auto, setAuto] = useState(false);
  const [limit, setLimit] = useState("20");
  const [seconds, setSeconds] = useState("");
  const action = useAction();
  const input: NewPlanInput = { date, teams, selected: [...selected.keys()], auto, limit, seconds };
  const count = selected.size;

  const create = async () => {
    const plan = await action.run(() => consoleApi.createPlan(newPlanBody(input)));
    if (plan) onCreated(plan);
  };

  return (
    <section class="c-card" aria-labelledby="new-plan-title" data-testid="new-plan">
      <h2 id="new-plan-title">{t("console.plan.newPlan", { date: formatDate(date) })}</h2>
      <p class="c-muted">{count > 0 ? t("console.plan.selectedN", { n: count }) : t("console.plan.noneSelected")}</p>
      <label class="c-check-line">
        <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} name="auto" />
        {t("console.plan.auto")}
      </label>
      {auto && (
        <label class="c-field c-narrow">
          <span>{t("console.plan.autoLimit")}</span>
          <input type="number" min={1} max={1000} name="limit" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
        </label>
      )}
      <h3>{t("console.plan.teams")}</h3>
      <p class="c-muted c-small-text">{t("console.plan.teamsHint")}</p>
      <TeamBuilder officers={officers} teams={teams} setTeams={setTeams} />
      <label class="c-field c-narrow">
        <span>{t("console.plan.searchTime")}</span>
        <input type="number" min={0.1} max={60} step={0.1} name="time_limit_s" placeholder="5" value={seconds} onInput={(e) => setSeconds(e.currentTarget.value)} />
      </label>
      {action.error && (
        <p class="c-error" role="alert" data-testid="plan-error">
          {action.error}
        </p>
      )}
      <button type="button" class="c-btn c-primary" disabled={!canCreatePlan(input) || action.busy} onClick={() => void create()} data-testid="create-plan">
        {action.busy ? t("console.plan.creating") : t("console.plan.create")}
      </button>
    </section>
  );
}
