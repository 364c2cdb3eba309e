// A plan: its head, the routes on the map and as lists, what was left out; moving or
// cancelling a visit, re-optimising and publishing.
import { useMemo, useState } from "preact/hooks";
import { formatDate, formatTime, t } from "../../../i18n";
import { toast } from "../../../ui/toast";
import { consoleApi } from "../../api";
import { ConfirmDialog } from "../../components/Dialog";
import { RouteMap } from "../../components/RouteMap";
import { useAction, useBranch, useLoad, useUsers } from "../../hooks";
import type { PlanPublic, VisitPublic } from "../../types";
import { LeftOut } from "./LeftOut";
import { MoveDialog } from "./MoveDialog";
import { buildRoutes, dayVisits, planFigures, planMapModel, visitLabel } from "./plan";
import { PlanHead } from "./PlanHead";
import { RouteCard } from "./RouteCard";

export function PlanView({ plan, setPlan, tz }: { plan: PlanPublic; setPlan: (p: PlanPublic) => void; tz: string }) {
  const users = useUsers();
  const branch = useBranch();
  // Names and places of the plan's visits: the day view has them for that date.
  const day = useLoad(() => consoleApi.day(plan.plan_date), [plan.id, plan.version, plan.plan_date], true);
  const info = useMemo(() => dayVisits(day.data), [day.data]);
  const routes = useMemo(() => buildRoutes(plan, users), [plan, users]);
  const [moving, setMoving] = useState<VisitPublic | null>(null);
  const [cancelling, setCancelling] = useState<VisitPublic | null>(null);
  const [confirmPublish, setConfirmPublish] = useState(false);
  const action = useAction();

  const reload = async () => {
    const fresh = await action.run(() => consoleApi.plan(plan.id));
    if (fresh) setPlan(fresh);
  };
  const optimise = async () => {
    const fresh = await action.run(() => consoleApi.optimise(plan.id));
    if (fresh) {
      setPlan(fresh);
      toast(t("console.plan.optimised"));
    }
  };
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
    return planMapModel(routes, info, home, (iso) => formatTime(iso, tz));
  }, [routes, info, day.data, branch, tz]);

  return (
    <div class="c-stack" data-testid="plan" data-plan-id={plan.id} data-status={plan.status}>
      <PlanHead plan={plan} figures={planFigures(plan, routes)} tz={tz} busy={action.busy} onOptimise={() => void optimise()} onPublish={() => setConfirmPublish(true)} />
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
