// A small Leaflet map for one borrower: a draggable pin (the edit panel) or two fixed points
// (a "moved?" proposal). Loaded lazily with Leaflet; works with no tiles (plain background).
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { fromDisplay, toDisplay } from "../geo";
import type { MapSettings } from "../settings";
import { validTileUrl } from "../settings";

export interface PinPoint {
  lat: number;
  lon: number;
  /** Plain text for the tooltip. */
  title: string;
  kind: "pin" | "stored" | "proposed" | "branch";
}

export interface PinMapModel {
  points: PinPoint[];
  /** Where to look when there is no point (the branch). */
  centre: { lat: number; lon: number };
  /** The pin can be dragged, and a click on the map moves it there. */
  editable: boolean;
}

export interface DrawnPinMap {
  update(model: PinMapModel): void;
  destroy(): void;
}

function pointIcon(kind: PinPoint["kind"], title: string): L.DivIcon {
  const span = document.createElement("span");
  span.className = `m-pin ${kind}`;
  span.dataset.kind = kind;
  span.title = title;
  return L.divIcon({ className: "m-pin-icon", html: span, iconSize: [22, 22], iconAnchor: [11, 22] });
}

export function createPinMap(el: HTMLElement, settings: MapSettings, onMove: (lat: number, lon: number) => void): DrawnPinMap {
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
  map.setView([37.3357, 116.5766], 12);
  if (validTileUrl(settings.tileUrl)) {
    L.tileLayer(settings.tileUrl, { maxZoom: 18, subdomains: ["0", "1", "2", "3", "4", "5", "6", "7"] }).addTo(map);
    el.dataset.tiles = "1";
  } else el.dataset.tiles = "0";
  const layer = L.layerGroup().addTo(map);
  const at = (lat: number, lon: number): L.LatLngExpression => toDisplay(lat, lon, settings.crs);
  const back = (p: L.LatLng) => fromDisplay(p.lat, p.lng, settings.crs);
  let editable = false;
  let lastKey = "";
  map.on("click", (e: L.LeafletMouseEvent) => {
    if (!editable) return;
    const [lat, lon] = back(e.latlng);
    onMove(lat, lon);
  });
  return {
    update(model) {
      editable = model.editable;
      layer.clearLayers();
      const bounds: L.LatLngExpression[] = [];
      for (const p of model.points) {
        const ll = at(p.lat, p.lon);
        bounds.push(ll);
        const drag = model.editable && p.kind === "pin";
        const m = L.marker(ll, { icon: pointIcon(p.kind, p.title), draggable: drag, title: p.title, alt: p.title, keyboard: true }).addTo(layer);
        if (drag) m.on("dragend", () => {
          const [lat, lon] = back(m.getLatLng());
          onMove(lat, lon);
        });
      }
      // Refit only when the set of points changes in kind or count, not on every drag.
      const key = model.points.map((p) => p.kind).join(",") + `|${model.centre.lat},${model.centre.lon}`;
      if (key !== lastKey) {
        lastKey = key;
        map.invalidateSize({ animate: false });
        // The pins stand above their point: more room at the top.
        if (bounds.length > 1) map.fitBounds(L.latLngBounds(bounds), { paddingTopLeft: [30, 44], paddingBottomRight: [30, 16], maxZoom: 16, animate: false });
        else map.setView(bounds[0] ?? at(model.centre.lat, model.centre.lon), bounds[0] ? 15 : 11, { animate: false });
      }
      el.dataset.points = String(model.points.length);
      el.dataset.ready = "1";
    },
    destroy() {
      map.remove();
    },
  };
}
