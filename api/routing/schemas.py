"""Solve request and response: integer seconds and metres throughout.

Times are seconds on one clock chosen by the caller (e.g. seconds since midnight); durations
and distances come from `matrix` (or from `locations` through a travel model).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

MAX_STOPS = 1000
MAX_VEHICLES = 200
MAX_LOCATIONS = MAX_STOPS + 2 * MAX_VEHICLES
MAX_TIME_LIMIT_S = 60.0
MIN_TIME_LIMIT_S = 0.1
MAX_ITERATIONS = 1_000_000
MAX_SECONDS = 10**10  # any clock the caller likes (even Unix time), far from int64 limits
MAX_MATRIX_VALUE = 10**9  # 11.5 days / 1,000,000 km: anything larger is a unit mistake
MAX_PRIZE = 10**9  # metres; keeps prize sums far from int64 limits inside the solver
MAX_AMOUNT = 10**9
MAX_BREAKS = 8
MAX_WORKING_TIME_WEIGHT = 10_000

Id = Annotated[str, Field(min_length=1, max_length=100)]
Index = Annotated[int, Field(ge=0)]
Seconds = Annotated[int, Field(ge=0, le=MAX_SECONDS)]
Window = tuple[Seconds, Seconds]


class _Strict(BaseModel):
    # Unknown keys are refused so that a misspelt field is reported instead of ignored.
    model_config = ConfigDict(extra="forbid")


class Vehicle(_Strict):
    """One officer's day: where it starts and ends and when."""

    id: Id
    start: Index = Field(description="Matrix/location index where the officer starts.")
    end: Index = Field(description="Matrix/location index where the officer ends the day.")
    shift: Window = Field(description="[earliest departure, latest return] in seconds.")
    capacity: Annotated[int, Field(ge=0, le=MAX_AMOUNT)] | None = Field(
        default=None, description="Most total demand the officer can take; null = no limit."
    )
    max_duration_s: Annotated[int, Field(gt=0, le=MAX_SECONDS)] | None = Field(
        default=None,
        description="Longest working time from departure to return, breaks not counted; "
        "null = shift.",
    )
    breaks: list[Window] = Field(
        default_factory=list,
        max_length=MAX_BREAKS,
        description="[start, end] periods in which the officer neither drives nor visits.",
    )
    departure: Literal["latest", "shift_start"] = Field(
        "latest",
        description="latest: leave as late as no visit is delayed (shortest day); "
        "shift_start: leave at the shift start and wait at a stop when early.",
    )

    @field_validator("shift")
    @classmethod
    def _shift_ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] > value[1]:
            raise ValueError(f"shift starts at {value[0]} after it ends at {value[1]}")
        return value

    @field_validator("breaks")
    @classmethod
    def _breaks_ordered(cls, value: list[tuple[int, int]]) -> list[tuple[int, int]]:
        for start, end in value:
            if start >= end:
                raise ValueError(f"a break starts at {start}, not before it ends at {end}")
        return value


class Stop(_Strict):
    """A visit. Without a prize it is required; with a prize it is optional."""

    id: Id
    location: Index = Field(description="Matrix/location index of the visit.")
    service_s: Seconds = Field(default=0, description="Time spent at the visit.")
    window: Window | None = Field(
        default=None,
        description="The whole visit (arrival to departure) must fall inside; null = any time.",
    )
    demand: Annotated[int, Field(ge=0, le=MAX_AMOUNT)] = 1
    prize: Annotated[int, Field(ge=0, le=MAX_PRIZE)] | None = Field(
        default=None,
        description=(
            "null = required. Otherwise optional, worth this many metres of driving: the "
            "solver minimises distance plus the prizes of the optional stops it leaves out."
        ),
    )

    @model_validator(mode="after")
    def _window_fits_service(self) -> Self:
        if self.window is not None:
            start, end = self.window
            if start > end:
                raise ValueError(
                    f"stop {self.id!r}: window starts at {start} after it ends at {end}"
                )
            if end - start < self.service_s:
                raise ValueError(
                    f"stop {self.id!r}: window [{start}, {end}] is {end - start} s long but the "
                    f"visit takes service_s={self.service_s} s; widen the window or shorten "
                    "the visit"
                )
        return self

    @property
    def required(self) -> bool:
        return self.prize is None


