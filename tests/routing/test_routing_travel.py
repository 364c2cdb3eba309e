"""Travel models: haversine maths and the OSRM client (against a mock server, no network)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx
import numpy as np
import pytest

from api.routing.travel import (
    UNREACHABLE,
    HaversineTravelModel,
    OsrmTravelModel,
    TravelModelError,
    haversine_m,
)

DEZHOU = (37.4355, 116.3575)
Handler = Callable[[httpx.Request], httpx.Response]


def test_one_degree_of_latitude() -> None:
    # 2π·R/360 with the mean earth radius: 111 195 m.
    dist = haversine_m([(0.0, 0.0), (1.0, 0.0)])
    assert dist[0, 1] == pytest.approx(2 * math.pi * 6_371_008.8 / 360, rel=1e-9)


def test_known_city_pair() -> None:
    # Dezhou to Jinan (36.6512, 117.1201): about 109 km as the crow flies.
    dist = haversine_m([DEZHOU, (36.6512, 117.1201)])
    assert 108_000 < dist[0, 1] < 111_000


def test_detour_and_speed() -> None:
    model = HaversineTravelModel(detour_factor=1.3, speed_kmh=30.0)
    duration, distance = model.matrix([(0.0, 0.0), (0.1, 0.0)])
    straight = 2 * math.pi * 6_371_008.8 / 360 * 0.1
    assert distance[0, 1] == round(straight * 1.3)
    assert duration[0, 1] == round(straight * 1.3 / (30 / 3.6))
    assert distance.dtype == np.int64 and duration.dtype == np.int64


def test_matrix_is_symmetric_with_zero_diagonal_for_many_points() -> None:
    rng = np.random.default_rng(0)
    points = [(DEZHOU[0] + dy, DEZHOU[1] + dx) for dy, dx in rng.uniform(-0.3, 0.3, size=(1000, 2))]
    duration, distance = HaversineTravelModel().matrix(points)
    assert duration.shape == distance.shape == (1000, 1000)
    assert np.array_equal(distance, distance.T)
    assert not np.diagonal(distance).any() and not np.diagonal(duration).any()
    assert (distance[~np.eye(1000, dtype=bool)] > 0).all()


def test_empty_and_single() -> None:
    duration, distance = HaversineTravelModel().matrix([])
    assert duration.shape == (0, 0)
    duration, distance = HaversineTravelModel().matrix([DEZHOU])
    assert distance.tolist() == [[0]]


@pytest.mark.parametrize(("detour", "speed"), [(0, 30), (1.3, 0), (-1, 30), (1.3, math.nan)])
def test_bad_settings(detour: float, speed: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        HaversineTravelModel(detour_factor=detour, speed_kmh=speed)


def test_bad_points() -> None:
    with pytest.raises(ValueError, match="latitude"):
        HaversineTravelModel().matrix([(95.0, 0.0), (0.0, 0.0)])


# --------------------------------------------------------------------------------------------
# OSRM

POINTS = [(37.40, 116.30), (37.41, 116.31), (37.42, 116.32), (37.43, 116.33), (37.44, 116.34)]
# The "road network": duration and distance between POINTS by index.
ROAD_T = [[0 if i == j else 100 * i + j + 0.4 for j in range(5)] for i in range(5)]
ROAD_D = [[0 if i == j else 1000 * i + 10 * j + 0.6 for j in range(5)] for i in range(5)]


def osrm_server(seen: list[httpx.Request], *, null_at: tuple[int, int] | None = None) -> Handler:
    """A mock OSRM table service over POINTS that honours sources/destinations."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = unquote(request.url.path)
        assert path.startswith("/osrm/table/v1/driving/")
        coords = [tuple(map(float, c.split(","))) for c in path.rsplit("/", 1)[1].split(";")]
        # OSRM takes lon,lat.
        index = [POINTS.index((round(lat, 6), round(lon, 6))) for lon, lat in coords]
        assert request.url.params["annotations"] == "duration,distance"
        src = request.url.params.get("sources")
        dst = request.url.params.get("destinations")
        rows = [index[int(k)] for k in src.split(";")] if src else index
        cols = [index[int(k)] for k in dst.split(";")] if dst else index

        def table(road: list[list[float]]) -> list[list[float | None]]:
            out: list[list[float | None]] = [[road[i][j] for j in cols] for i in rows]
            if null_at is not None and null_at[0] in rows and null_at[1] in cols:
                out[rows.index(null_at[0])][cols.index(null_at[1])] = None
            return out

        body = {"code": "Ok", "durations": table(ROAD_T), "distances": table(ROAD_D)}
        return httpx.Response(200, content=json.dumps(body))

    return handler


def model_with(handler: Handler, **kwargs: Any) -> OsrmTravelModel:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return OsrmTravelModel("http://osrm.test/osrm/", timeout=2.0, client=client, **kwargs)


def expected(road: list[list[float]]) -> list[list[int]]:
    return [[round(v) for v in row] for row in road]


def test_osrm_single_table() -> None:
    seen: list[httpx.Request] = []
    duration, distance = model_with(osrm_server(seen)).matrix(POINTS)
    assert len(seen) == 1
    assert "116.300000,37.400000" in unquote(str(seen[0].url))
    assert duration.tolist() == expected(ROAD_T)
    assert distance.tolist() == expected(ROAD_D)
    assert duration.dtype == np.int64


def test_osrm_large_table_in_blocks() -> None:
    seen: list[httpx.Request] = []
    duration, distance = model_with(osrm_server(seen), max_table_size=2).matrix(POINTS)
    assert len(seen) == 9  # 3 row blocks × 3 column blocks
    assert duration.tolist() == expected(ROAD_T)
    assert distance.tolist() == expected(ROAD_D)


def test_osrm_no_route_becomes_unreachable() -> None:
    seen: list[httpx.Request] = []
    duration, distance = model_with(osrm_server(seen, null_at=(1, 3))).matrix(POINTS)
    assert duration[1, 3] == UNREACHABLE and distance[1, 3] == UNREACHABLE
    assert duration[3, 1] == round(ROAD_T[3][1])


def test_osrm_error_answer() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"code": "TooBig", "message": "Too many table coordinates"})

    with pytest.raises(TravelModelError, match="TooBig"):
        model_with(handler).matrix(POINTS)


def test_osrm_not_json() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    with pytest.raises(TravelModelError, match="not JSON"):
        model_with(handler).matrix(POINTS)


def test_osrm_wrong_shape() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": "Ok", "durations": [[0]], "distances": [[0]]})

    with pytest.raises(TravelModelError, match="shape"):
        model_with(handler).matrix(POINTS)


def test_osrm_unreachable_server() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(TravelModelError, match="unreachable"):
        model_with(handler).matrix(POINTS)


def test_osrm_trivial_sizes_need_no_server() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    duration, _ = model_with(handler).matrix([POINTS[0]])
    assert duration.tolist() == [[0]]
