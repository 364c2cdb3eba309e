import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n";
import { loadMapSettings } from "../settings";
import type { DrawnPinMap, PinMapModel } from "./pinMap";

/** One borrower's place on a map (Leaflet, lazy): a draggable pin or fixed points. */
export function PinMap({ model, onMove, height = 320, testId = "pin-map" }: { model: PinMapModel; onMove?: (lat: number, lon: number) => void; height?: number; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const drawn = useRef<DrawnPinMap | null>(null);
  const moveRef = useRef(onMove);
  moveRef.current = onMove;
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let alive = true;
    import("./pinMap").then(
      (m) => {
        if (!alive || !el.current) return;
        drawn.current = m.createPinMap(el.current, loadMapSettings(), (lat, lon) => moveRef.current?.(lat, lon));
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
    if (ready) drawn.current?.update(model);
  }, [ready, model]);
  return (
    <div class="c-map-box">
      <div ref={el} class="c-map" style={{ height: `${height}px` }} data-testid={testId} role="region" aria-label={t("console.map.label")} />
      {failed && <p class="c-error">{t("console.map.failed")}</p>}
    </div>
  );
}
