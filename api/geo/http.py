"""The two providers: AMap Web Service geocoding and Tianditu's geocoder, over httpx.

AMap answers GCJ-02 coordinates (China's offset datum); they are kept as they are, since the
maps the app links to (AMap) use GCJ-02 too. Tianditu answers CGCS2000 (WGS-84 within a
metre or so)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from api.geo.limiter import TokenBucket
from api.geo.provider import Answer, Found, GeocoderUnavailable, Missing, Precision, checked

# AMap's `level` of a match -> how precisely it places a house; coarser levels are refused.
AMAP_LEVELS: dict[str, Precision] = {
    "门牌号": "exact",
    "单元号": "exact",
    "兴趣点": "exact",
    "道路交叉路口": "exact",
    "公交站台": "exact",
    "地铁站": "exact",
    "村庄": "village",
    "道路": "village",
    "热点商圈": "village",
    "乡镇": "township",
    "开发区": "township",
}
# Tianditu's levels (its answers use a few more words for the same ideas).
TIANDITU_LEVELS: dict[str, Precision] = {
    "门址": "exact",
    "门牌号": "exact",
    "兴趣点": "exact",
    "POI": "exact",
    "村庄": "village",
    "道路": "village",
    "乡镇": "township",
}
TOO_COARSE = "the geocoder only found the {level} (too coarse to find the house); add the village"
MAX_BODY = 256 * 1024


class HttpGeocoder:
    """What both providers share: the client, the rate limit, the JSON of one GET."""

    name = "none"

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        rate: float = 3.0,
        timeout: float = 5.0,
        client: httpx.Client | None = None,
        limiter: TokenBucket | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.client = client or httpx.Client(timeout=timeout)
        self.limiter = limiter or TokenBucket(rate)

    def _get_json(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        self.limiter.acquire()
        try:
            response = self.client.get(f"{self.base_url}{path}", params=params)
        except httpx.TimeoutException as exc:
            raise GeocoderUnavailable(f"{self.name} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise GeocoderUnavailable(f"{self.name} could not be reached ({exc})") from exc
        if response.status_code != 200:
            raise GeocoderUnavailable(f"{self.name} answered HTTP {response.status_code}")
        try:
            body = json.loads(response.content[:MAX_BODY])
        except ValueError as exc:
            raise GeocoderUnavailable(f"{self.name} answered something that is not JSON") from exc
        if not isinstance(body, dict):
            raise GeocoderUnavailable(f"{self.name} answered an unexpected JSON shape")
        return body


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


class AmapGeocoder(HttpGeocoder):
    """`GET {base}/v3/geocode/geo?key=..&address=..&city=..`"""

    name = "amap"

    def geocode(self, address: str, *, city: str = "") -> Answer:
        params = {"key": self.key, "address": address, "output": "JSON"}
        if city:
            params["city"] = city
        return parse_amap(self._get_json("/v3/geocode/geo", params))


def parse_amap(body: dict[str, Any]) -> Answer:
    """AMap's answer: status "1" with `geocodes`, or "0" with `info` / `infocode`."""
    if body.get("status") != "1":
        info, code = _text(body.get("info")) or "no info", _text(body.get("infocode"))
        raise GeocoderUnavailable(f"amap refused the request: {info} (infocode {code or '?'})")
    geocodes = body.get("geocodes")
    if not isinstance(geocodes, list) or not geocodes:
        return Missing("the geocoder does not know this address; check it or place a pin")
    first = geocodes[0]
    if not isinstance(first, dict):
        raise GeocoderUnavailable("amap answered an unexpected JSON shape")
    level = _text(first.get("level"))
    precision = AMAP_LEVELS.get(level)
    if precision is None:
        return Missing(TOO_COARSE.format(level=level or "area"))
    lon_lat = _text(first.get("location")).split(",")
    try:
        lon, lat = float(lon_lat[0]), float(lon_lat[1])
    except (ValueError, IndexError) as exc:
        raise GeocoderUnavailable("amap answered a location that is not 'lon,lat'") from exc
    return checked(Found(lat, lon, precision, _text(first.get("formatted_address"))))


class TiandituGeocoder(HttpGeocoder):
    """`GET {base}/geocoder?ds={"keyWord":..}&tk=..`"""

    name = "tianditu"

    def geocode(self, address: str, *, city: str = "") -> Answer:
        words = f"{city}{address}" if city and city not in address else address
        ds = json.dumps({"keyWord": words}, ensure_ascii=False)
        return parse_tianditu(self._get_json("/geocoder", {"ds": ds, "tk": self.key}), words)


def parse_tianditu(body: dict[str, Any], words: str) -> Answer:
    """Tianditu's answer: status "0" with `location{lon,lat,level,score}`."""
    status = _text(body.get("status")) or str(body.get("status", ""))
    location = body.get("location")
    if status != "0":
        if status in ("1", "101"):
            return Missing("the geocoder does not know this address; check it or place a pin")
        msg = _text(body.get("msg")) or "no message"
        raise GeocoderUnavailable(f"tianditu refused the request: {msg} (status {status})")
    if not isinstance(location, dict):
        return Missing("the geocoder does not know this address; check it or place a pin")
    level = _text(location.get("level"))
    precision = TIANDITU_LEVELS.get(level)
    if precision is None:
        return Missing(TOO_COARSE.format(level=level or "area"))
    try:
        lat, lon = float(location["lat"]), float(location["lon"])
    except (KeyError, TypeError, ValueError) as exc:
        raise GeocoderUnavailable("tianditu answered a location without lat/lon") from exc
    return checked(Found(lat, lon, precision, _text(location.get("keyWord")) or words))
