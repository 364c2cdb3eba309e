// Targets and plan: the candidate list (scores and reasons), a plan for a date with teams,
// the optimised routes on the map and as lists, moving or pinning a visit, re-optimising,
// publishing, and what was left out and why. The date and plan are kept in the address.
import { useEffect, useState } from "preact/hooks";
import { DEFAULT_TZ, addDays, todayIn } from "../../../domain/time";
import { formatTime, t } from "../../../i18n";
import { toast } from "../../../ui/toast";
import { consoleApi } from "../../api";
import { useBranch, useLoad, useUsers } from "../../hooks";
import { replaceParams } from "../../router";
import type { Candidate, PlanPublic } from "../../types";
import { Candidates } from "./Candidates";
import { NewPlan } from "./NewPlan";
import { chosenPlan } from "./plan";
import { PlanView } from "./PlanView";

type Tab = "targets" | "plan";

export function PlanScreen({ params }: { params: URLSearchParams }) {
  const branch = useBranch();
  const users = useUsers();
  const tz = branch?.timezone ?? DEFAULT_TZ;
  const [date, setDate] = useState(() => params.get("date") ?? addDays(todayIn(DEFAULT_TZ), 1));
  const [planId, setPlanId] = useState<string | null>(params.get("plan"));
  const [plan, setPlan] = useState<PlanPublic | null>(null);
  const [tab, setTab] = useState<Tab>(params.get("plan") ? "plan" : "targets");
  const [selected, setSelected] = useState<Map<string, Candidate>>(new Map());
  const plans = useLoad(() => consoleApi.plans(date), [date]);
  const officers = (users ?? []).filter((u) => u.role === "officer");

  // The newest plan of the date, unless one was chosen.
  useEffect(() => {
    if (!plans.data) return;
    const chosen = chosenPlan(plans.data, planId);
    setPlanId(chosen?.id ?? null);
    if (!chosen) {
      setPlan(null);
      setTab("targets");
    }
  }, [plans.data]);

  useEffect(() => {
    if (!planId) return;
    let alive = true;
    void consoleApi.plan(planId).then(
      (p) => alive && setPlan(p),
      () => alive && setPlan(null),
    );
    return () => {
      alive = false;
    };
  }, [planId]);

  useEffect(() => {
    replaceParams("plan", { date, plan: planId ?? undefined });
  }, [date, planId]);

  const today = todayIn(tz);
  return (
    <div class="c-screen" data-testid="plan-screen">
      <header class="c-head">
        <h1>{t("console.nav.plan")}</h1>
        <label class="c-field c-inline">
          <span>{t("console.plan.date")}</span>
          <input
            type="date"
            name="plan_date"
            min={today}
            value={date}
            onChange={(e) => {
              const v = e.currentTarget.value;
              if (v) {
                setDate(v);
                setPlanId(null);
                setPlan(null);
              }
            }}
          />
        </label>
        {plans.data && plans.data.length > 1 && (
          <label class="c-field c-inline">
            <span>{t("console.plan.which")}</span>
            <select value={planId ?? ""} onChange={(e) => setPlanId(e.currentTarget.value)}>
              {plans.data.map((p) => (
                <option key={p.id} value={p.id}>
                  {formatTime(p.created_at, tz)} · {t(`console.plan.status.${p.status}`)}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      <div class="c-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "targets"} onClick={() => setTab("targets")} data-testid="tab-targets">
          {t("console.plan.tabTargets")}
          {selected.size > 0 && <span class="c-badge c-badge-soft">{selected.size}</span>}
        </button>
        <button type="button" role="tab" aria-selected={tab === "plan"} disabled={!plan} onClick={() => setTab("plan")} data-testid="tab-plan">
          {t("console.plan.tabPlan")}
        </button>
      </div>
      {tab === "targets" && (
        <div class="c-targets">
          <Candidates officers={officers} selected={selected} setSelected={setSelected} />
          <NewPlan
            date={date}
            officers={officers}
            selected={selected}
            onCreated={(p) => {
              setPlan(p);
              setPlanId(p.id);
              setSelected(new Map());
              setTab("plan");
              toast(t("console.plan.created"));
              void plans.reload();
            }}
          />
        </div>
      )}
      {tab === "plan" && plan && (
        <PlanView
          plan={plan}
          setPlan={setPlan}
          tz={tz}
          onDiscarded={() => {
            setPlan(null);
            setPlanId(null);
            setTab("targets");
            void plans.reload();
          }}
        />
      )}
    </div>
  );
}
