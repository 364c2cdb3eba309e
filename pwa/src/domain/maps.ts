// "Navigate" links. Coordinates are stored as WGS-84 (phone GPS); AMap and Baidu are told
// so with their own parameter instead of converting here.

const enc = encodeURIComponent;

export function geoLink(lat: number, lon: number, label: string): string {
  return `geo:${lat},${lon}?q=${lat},${lon}(${enc(label)})`;
}

/** AMap (Gaode) URI API: position is "lon,lat"; coordinate=wgs84 makes AMap convert. */
export function amapLink(lat: number, lon: number, label: string): string {
  return `https://uri.amap.com/marker?position=${lon},${lat}&name=${enc(label)}&src=fieldvisit&coordinate=wgs84&callnative=1`;
}

/** Baidu URI API: location is "lat,lng"; coord_type=wgs84 makes Baidu convert. */
export function baiduLink(lat: number, lon: number, label: string): string {
  return `https://api.map.baidu.com/marker?location=${lat},${lon}&title=${enc(label)}&content=${enc(label)}&output=html&coord_type=wgs84&src=webapp.fieldvisit`;
}

export function telLink(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, "")}`;
}
