"""The configured geocoder (FIELDVISIT_GEOCODER), or None when geocoding is off."""

from __future__ import annotations

from functools import lru_cache

from api.config import Settings
from api.geo.http import AmapGeocoder, TiandituGeocoder
from api.geo.provider import Geocoder

DEFAULT_URLS = {"amap": "https://restapi.amap.com", "tianditu": "https://api.tianditu.gov.cn"}
PROVIDERS: dict[str, type[AmapGeocoder] | type[TiandituGeocoder]] = {
    "amap": AmapGeocoder,
    "tianditu": TiandituGeocoder,
}


def make_geocoder(settings: Settings) -> Geocoder | None:
    """One geocoder per configuration and process, so its rate limit holds across requests."""
    if settings.geocoder == "none":
        return None
    url = settings.geocoder_url or DEFAULT_URLS[settings.geocoder]
    return _shared(
        settings.geocoder,
        url,
        settings.geocoder_key,
        settings.geocoder_rate,
        settings.geocoder_timeout,
    )


@lru_cache(maxsize=8)
def _shared(name: str, url: str, key: str, rate: float, timeout: float) -> Geocoder:
    return PROVIDERS[name](url, key, rate=rate, timeout=timeout)
