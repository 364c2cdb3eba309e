"""The geocoders against recorded response shapes (httpx MockTransport), the rate limiter
with an injected clock, the cache, and one run against a local AMap stand-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from api.config import Settings
from api.geo.cache import cache_key, geocode_cached
from api.geo.factory import make_geocoder
from api.geo.http import AmapGeocoder, TiandituGeocoder
from api.geo.limiter import TokenBucket
from api.geo.provider import Answer, Found, GeocoderUnavailable, Missing
from models import GeocodeCache
from tests.conftest import TEST_SECRET
from tests.geo.amap_server import AMAP_BAD_KEY, AMAP_NOT_FOUND, amap_found, amap_server

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def free_limiter() -> TokenBucket:
    clock = FakeClock()
    return TokenBucket(1000, burst=1000, clock=clock, sleep=clock.sleep)


def amap_with(body: Any, seen: list[httpx.Request] | None = None) -> AmapGeocoder:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        if isinstance(body, Exception):
            raise body
        content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return httpx.Response(200, content=content)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    return AmapGeocoder("https://amap.test/", "k1", client=client, limiter=free_limiter())


@pytest.mark.parametrize(
    ("level", "precision"),
    [
        ("门牌号", "exact"),
        ("兴趣点", "exact"),
        ("道路", "village"),
        ("村庄", "village"),
        ("乡镇", "township"),
    ],
)
def test_amap_levels_map_to_precision(level: str, precision: str) -> None:
    seen: list[httpx.Request] = []
    answer = amap_with(amap_found(37.4, 116.6, level, "德州市陵城区某村"), seen).geocode(
        "某村5号", city="德州市"
    )
    assert answer == Found(37.4, 116.6, precision, "德州市陵城区某村")  # type: ignore[arg-type]
    params = seen[0].url.params
    assert seen[0].url.path == "/v3/geocode/geo"
    assert (params["key"], params["address"], params["city"]) == ("k1", "某村5号", "德州市")


def test_amap_district_level_is_too_coarse() -> None:
    answer = amap_with(amap_found(37.4, 116.6, "区县")).geocode("陵城区")
    assert isinstance(answer, Missing) and "区县" in answer.reason


def test_amap_not_found() -> None:
    answer = amap_with(AMAP_NOT_FOUND).geocode("不存在的地址")
    assert isinstance(answer, Missing) and "does not know" in answer.reason


def test_amap_key_error_is_unavailable_not_an_answer() -> None:
    with pytest.raises(GeocoderUnavailable, match=r"INVALID_USER_KEY.*10001"):
        amap_with(AMAP_BAD_KEY).geocode("某村")


@pytest.mark.parametrize(
    "body",
    [
        b"<html>busy</html>",
        b"[1, 2]",
        {"status": "1", "geocodes": [{"location": "x", "level": "门牌号"}]},
    ],
)
def test_amap_malformed_answers_are_unavailable(body: Any) -> None:
    with pytest.raises(GeocoderUnavailable):
        amap_with(body).geocode("某村")


def test_amap_timeout_is_unavailable() -> None:
    with pytest.raises(GeocoderUnavailable, match="in time"):
        amap_with(httpx.ReadTimeout("slow")).geocode("某村")


def test_amap_point_outside_china_is_refused() -> None:
    answer = amap_with(amap_found(48.85, 2.35, "门牌号")).geocode("巴黎")
    assert isinstance(answer, Missing) and "outside China" in answer.reason


def tianditu_with(body: dict[str, Any], seen: list[httpx.Request]) -> TiandituGeocoder:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=body)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    return TiandituGeocoder("https://tdt.test", "tk1", client=client, limiter=free_limiter())


def test_tianditu_found_and_not_found() -> None:
    seen: list[httpx.Request] = []
    body = {
        "msg": "ok",
        "status": "0",
        "location": {
            "lon": 116.57,
            "lat": 37.33,
            "level": "门址",
            "score": 100,
            "keyWord": "某村5号",
        },
    }
    answer = tianditu_with(body, seen).geocode("某村5号", city="德州市")
    assert answer == Found(37.33, 116.57, "exact", "某村5号")
    assert seen[0].url.path == "/geocoder"
    assert json.loads(seen[0].url.params["ds"]) == {"keyWord": "德州市某村5号"}
    assert seen[0].url.params["tk"] == "tk1"
    missing = tianditu_with({"msg": "无结果", "status": "101"}, seen).geocode("无")
    assert isinstance(missing, Missing)
    with pytest.raises(GeocoderUnavailable, match="权限"):
        tianditu_with({"msg": "权限类型错误", "status": "403"}, seen).geocode("某村")


def test_limiter_spaces_requests_by_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(3, burst=1, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        bucket.acquire()
    assert clock.slept == pytest.approx([1 / 3] * 3)
    assert bucket.wait_time() == pytest.approx(1 / 3)
    clock.now += 10  # idle: the bucket refills, up to its burst only
    assert bucket.wait_time() == 0
    bucket.acquire()
    assert len(clock.slept) == 3
    with pytest.raises(ValueError):
        TokenBucket(0)


class Counting:
    name = "amap"

    def __init__(self, answer: Answer | Exception) -> None:
        self.answer, self.calls = answer, 0

    def geocode(self, address: str, *, city: str = "") -> Answer:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_cache_keeps_found_and_not_found_but_not_errors(session: Session) -> None:
    found = Counting(Found(37.4, 116.6, "village", "某村"))
    assert geocode_cached(session, found, " 某村  5号 ", now=NOW) == found.answer
    assert geocode_cached(session, found, "某村 5号", now=NOW) == found.answer  # same, normalised
    assert found.calls == 1
    missing = Counting(Missing("unknown"))
    geocode_cached(session, missing, "无此地址", now=NOW)
    assert geocode_cached(session, missing, "无此地址", now=NOW) == Missing("unknown")
    assert missing.calls == 1
    broken = Counting(GeocoderUnavailable("down"))
    for _ in range(2):
        with pytest.raises(GeocoderUnavailable):
            geocode_cached(session, broken, "另一个地址", now=NOW)
    assert broken.calls == 2
    keys = set(session.exec(select(GeocodeCache.key)))
    assert cache_key("amap", "某村 5号") in keys and cache_key("amap", "另一个地址") not in keys


def test_local_amap_server_through_settings() -> None:
    def answer(address: str) -> dict[str, object]:
        return amap_found(37.41, 116.61, "村庄") if "某村" in address else AMAP_NOT_FOUND

    with amap_server(answer) as (url, asked):
        settings = Settings(
            env="test",
            secret_key=TEST_SECRET,
            geocoder="amap",
            geocoder_url=url,
            geocoder_key="local-key",
            geocoder_rate=1000,
        )
        geocoder = make_geocoder(settings)
        assert geocoder is not None
        assert geocoder.geocode("德州市某村", city="德州市") == Found(
            37.41, 116.61, "village", "山东省德州市陵城区"
        )
        assert isinstance(geocoder.geocode("火星"), Missing)
    assert asked == ["德州市某村", "火星"]
    assert make_geocoder(Settings(env="test", secret_key=TEST_SECRET)) is None
