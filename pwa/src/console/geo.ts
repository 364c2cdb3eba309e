// Coordinates for the map. Everything is stored in WGS-84; tiles from AMap or Tencent use
// GCJ-02, so markers are shifted only when drawn on such tiles (ui-guide.md). Tianditu and
// OpenStreetMap-style tiles take WGS-84 as is.

export type TileCrs = "wgs84" | "gcj02";

const A = 6378245.0;
const EE = 0.00669342162296594323;

function outOfChina(lat: number, lon: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

function transformLon(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return ret;
}

/** WGS-84 -> GCJ-02 (the published approximation; identity outside China). */
export function wgs84ToGcj02(lat: number, lon: number): [number, number] {
  if (outOfChina(lat, lon)) return [lat, lon];
  let dLat = transformLat(lon - 105.0, lat - 35.0);
  let dLon = transformLon(lon - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLon = (dLon * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lat + dLat, lon + dLon];
}

/** A stored WGS-84 point as drawn on tiles of `crs`. */
export function toDisplay(lat: number, lon: number, crs: TileCrs): [number, number] {
  return crs === "gcj02" ? wgs84ToGcj02(lat, lon) : [lat, lon];
}

/** A point picked on tiles of `crs` back to WGS-84 (GCJ-02 inverted by a few fixed-point
 * steps: well under a metre, far below a GPS fix's error). */
export function fromDisplay(lat: number, lon: number, crs: TileCrs): [number, number] {
  if (crs !== "gcj02") return [lat, lon];
  let wLat = lat;
  let wLon = lon;
  for (let i = 0; i < 6; i++) {
    const [gLat, gLon] = wgs84ToGcj02(wLat, wLon);
    wLat -= gLat - lat;
    wLon -= gLon - lon;
  }
  return [wLat, wLon];
}
