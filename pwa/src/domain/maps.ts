// "Navigate" links. Coordinates are stored as WGS-84 (phone GPS); AMap and Baidu are told
// so with their own parameter instead of converting here.

export function geoLink(lat: number, lon: number, label: string): string {
  return `geo:${lat},${lon}?q=${lat},${lon}(${encodeURIComponent(label)})`;
}

export function amapLink(lat: number, lon: number, label: string): string {
  const q = new URLSearchParams({
    position: `${lon},${lat}`,
    name: label,
    src: "fieldvisit",
    coordinate: "wgs84",
    callnative: "1",
  });
  return `https://uri.amap.com/marker?${q.toString()}`;
}

export function baiduLink(lat: number, lon: number, label: string): string {
  const q = new URLSearchParams({
    location: `${lat},${lon}`,
    title: label,
    content: label,
    output: "html",
    coord_type: "wgs84",
    src: "webapp.fieldvisit",
  });
  return `https://api.map.baidu.com/marker?${q.toString()}`;
}

export function telLink(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, "")}`;
}
