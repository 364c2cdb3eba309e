"""Share visits among routes and order each route with the routing solver; measure the
clerk order. Pure: no FastAPI, no database.

A route is one officer or one team travelling together. Stops are given in *clerk order*
(the order a clerk would hand them out: the order given, or the import order); the clerk
baseline drives each route's stops in that order. When the clerk order of a route keeps every
window and is shorter than the solver's (possible with a small iteration budget), the clerk
order is kept, so a plan never drives more than the clerk order would without a reason.

Pinned stops stay on their route. The solver has no "this stop only on that vehicle"
constraint, so pins are kept in two stages: first one solve over all routes (which balances
the unpinned stops); if any pinned stop landed elsewhere, each route is then solved alone
with its pinned stops and the unpinned stops the first stage gave it. When every stop is
pinned (re-optimising a plan that keeps its areas) each route is solved alone at once.

Every route leaves at its shift start, never works during its breaks and is back by its
shift end (`api.routing.breaks`); the objective is driving plus `working_time_weight`
metres per minute of working time.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from api.routing.schemas import (
    MAX_TIME_LIMIT_S,
    MIN_TIME_LIMIT_S,
    Matrix,
    SolveRequest,
    Stop,
    Vehicle,
)
from api.routing.solver import RouteTiming, solve, time_route
from api.routing.travel import TravelModel

Point = tuple[float, float]  # (lat, lon)


@dataclass(frozen=True)
class RouteSpec:
    start: Point
    end: Point
    shift: tuple[int, int]  # seconds on the plan's clock
    breaks: tuple[tuple[int, int], ...] = ()  # no driving or visiting inside these
    max_work_s: int | None = None  # working time (breaks not counted) at most this


@dataclass(frozen=True)
class StopSpec:
    key: str
    point: Point
    window: tuple[int, int]
    service_s: int
    prize: int | None = None  # None: required; otherwise optional, worth this many metres
    pinned_route: int | None = None  # index into the routes
    slow_road: bool = False  # reached by a remote road: the travel model's slow class


@dataclass(frozen=True)
class PlannedStop:
    key: str
    arrival_s: int
    departure_s: int
    leg_m: int  # distance of the leg that leads to this stop


@dataclass
class PlannedRoute:
    stops: list[PlannedStop] = field(default_factory=list)
    distance_m: int = 0
    duration_s: int = 0
    start_s: int | None = None
    end_s: int | None = None
    clerk_distance_m: int = 0
    clerk_late: int = 0  # visits the clerk order would end after their window closes
    clerk_order_kept: bool = False
    violations: list[str] = field(default_factory=list)  # broken constraints (normally none)
    work_s: int = 0  # duration_s without breaks

    @property
    def saved_m(self) -> int:
        return self.clerk_distance_m - self.distance_m


@dataclass
class PlanOutcome:
    routes: list[PlannedRoute]
    unassigned: list[str]  # stop keys left out (in clerk order)
    iterations: int = 0
    solve_time_s: float = 0.0
    violations: list[str] = field(default_factory=list)


def _budget(seconds: float) -> float:
    return min(MAX_TIME_LIMIT_S, max(MIN_TIME_LIMIT_S, seconds))


def plan_routes(
    routes: Sequence[RouteSpec],
    stops: Sequence[StopSpec],
    *,
    travel: TravelModel,
    time_limit_s: float,
    max_iterations: int | None = None,
    seed: int = 1,
    working_time_weight: int = 0,
) -> PlanOutcome:
    """Assign and order `stops` (in clerk order) over `routes`."""
    _check(routes, stops)
    if not stops:
        return PlanOutcome(routes=[PlannedRoute() for _ in routes], unassigned=[])
    t0 = time.perf_counter()
    day = _Day.build(routes, stops, travel=travel, max_iterations=max_iterations, seed=seed)
    day.weight = working_time_weight
    everyone = list(range(len(routes)))
    if len(day.pins) == len(stops):
        order: dict[int, list[int]] = {k: [] for k in everyone}
        order = day.keep_pins(order, time_limit_s)
    else:
        order = dict(enumerate(day.run(everyone, list(range(len(stops))), time_limit_s)))
        if any(i not in order[route] for i, route in day.pins):
            order = day.keep_pins(order, time_limit_s - (time.perf_counter() - t0))
    planned = [day.measure(k, order.get(k, [])) for k in everyone]
    placed = {i for ids in order.values() for i in ids}
    return PlanOutcome(
        routes=planned,
        unassigned=[s.key for i, s in enumerate(stops) if i not in placed],
        iterations=day.iterations,
        solve_time_s=round(time.perf_counter() - t0, 3),
        violations=[v for route in planned for v in route.violations],
    )


def _check(routes: Sequence[RouteSpec], stops: Sequence[StopSpec]) -> None:
    if not routes:
        raise ValueError("a plan needs at least one route (an officer or a team)")
    keys = [s.key for s in stops]
    if len(set(keys)) != len(keys):
        raise ValueError("stop keys must be unique")
    for stop in stops:
        if stop.pinned_route is not None and not 0 <= stop.pinned_route < len(routes):
            raise ValueError(
                f"stop {stop.key!r} is pinned to route {stop.pinned_route}, not a route"
            )


@dataclass
class _Day:
    """The day as the routing solver sees it: one vehicle per route, one stop per visit
    (routes' starts and ends first in the matrix, then the stops, in clerk order)."""

    stops: Sequence[StopSpec]
    vehicles: list[Vehicle]
    models: list[Stop]
    matrix: Matrix
    max_iterations: int | None
    seed: int
    iterations: int = 0
    weight: int = 0  # working_time_weight: metres per minute of working time

    @classmethod
    def build(
        cls,
        routes: Sequence[RouteSpec],
        stops: Sequence[StopSpec],
        *,
        travel: TravelModel,
        max_iterations: int | None,
        seed: int,
    ) -> _Day:
        n_routes = len(routes)
        points = [r.start for r in routes] + [r.end for r in routes] + [s.point for s in stops]
        duration, distance = travel.matrix(points)
        # Built without re-validating every cell: the travel model's matrices are sane by design.
        matrix = Matrix.model_construct(duration_s=duration.tolist(), distance_m=distance.tolist())
        # Share the day fairly: no route takes more than one visit over an even split, nor
        # fewer than the visits pinned to it (a team keeping its area keeps all of it).
        fair_share = -(-len(stops) // n_routes) + 1
        pinned = Counter(s.pinned_route for s in stops if s.pinned_route is not None)
        vehicles = [
            Vehicle(
                id=f"route-{k}",
                start=k,
                end=n_routes + k,
                shift=r.shift,
                capacity=max(fair_share, pinned[k]),
                max_duration_s=r.max_work_s,
                breaks=list(r.breaks),
                departure="shift_start",
            )
            for k, r in enumerate(routes)
        ]
        models = [
            Stop(
                id=s.key,
                location=2 * n_routes + i,
                service_s=s.service_s,
                window=s.window,
                prize=s.prize,
            )
            for i, s in enumerate(stops)
        ]
        return cls(stops, vehicles, models, matrix, max_iterations, seed)

    @property
    def pins(self) -> list[tuple[int, int]]:
        """(stop index, route index) of every pinned stop."""
        return [(i, s.pinned_route) for i, s in enumerate(self.stops) if s.pinned_route is not None]

    def run(self, vehicle_ids: list[int], stop_ids: list[int], budget: float) -> list[list[int]]:
        """Solve these routes over these stops: each route's stop indices, in order."""
        request = SolveRequest(
            time_limit_s=_budget(budget),
            seed=self.seed,
            max_iterations=self.max_iterations,
            working_time_weight=self.weight,
            vehicles=[self.vehicles[k] for k in vehicle_ids],
            stops=[self.models[i] for i in sorted(stop_ids)],
            matrix=self.matrix,
        )
        answer = solve(request)
        self.iterations += answer.iterations
        index = {s.key: i for i, s in enumerate(self.stops)}
        return [[index[v.id] for v in route.stops] for route in answer.routes]

    def keep_pins(self, order: dict[int, list[int]], budget: float) -> dict[int, list[int]]:
        """Second stage: each route solved alone with its pinned stops and the unpinned
        stops the first stage gave it, sharing what is left of the time budget."""
        share: dict[int, list[int]] = {k: [] for k in range(len(self.vehicles))}
        for k, ids in order.items():
            share[k].extend(i for i in ids if self.stops[i].pinned_route is None)
        for i, route in self.pins:
            share[route].append(i)
        busy = [k for k, ids in share.items() if ids]
        # A route left with nothing of its own drives nothing: what stage one gave it was
        # pinned elsewhere.
        return {
            k: self.run([k], ids, budget / len(busy))[0] if ids else [] for k, ids in share.items()
        }

    def measure(self, k: int, ids: list[int]) -> PlannedRoute:
        """Route `k` timed in the solver's order and in clerk order; the clerk order is
        kept when it keeps every rule and costs less (driving plus weighted working time)."""
        vehicle = self.vehicles[k]
        duration, distance = self.matrix.arrays()
        timing = time_route(vehicle, [self.models[i] for i in ids], duration, distance)
        clerk_ids = sorted(ids)
        clerk = time_route(vehicle, [self.models[i] for i in clerk_ids], duration, distance)
        kept = not clerk.violations and self.cost(clerk) < self.cost(timing)
        if kept:
            ids, timing = clerk_ids, clerk
        late = sum(
            1
            for i, departure in zip(clerk_ids, clerk.departures, strict=True)
            if (window := self.models[i].window) is not None and departure > window[1]
        )
        return PlannedRoute(
            stops=[
                PlannedStop(self.stops[i].key, arrival, departure, leg)
                for i, arrival, departure, leg in zip(
                    ids, timing.arrivals, timing.departures, timing.legs_m, strict=True
                )
            ],
            distance_m=timing.distance_m,
            duration_s=timing.duration_s,
            start_s=timing.start_s,
            end_s=timing.end_s,
            clerk_distance_m=clerk.distance_m,
            clerk_late=late,
            clerk_order_kept=kept,
            violations=timing.violations,
            work_s=timing.work_s,
        )

    def cost(self, timing: RouteTiming) -> float:
        return timing.distance_m + self.weight * timing.work_s / 60
