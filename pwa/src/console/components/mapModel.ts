// What the route map draws; built by the screens, drawn by leafletMap.ts (lazy).
export interface MapStop {
  id: string;
  lat: number;
  lon: number;
  /** Written on the marker: the position in the route. */
  label: string;
  /** Hover and popup text (plain text). */
  title: string;
  status?: string;
  pinned?: boolean;
}

export interface MapRoute {
  key: string;
  colour: string;
  name: string;
  stops: MapStop[];
}

export interface MapPoint {
  id: string;
  lat: number;
  lon: number;
  title: string;
  kind: "sos" | "overdue_checkout" | "checkin";
}

export interface MapModel {
  branch: { lat: number; lon: number; name: string };
  routes: MapRoute[];
  points?: MapPoint[];
}

/** A key that changes when the set of places changes (then the map fits them again). */
export function placesKey(model: MapModel): string {
  return [
    `${model.branch.lat},${model.branch.lon}`,
    ...model.routes.flatMap((r) => r.stops.map((s) => s.id)),
    ...(model.points ?? []).map((p) => p.id),
  ].join("|");
}
