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
  fresh,
  setFresh,
}: {
  plan: PlanPublic;
  figures: PlanFigures;
  tz: string;
  busy: boolean;
  /** Re-optimise with the mode chosen beside the button (default: keep team areas). */
  onOptimise: () => void;
  fresh: boolean;
  setFresh: (fresh: boolean) => void;
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
        <div class="c-optimise-mode" role="radiogroup" aria-label={t("console.plan.optimiseHow")}>
          <button
            type="button"
            role="radio"
            class="c-chip c-small-chip"
            aria-checked={!fresh}
            aria-pressed={!fresh}
            title={t("console.plan.keepAreasHint")}
            onClick={() => setFresh(false)}
            data-testid="optimise-keep"
          >
            {t("console.plan.keepAreas")}
          </button>
          <button
            type="button"
            role="radio"
            class="c-chip c-small-chip"
            aria-checked={fresh}
            aria-pressed={fresh}
            title={t("console.plan.freshHint")}
            onClick={() => setFresh(true)}
            data-testid="optimise-fresh"
          >
            {t("console.plan.freshPlan")}
          </button>
        </div>
        <button type="button" class="c-btn" disabled={busy} onClick={onOptimise} data-testid="optimise" data-fresh={fresh ? "1" : "0"}>
          {t("console.plan.optimise")}
        </button>
        <button type="button" class="c-btn c-primary" disabled={busy || published} onClick={onPublish} data-testid="publish">
          {published ? t("console.plan.isPublished") : t("console.plan.publish")}
        </button>
      </div>
    </section>
  );
}
