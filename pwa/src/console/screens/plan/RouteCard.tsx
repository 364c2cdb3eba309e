// One route as a list: its team, figures, and the stops in order (move or cancel each).
import { formatTime, getLang, t } from "../../../i18n";
import { formatDuration } from "../../format";
import type { DayVisit, VisitPublic } from "../../types";
import { km, type RouteView } from "./plan";

function Stop({
  visit: v,
  place: d,
  colour,
  tz,
  onMove,
  onCancel,
}: {
  visit: VisitPublic;
  place: DayVisit | undefined;
  colour: string;
  tz: string;
  onMove: () => void;
  onCancel: () => void;
}) {
  return (
    <li data-testid="stop" data-visit-id={v.id} data-pinned={v.pinned ? "1" : "0"}>
      <span class="c-stop-pos" style={{ background: colour }}>
        {v.route_position ?? "–"}
      </span>
      <span class="c-stop-main">
        <span>
          <strong>{d?.borrower_name ?? "…"}</strong>
          {v.pinned && <span class="c-pin">{t("console.plan.pinned")}</span>}
        </span>
        <span class="c-muted">
          {d?.village}
          {v.planned_arrival && ` · ${t("console.plan.arrive", { time: formatTime(v.planned_arrival, tz) })}`}
          {v.window_start && v.window_end && ` · ${formatTime(v.window_start, tz)}–${formatTime(v.window_end, tz)}`}
        </span>
      </span>
      <span class="c-stop-actions">
        <button type="button" class="c-btn c-small" onClick={onMove} data-testid="move">
          {t("console.plan.move")}
        </button>
        <button type="button" class="c-btn c-small c-plain" onClick={onCancel} data-testid="cancel-visit">
          {t("console.plan.cancelVisit")}
        </button>
      </span>
    </li>
  );
}

export function RouteCard({
  route: r,
  info,
  tz,
  onMove,
  onCancel,
}: {
  route: RouteView;
  info: ReadonlyMap<string, DayVisit>;
  tz: string;
  onMove: (v: VisitPublic) => void;
  onCancel: (v: VisitPublic) => void;
}) {
  return (
    <section class="c-card c-route" style={{ borderLeftColor: r.colour }} data-testid="route" data-colour={r.colour} data-stops={r.visits.length}>
      <div class="c-card-head">
        <h3>
          <span class="c-swatch" style={{ background: r.colour }} aria-hidden="true" /> {r.name}
        </h3>
      </div>
      <p class="c-kpis c-small-text">
        <span>{t("console.plan.stopsN", { n: r.visits.length })}</span>
        <span data-testid="route-distance">{t("console.plan.distance", { km: km(r.summary.distance_m) })}</span>
        <span>{t("console.plan.duration", { d: formatDuration(r.summary.duration_s, getLang()) })}</span>
        {r.summary.saved_km !== undefined && <span>{t("console.plan.saved", { km: r.summary.saved_km.toFixed(1) })}</span>}
      </p>
      <ol class="c-stops">
        {r.visits.map((v) => (
          <Stop key={v.id} visit={v} place={info.get(v.id)} colour={r.colour} tz={tz} onMove={() => onMove(v)} onCancel={() => onCancel(v)} />
        ))}
      </ol>
    </section>
  );
}
