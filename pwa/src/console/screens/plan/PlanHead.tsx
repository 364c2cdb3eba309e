// The plan's head: date and status, its figures, and the optimise and publish buttons.
import { formatDate, t } from "../../../i18n";
import type { PlanPublic } from "../../types";
import type { PlanFigures } from "./plan";

export function PlanHead({
  plan,
  figures,
  tz,
  busy,
  onOptimise,
  onPublish,
  onDiscard,
}: {
  plan: PlanPublic;
  figures: PlanFigures;
  tz: string;
  busy: boolean;
  onOptimise: () => void;
  onPublish: () => void;
  /** Only a draft can be discarded. */
  onDiscard: () => void;
}) {
  const published = plan.status === "published";
  return (
    <section class="c-card c-plan-head">
      <div>
        <h2>
          {t("console.plan.planFor", { date: formatDate(plan.plan_date, tz) })}{" "}
          <span class={`c-chip-status ${plan.status}`} data-testid="plan-status">
            {t(`console.plan.status.${plan.status}`)}
          </span>
        </h2>
        <p class="c-kpis">
          <span>{t("console.plan.visitsN", { n: figures.visits })}</span>
          <span>{t("console.plan.routesN", { n: figures.routes })}</span>
          <span>{t("console.plan.distance", { km: figures.distanceKm })}</span>
          {figures.savedKm !== null && <span data-testid="saved-km">{t("console.plan.saved", { km: figures.savedKm })}</span>}
          {figures.leftOut > 0 && <span class="c-warn-text">{t("console.plan.leftOutN", { n: figures.leftOut })}</span>}
        </p>
      </div>
      <div class="c-actions">
        {plan.status === "draft" && (
          <button type="button" class="c-btn c-plain" disabled={busy} onClick={onDiscard} data-testid="discard-plan">
            {t("console.plan.discard")}
          </button>
        )}
        <button type="button" class="c-btn" disabled={busy} onClick={onOptimise} data-testid="optimise">
          {t("console.plan.optimise")}
        </button>
        <button type="button" class="c-btn c-primary" disabled={busy || published} onClick={onPublish} data-testid="publish">
          {published ? t("console.plan.isPublished") : t("console.plan.publish")}
        </button>
      </div>
    </section>
  );
}
