"""Travel models: turn (lat, lon) points into integer duration (s) and distance (m) matrices."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from api.errors import DomainError

if TYPE_CHECKING:
    import httpx

    from api.config import Settings

IntMatrix = NDArray[np.int64]
Point = tuple[float, float]
"""A point as (latitude, longitude) in degrees."""

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
UNREACHABLE = 1_000_000_000
"""Stands in for a pair of points with no road between them: large enough that the solver
never uses the leg, small enough to keep route sums far from int64 overflow."""


class TravelModelError(RuntimeError):
    """The travel model could not produce a matrix (service down, bad answer)."""


class TravelUnavailable(DomainError, status=503):
    """Travel times cannot be had (the OSRM server is down or not configured)."""


class TravelModel(Protocol):
    def matrix(self, points: Sequence[Point]) -> tuple[IntMatrix, IntMatrix]:
        """Return (duration_s, distance_m), both n×n int64 with a zero diagonal."""
        ...


def _as_latlon(points: Sequence[Point]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    arr = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if not np.all(np.isfinite(arr)):
        raise ValueError("points must be finite (lat, lon) pairs")
    lat, lon = arr[:, 0], arr[:, 1]
    if np.any(np.abs(lat) > 90) or np.any(np.abs(lon) > 180):
        raise ValueError("latitude must be within ±90 and longitude within ±180")
    return lat, lon


def haversine_m(points: Sequence[Point]) -> NDArray[np.float64]:
    """Great-circle distances in metres between all pairs (float, n×n)."""
    lat, lon = _as_latlon(points)
    phi = np.radians(lat)
    lam = np.radians(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    # Clip guards arcsin against rounding just above 1 for antipodal points.
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


class HaversineTravelModel:
    """Straight-line distance times a detour factor, driven at the speed of the road class.

    Both settings belong to the branch: rural roads wind more (higher detour) and are slower.
    A leg to or from one of `slow_points` (a borrower whose road is flagged remote) is driven
    at `slow_speed_kmh`.
    """

    def __init__(
        self,
        detour_factor: float = 1.3,
        speed_kmh: float = 30.0,
        *,
        slow_speed_kmh: float | None = None,
        slow_points: Collection[Point] = (),
    ) -> None:
        if not (np.isfinite(detour_factor) and detour_factor > 0):
            raise ValueError("detour_factor must be a positive number")
        for speed in (speed_kmh, slow_speed_kmh if slow_speed_kmh is not None else speed_kmh):
            if not (np.isfinite(speed) and speed > 0):
                raise ValueError("speed_kmh must be a positive number")
        self.detour_factor = float(detour_factor)
        self.speed_kmh = float(speed_kmh)
        self.slow_speed_kmh = float(slow_speed_kmh) if slow_speed_kmh is not None else None
        self.slow_points = frozenset(slow_points)

    def __repr__(self) -> str:
        return (
            f"HaversineTravelModel(detour_factor={self.detour_factor}, speed_kmh={self.speed_kmh})"
        )

    def matrix(self, points: Sequence[Point]) -> tuple[IntMatrix, IntMatrix]:
        if len(points) == 0:
            empty = np.zeros((0, 0), dtype=np.int64)
            return empty, empty.copy()
        road_m = haversine_m(points) * self.detour_factor
        speed = np.full(road_m.shape, self.speed_kmh / 3.6)
        if self.slow_speed_kmh is not None and self.slow_points:
            slow = np.array([tuple(p) in self.slow_points for p in points], dtype=bool)
            speed[slow[:, None] | slow[None, :]] = self.slow_speed_kmh / 3.6
        distance = np.rint(road_m).astype(np.int64)
        duration = np.rint(road_m / speed).astype(np.int64)
        np.fill_diagonal(distance, 0)
        np.fill_diagonal(duration, 0)
        return duration, distance


@dataclass(frozen=True)
class TravelChoice:
    """Which travel model the server uses (FIELDVISIT_TRAVEL, FIELDVISIT_OSRM_URL)."""

    kind: Literal["haversine", "osrm"] = "haversine"
    osrm_url: str = ""
    timeout_s: float = 10.0

    @classmethod
    def of(cls, settings: Settings) -> TravelChoice:
        return cls(settings.travel, settings.osrm_url, settings.osrm_timeout_s)

    def model(
        self,
        *,
        detour_factor: float = 1.3,
        speed_kmh: float = 30.0,
        slow_speed_kmh: float | None = None,
        slow_points: Collection[Point] = (),
    ) -> TravelModel:
        """The model; the haversine settings are ignored by OSRM (it knows the roads)."""
        if self.kind == "osrm":
            if not self.osrm_url:
                raise TravelUnavailable(
                    "FIELDVISIT_TRAVEL is osrm but FIELDVISIT_OSRM_URL is empty: set the "
                    "OSRM server's address."
                )
            return OsrmTravelModel(self.osrm_url, timeout=self.timeout_s)
        return HaversineTravelModel(
            detour_factor,
            speed_kmh,
            slow_speed_kmh=slow_speed_kmh,
            slow_points=slow_points,
        )


class OsrmTravelModel:
    """Road durations and distances from an OSRM server's table service.

    OSRM refuses tables larger than its `--max-table-size` (100 by default), so bigger
    matrices are fetched in blocks of at most `max_table_size` sources × destinations.
    """

    def __init__(
        self,
        base_url: str,
        timeout: float = 10.0,
        *,
        profile: str = "driving",
        max_table_size: int = 100,
        client: httpx.Client | None = None,
    ) -> None:
        if max_table_size < 1:
            raise ValueError("max_table_size must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.profile = profile
        self.max_table_size = max_table_size
        self._client = client

    def __repr__(self) -> str:
        return f"OsrmTravelModel({self.base_url!r}, timeout={self.timeout})"

    def matrix(self, points: Sequence[Point]) -> tuple[IntMatrix, IntMatrix]:
        lat, lon = _as_latlon(points)
        n = len(lat)
        duration = np.zeros((n, n), dtype=np.int64)
        distance = np.zeros((n, n), dtype=np.int64)
        if n <= 1:
            return duration, distance
        coords = [f"{lo:.6f},{la:.6f}" for la, lo in zip(lat.tolist(), lon.tolist(), strict=True)]
        size = self.max_table_size
        client = self._client if self._client is not None else self._new_client()
        try:
            for i0 in range(0, n, size):
                rows = list(range(i0, min(n, i0 + size)))
                for j0 in range(0, n, size):
                    cols = list(range(j0, min(n, j0 + size)))
                    dur, dist = self._block(client, coords, rows, cols, whole=n <= size)
                    duration[np.ix_(rows, cols)] = dur
                    distance[np.ix_(rows, cols)] = dist
        finally:
            if self._client is None:
                client.close()
        np.fill_diagonal(duration, 0)
        np.fill_diagonal(distance, 0)
        return duration, distance

    def _new_client(self) -> httpx.Client:
        # Imported here: httpx is only needed when an OSRM server is configured.
        import httpx

        return httpx.Client(timeout=self.timeout)

    def _block(
        self,
        client: httpx.Client,
        coords: list[str],
        rows: list[int],
        cols: list[int],
        *,
        whole: bool,
    ) -> tuple[IntMatrix, IntMatrix]:
        import httpx

        params: dict[str, str] = {"annotations": "duration,distance"}
        if whole:
            used = list(range(len(coords)))
        else:
            # Send only the coordinates this block needs; sources/destinations index into them.
            used = sorted(set(rows) | set(cols))
            pos = {idx: k for k, idx in enumerate(used)}
            params["sources"] = ";".join(str(pos[i]) for i in rows)
            params["destinations"] = ";".join(str(pos[j]) for j in cols)
        url = f"{self.base_url}/table/v1/{self.profile}/" + ";".join(coords[k] for k in used)
        try:
            response = client.get(url, params=params, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise TravelModelError(f"OSRM at {self.base_url} unreachable: {exc}") from exc
        try:
            body: Any = response.json()
        except ValueError as exc:
            raise TravelModelError(
                f"OSRM answered HTTP {response.status_code} with a body that is not JSON"
            ) from exc
        if response.status_code != 200 or not isinstance(body, dict) or body.get("code") != "Ok":
            code = body.get("code") if isinstance(body, dict) else None
            message = body.get("message") if isinstance(body, dict) else None
            raise TravelModelError(
                f"OSRM table failed: HTTP {response.status_code}, code={code}, message={message}"
            )
        shape = (len(rows), len(cols))
        return (
            _osrm_table(body.get("durations"), shape, "durations"),
            _osrm_table(body.get("distances"), shape, "distances"),
        )


def _osrm_table(raw: Any, shape: tuple[int, int], name: str) -> IntMatrix:
    try:
        # None (OSRM's "no route between these points") becomes NaN here.
        arr = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TravelModelError(f"OSRM '{name}' table is not a table of numbers") from exc
    if arr.shape != shape:
        raise TravelModelError(
            f"OSRM '{name}' table has shape {arr.shape}, expected {shape[0]}×{shape[1]}"
        )
    missing = np.isnan(arr)
    if np.any(arr[~missing] < 0) or np.any(np.isinf(arr)):
        raise TravelModelError(f"OSRM '{name}' table holds negative or infinite values")
    arr[missing] = UNREACHABLE
    return np.minimum(np.rint(arr), UNREACHABLE).astype(np.int64)
