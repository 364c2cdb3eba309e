// Leaflet, loaded only with the console's map (its own chunk). Works with no tiles at all:
// the branch, the stops and the route lines are drawn on a plain background (SVG).
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { toDisplay } from "../geo";
import type { MapSettings } from "../settings";
import { validTileUrl } from "../settings";
import { stopStyle } from "../colours";
import { placesKey, type MapModel } from "./mapModel";

/** A stop's badge as an element: colours set through the DOM (no inline style attribute,
 * which the Content-Security-Policy's `style-src 'self'` refuses). */
function stopBadge(cls: string, id: string, label: string, css: Partial<Record<"background" | "color" | "borderColor" | "opacity", string>>, colour: string): HTMLElement {
  const span = document.createElement("span");
  span.className = cls;
  Object.assign(span.style, css);
  span.dataset.stopId = id;
  span.dataset.colour = colour;
  span.textContent = label;
  return span;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface DrawnMap {
  update(model: MapModel, labels: { branch: string }): void;
  destroy(): void;
}

export function createMap(el: HTMLElement, settings: MapSettings): DrawnMap {
  const map = L.map(el, {
    zoomSnap: 0.25,
    attributionControl: false,
    preferCanvas: false,
    worldCopyJump: false,
  });
  map.setView([37.3357, 116.5766], 11);
  L.control.scale({ imperial: false }).addTo(map);
  if (validTileUrl(settings.tileUrl)) {
    L.control.attribution({ prefix: false }).addTo(map);
    L.tileLayer(settings.tileUrl, {
      attribution: settings.attribution ? esc(settings.attribution) : "",
      maxZoom: 18,
      subdomains: ["0", "1", "2", "3", "4", "5", "6", "7"],
    }).addTo(map);
    el.dataset.tiles = "1";
  } else {
    el.dataset.tiles = "0";
  }
  const layer = L.layerGroup().addTo(map);
  let lastKey = "";
  let lastBounds: L.LatLngExpression[] = [];
  const fit = () => {
    map.invalidateSize({ animate: false });
    if (lastBounds.length > 1) map.fitBounds(L.latLngBounds(lastBounds), { padding: [28, 28], maxZoom: 15, animate: false });
    else if (lastBounds[0]) map.setView(lastBounds[0], 13, { animate: false });
  };
  // The box may change size after the map was made (layout, window): fit the places again.
  let lastSize = `${el.clientWidth}x${el.clientHeight}`;
  const resize = typeof ResizeObserver === "function"
    ? new ResizeObserver(() => {
        const size = `${el.clientWidth}x${el.clientHeight}`;
        if (size !== lastSize) {
          lastSize = size;
          fit();
        }
      })
    : null;
  resize?.observe(el);
  const at = (lat: number, lon: number): L.LatLngExpression => toDisplay(lat, lon, settings.crs);

  return {
    update(model, labels) {
      layer.clearLayers();
      const bounds: L.LatLngExpression[] = [];
      const home = at(model.branch.lat, model.branch.lon);
      bounds.push(home);
      for (const route of model.routes) {
        const line = [home, ...route.stops.map((s) => at(s.lat, s.lon)), home];
        L.polyline(line, { color: route.colour, weight: 4, opacity: 0.85, className: "route-line" })
          .bindTooltip(esc(route.name), { sticky: true })
          .addTo(layer);
        for (const stop of route.stops) {
          const p = at(stop.lat, stop.lon);
          bounds.push(p);
          const style = stopStyle(stop.status ?? "planned");
          const cls = ["m-stop", `status-${stop.status ?? "planned"}`, style.ring ? "ring" : "", stop.pinned ? "pinned" : ""].join(" ");
          const bg = style.fill ? route.colour : "#fff";
          const fg = style.fill ? "#fff" : route.colour;
          const icon = L.divIcon({
            className: "m-stop-icon",
            html: stopBadge(cls, stop.id, stop.label, { background: bg, color: fg, borderColor: route.colour, opacity: String(style.opacity) }, route.colour),
            iconSize: [26, 26],
            iconAnchor: [13, 13],
          });
          L.marker(p, { icon, title: stop.title, alt: stop.title, keyboard: true, riseOnHover: true })
            .bindPopup(`<strong>${esc(route.name)}</strong><br>${esc(stop.title)}`)
            .addTo(layer);
        }
      }
      for (const point of model.points ?? []) {
        const p = at(point.lat, point.lon);
        bounds.push(p);
        const icon = L.divIcon({
          className: "m-point-icon",
          html: `<span class="m-point ${point.kind}" data-point-kind="${point.kind}">${point.kind === "sos" ? "SOS" : point.kind === "checkin" ? "" : "!"}</span>`,
          iconSize: point.kind === "checkin" ? [10, 10] : [34, 22],
          iconAnchor: point.kind === "checkin" ? [5, 5] : [17, 11],
        });
        L.marker(p, { icon, title: point.title, alt: point.title, zIndexOffset: point.kind === "sos" ? 1000 : 0 })
          .bindPopup(esc(point.title))
          .addTo(layer);
      }
      const branchIcon = L.divIcon({
        className: "m-branch-icon",
        html: `<span class="m-branch" title="${esc(model.branch.name)}">${esc(labels.branch)}</span>`,
        iconSize: [30, 30],
        iconAnchor: [15, 15],
      });
      L.marker(home, { icon: branchIcon, title: model.branch.name, alt: model.branch.name, zIndexOffset: 500 }).addTo(layer);

      const key = placesKey(model);
      if (key !== lastKey) {
        lastKey = key;
        lastBounds = bounds;
        fit();
      }
      el.dataset.routes = String(model.routes.length);
      el.dataset.stops = String(model.routes.reduce((n, r) => n + r.stops.length, 0));
      el.dataset.ready = "1";
    },
    destroy() {
      resize?.disconnect();
      map.remove();
    },
  };
}
