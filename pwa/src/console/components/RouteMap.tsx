import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n";
import { loadMapSettings } from "../settings";
import type { DrawnMap } from "./leafletMap";
import type { MapModel } from "./mapModel";

interface RouteMapProps {
  model: MapModel | null;
  height?: number;
  testId?: string;
}

/** The routes on a map (Leaflet, lazy). With no tile URL set it draws on a plain background. */
export function RouteMap({ model, height = 460, testId = "route-map" }: RouteMapProps) {
  const el = useRef<HTMLDivElement>(null);
  const drawn = useRef<DrawnMap | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let alive = true;
    import("./leafletMap").then(
      (m) => {
        if (!alive || !el.current) return;
        drawn.current = m.createMap(el.current, loadMapSettings());
        setReady(true);
      },
      (err: unknown) => {
        console.error("map failed to load", err);
        if (alive) setFailed(true);
      },
    );
    return () => {
      alive = false;
      drawn.current?.destroy();
      drawn.current = null;
    };
  }, []);

  useEffect(() => {
    if (ready && model && drawn.current) drawn.current.update(model, { branch: t("console.map.branchMark") });
  }, [ready, model]);

  return (
    <div class="c-map-box">
      <div ref={el} class="c-map" style={{ height: `${height}px` }} data-testid={testId} role="region" aria-label={t("console.map.label")} />
      {failed && <p class="c-error">{t("console.map.failed")}</p>}
      {model && (
        <ul class="c-legend" aria-label={t("console.map.legend")}>
          <li>
            <span class="c-swatch branch" aria-hidden="true" /> {model.branch.name}
          </li>
          {model.routes.map((r) => (
            <li key={r.key} data-testid="legend-route" data-colour={r.colour}>
              <span class="c-swatch" style={{ background: r.colour }} aria-hidden="true" /> {r.name}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
