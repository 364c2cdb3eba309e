// The console's own settings, kept in this browser (localStorage): the map's tile source.
// Empty by default: the map then draws the branch, the stops and the routes on a plain
// background, which works offline and in tests.
import type { TileCrs } from "./geo";

export interface MapSettings {
  /** e.g. https://t{s}.tianditu.gov.cn/...{z}/{x}/{y}...; "" = no tiles. */
  tileUrl: string;
  attribution: string;
  crs: TileCrs;
}

const KEY = "fieldvisit.console.map";
export const DEFAULT_MAP: MapSettings = { tileUrl: "", attribution: "", crs: "wgs84" };

type Store = Pick<Storage, "getItem" | "setItem">;

function store(): Store | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage blocked by the browser
  }
}

export function loadMapSettings(s: Store | null = store()): MapSettings {
  try {
    const raw = s?.getItem(KEY);
    if (!raw) return { ...DEFAULT_MAP };
    const v = JSON.parse(raw) as Partial<MapSettings>;
    return {
      tileUrl: typeof v.tileUrl === "string" ? v.tileUrl.trim() : "",
      attribution: typeof v.attribution === "string" ? v.attribution : "",
      crs: v.crs === "gcj02" ? "gcj02" : "wgs84",
    };
  } catch {
    return { ...DEFAULT_MAP };
  }
}

export function saveMapSettings(value: MapSettings, s: Store | null = store()): void {
  s?.setItem(KEY, JSON.stringify({ ...value, tileUrl: value.tileUrl.trim() }));
}

/** A tile URL template Leaflet can use: http(s) with {z}, {x} and {y}. */
export function validTileUrl(url: string): boolean {
  const u = url.trim();
  return /^https?:\/\//i.test(u) && u.includes("{z}") && u.includes("{x}") && u.includes("{y}");
}