class Matrix(_Strict):
    duration_s: list[list[int]]
    distance_m: list[list[int]]
    # The validated arrays, kept so that the solver does not convert a big matrix twice.
    _arrays: dict[str, NDArray[np.int64]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _square_and_sane(self) -> Self:
        n = len(self.duration_s)
        if n == 0:
            raise ValueError("matrix is empty: give one row per location")
        if n > MAX_LOCATIONS:
            raise ValueError(f"matrix has {n} locations; at most {MAX_LOCATIONS} are allowed")
        for name in ("duration_s", "distance_m"):
            rows: list[list[int]] = getattr(self, name)
            if len(rows) != n:
                raise ValueError(
                    f"matrix.distance_m has {len(rows)} rows but matrix.duration_s has {n}; "
                    "both must be n×n over the same locations"
                )
            for i, row in enumerate(rows):
                if len(row) != n:
                    raise ValueError(
                        f"matrix.{name} row {i} has {len(row)} values; the matrix must be "
                        f"square ({n}×{n})"
                    )
            arr = np.asarray(rows, dtype=np.int64)
            self._arrays[name] = arr
            bad = np.argwhere((arr < 0) | (arr > MAX_MATRIX_VALUE))
            if len(bad):
                i, j = (int(x) for x in bad[0])
                raise ValueError(
                    f"matrix.{name}[{i}][{j}] = {int(arr[i, j])}: values must be between 0 "
                    f"and {MAX_MATRIX_VALUE} (seconds or metres)"
                )
            nonzero = np.flatnonzero(np.diagonal(arr))
            if len(nonzero):
                i = int(nonzero[0])
                raise ValueError(
                    f"matrix.{name}[{i}][{i}] = {int(arr[i, i])}: travel from a location to "
                    "itself must be 0"
                )
        return self

    @property
    def size(self) -> int:
        return len(self.duration_s)

    def arrays(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(duration_s, distance_m) as int64 arrays."""
        if "duration_s" not in self._arrays or "distance_m" not in self._arrays:
            # Built without validation (model_construct): convert now.
            self._arrays["duration_s"] = np.asarray(self.duration_s, dtype=np.int64)
            self._arrays["distance_m"] = np.asarray(self.distance_m, dtype=np.int64)
        return self._arrays["duration_s"], self._arrays["distance_m"]


class LatLon(_Strict):
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class SolveRequest(_Strict):
    time_limit_s: Annotated[float, Field(ge=MIN_TIME_LIMIT_S, le=MAX_TIME_LIMIT_S)] = Field(
        default=5.0, description="Wall-clock budget for the whole solve."
    )
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 1
    max_iterations: Annotated[int, Field(ge=1, le=MAX_ITERATIONS)] | None = Field(
        default=None,
        description=(
            "Stop after this many search iterations instead of at the time limit (which still "
            "caps the run). Same seed and max_iterations give the same answer."
        ),
    )
    working_time_weight: Annotated[int, Field(ge=0, le=MAX_WORKING_TIME_WEIGHT)] = Field(
        default=0,
        description=(
            "Metres of driving one minute of working time (departure to return, breaks not "
            "counted) is worth: 0 minimises driving only."
        ),
    )
    vehicles: list[Vehicle] = Field(min_length=1, max_length=MAX_VEHICLES)
    stops: list[Stop] = Field(default_factory=list, max_length=MAX_STOPS)
    matrix: Matrix | None = None
    locations: list[LatLon] | None = Field(default=None, max_length=MAX_LOCATIONS)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.matrix is None) == (self.locations is None):
            raise ValueError("give exactly one of 'matrix' or 'locations'")
        n = self.num_locations
        if n == 0:
            raise ValueError("locations is empty: give one point per location")
        source = "matrix" if self.matrix is not None else "locations"
        uses = [
            (f"vehicles[{k}] ({v.id!r}).{end}", getattr(v, end))
            for k, v in enumerate(self.vehicles)
            for end in ("start", "end")
        ] + [(f"stops[{k}] ({s.id!r}).location", s.location) for k, s in enumerate(self.stops)]
        for where, index in uses:
            if index >= n:
                raise ValueError(
                    f"{where} = {index} but {source} has only {n} locations (indices 0..{n - 1})"
                )
        _unique([v.id for v in self.vehicles], "vehicle")
        _unique([s.id for s in self.stops], "stop")
        return self

    @property
    def num_locations(self) -> int:
        return self.matrix.size if self.matrix is not None else len(self.locations or [])


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{what} id {value!r} appears more than once; ids must be unique")
        seen.add(value)


class StopVisit(BaseModel):
    id: str
    location: int
    arrival_s: int = Field(description="Start of service (after any wait for the window).")
    departure_s: int = Field(description="arrival_s + service_s.")
    wait_s: int = Field(description="Time spent waiting for the window to open.")
    travel_distance_m: int = Field(description="Length of the leg that leads to this stop.")


class Route(BaseModel):
    vehicle_id: str
    stops: list[StopVisit]
    start_s: int | None = Field(description="Departure from the start; null if unused.")
    end_s: int | None = Field(description="Arrival at the end; null if unused.")
    distance_m: int
    duration_s: int = Field(description="end_s - start_s: driving, visiting and waiting.")
    load: int


class SolveResponse(BaseModel):
    routes: list[Route] = Field(description="One per vehicle, in request order.")
    unassigned: list[str] = Field(description="Every stop left out, required or optional.")
    unassigned_required: list[str]
    distance_m: int
    duration_s: int
    feasible: bool = Field(description="All required stops placed and every constraint kept.")
    objective: int = Field(description="distance_m + prizes of the optional stops left out.")
    prize_collected: int
    violations: list[str] = Field(
        default_factory=list, description="Broken constraints, if any (normally empty)."
    )
    solve_time_s: float
    iterations: int
