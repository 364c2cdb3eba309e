// A plan: its head, the routes on the map and as lists, what was left out; moving or
// cancelling a visit, re-optimising and publishing.
import { useMemo, useState } from "preact/hooks";
import { formatDate, formatTime, getLang, t } from "../../../i18n";
import { toast } from "../../../ui/toast";
import { consoleApi } from "../../api";
import { ConfirmDialog } from "../../components/Dialog";
import { RouteMap } from "../../components/RouteMap";
import { useAction, useBranch, useLoad, useUsers } from "../../hooks";
import type { PlanPublic, VisitPublic } from "../../types";
import { LeftOut } from "./LeftOut";
import { MoveDialog } from "./MoveDialog";
import { buildRoutes, dayVisits, isFindAddress, movesText, planFigures, planMapModel, planMoves, stopPlace, visitLabel } from "./plan";
import { PlanHead } from "./PlanHead";
import { RouteCard } from "./RouteCard";

export function PlanView({
  plan,
  setPlan,
  tz,
  onDiscarded,
}: {
  plan: PlanPublic;
  setPlan: (p: PlanPublic) => void;
  tz: string;
  onDiscarded: () => void;
}) {
  const users = useUsers();
  const branch = useBranch();
  // Names and places of the plan's visits: the day view has them for that date.
  const day = useLoad(() => consoleApi.day(plan.plan_date), [plan.id, plan.version, plan.plan_date], true);
  const info = useMemo(() => dayVisits(day.data), [day.data]);
  const routes = useMemo(() => buildRoutes(plan, users), [plan, users]);
  const [moving, setMoving] = useState<VisitPublic | null>(null);
  const [cancelling, setCancelling] = useState<VisitPublic | null>(null);
  const [confirmPublish, setConfirmPublish] = useState(false);
  const [discarding, setDiscarding] = useState(false);
  /** Re-optimise from scratch instead of keeping each team's area (the default). */
  const [freshPlan, setFreshPlan] = useState(false);
  /** What the last optimise on this screen moved ("" before any). */
  const [moved, setMoved] = useState<string | null>(null);
  const action = useAction();
  const lang = getLang();

  const reload = async () => {
    const fresh = await action.run(() => consoleApi.plan(plan.id));
    if (fresh) setPlan(fresh);
  };
  const optimise = async () => {
    const fresh = await action.run(() => consoleApi.optimise(plan.id, { fresh: freshPlan }));
    if (fresh) {
      setPlan(fresh);
      const names = buildRoutes(fresh, users).map((r) => r.name);
      setMoved(movesText(planMoves(fresh), lang, (n) => names[n]) ?? t("console.plan.movesNone"));
      toast(t("console.plan.optimised"));
    }
  };
  const discard = async () => {
    const done = await action.run(async () => {
      await consoleApi.deletePlan(plan.id);
      return true;
    });
    if (done) {
      setDiscarding(false);
      toast(t("console.plan.discarded"));
      onDiscarded();
    }
  };
  const findAddress = plan.visits?.filter((v) => v.status !== "cancelled" && isFindAddress(v)) ?? [];
  const publish = async () => {
    const fresh = await action.run(() => consoleApi.publish(plan.id));
    setConfirmPublish(false);
    if (fresh) {
      setPlan(fresh);
      toast(t("console.plan.publishedToast"));
    }
  };

  const model = useMemo(() => {
    const home = day.data?.branch ?? branch ?? null;
    return planMapModel(routes, info, home, (iso) => formatTime(iso, tz), (d) => stopPlace(d, lang));
  }, [routes, info, day.data, branch, tz, lang]);

  return (
    <div class="c-stack" data-testid="plan" data-plan-id={plan.id} data-status={plan.status}>
      <PlanHead plan={plan} figures={planFigures(plan, routes)} tz={tz} busy={action.busy} fresh={freshPlan} setFresh={setFreshPlan} onOptimise={() => void optimise()} onPublish={() => setConfirmPublish(true)} onDiscard={() => setDiscarding(true)} />
      {moved && (
        <p class="c-card c-moves" role="status" data-testid="plan-moves">
          {moved}
        </p>
      )}
      {action.error && (
        <p class="c-error" role="alert">
          {action.error}
        </p>
      )}
      <div class="c-plan-grid">
        <RouteMap model={model} height={520} />
        <div class="c-routes" data-testid="routes">
          {routes.map((r) => (
            <RouteCard key={r.key} route={r} info={info} tz={tz} onMove={setMoving} onCancel={setCancelling} />
          ))}
        </div>
      </div>
      {findAddress.length > 0 && (
        <section class="c-card" data-testid="find-address">
          <h2>{t("console.plan.findAddress")}</h2>
          <ul class="c-find-address">
            {findAddress.map((v) => (
              <li key={v.id} data-visit-id={v.id}>
                <strong>{visitLabel(v, info)}</strong> · {routes.find((r) => r.visits.some((x) => x.id === v.id))?.name ?? ""} · {t("loc.unlocated")}
              </li>
            ))}
          </ul>
        </section>
      )}
      <LeftOut plan={plan} info={info} />
      {moving && (
        <MoveDialog
          visit={moving}
          label={visitLabel(moving, info)}
          routes={routes}
          onClose={() => setMoving(null)}
          onDone={() => {
            setMoving(null);
            void reload();
          }}
        />
      )}
      {cancelling && (
        <ConfirmDialog
          title={t("console.plan.cancelVisit")}
          text={t("console.plan.cancelConfirm", { name: visitLabel(cancelling, info) })}
          yes={t("console.plan.cancelVisit")}
          danger
          reason={{ label: t("console.reason"), required: true }}
          busy={action.busy}
          error={action.error}
          onNo={() => setCancelling(null)}
          onYes={(reason) =>
            void action.run(() => consoleApi.cancelVisit(cancelling.id, reason)).then((ok) => {
              if (ok) {
                setCancelling(null);
                void reload();
              }
            })
          }
        />
      )}
      {discarding && (
        <ConfirmDialog
          title={t("console.plan.discard")}
          text={t("console.plan.discardConfirm", { date: formatDate(plan.plan_date, tz) })}
          yes={t("console.plan.discard")}
          danger
          busy={action.busy}
          error={action.error}
          onNo={() => setDiscarding(false)}
          onYes={() => void discard()}
        />
      )}
      {confirmPublish && (
        <ConfirmDialog
          title={t("console.plan.publish")}
          text={t("console.plan.publishConfirm", { date: formatDate(plan.plan_date, tz), n: routes.length })}
          yes={t("console.plan.publish")}
          busy={action.busy}
          error={action.error}
          onNo={() => setConfirmPublish(false)}
          onYes={() => void publish()}
        />
      )}
    </div>
  );
}
