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
with its pinned stops and the unpinned stops the first stage gave it.
"""

from __future__ import annotations

import time
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


@dataclass(frozen=True)
class StopSpec:
    key: str
    point: Point
    window: tuple[int, int]
    service_s: int
    prize: int | None = None  # None: required; otherwise optional, worth this many metres
    pinned_route: int | None = None  # index into the routes


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
) -> PlanOutcome:
    """Assign and order `stops` (in clerk order) over `routes`."""
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
    if not stops:
        return PlanOutcome(routes=[PlannedRoute() for _ in routes], unassigned=[])

    t0 = time.perf_counter()
    n_routes = len(routes)
    points = [r.start for r in routes] + [r.end for r in routes] + [s.point for s in stops]
    duration, distance = travel.matrix(points)
    # Built without re-validating every cell: the travel model's matrices are sane by design.
    matrix = Matrix.model_construct(duration_s=duration.tolist(), distance_m=distance.tolist())
    # Share the day fairly: no route takes more than one visit over an even split.
    fair_share = -(-len(stops) // n_routes) + 1
    vehicles = [
        Vehicle(id=f"route-{k}", start=k, end=n_routes + k, shift=r.shift, capacity=fair_share)
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
    index = {s.key: i for i, s in enumerate(stops)}
    iterations = 0

    def run(vehicle_ids: list[int], stop_ids: list[int], budget: float) -> list[list[int]]:
        request = SolveRequest(
            time_limit_s=_budget(budget),
            seed=seed,
            max_iterations=max_iterations,
            vehicles=[vehicles[k] for k in vehicle_ids],
            stops=[models[i] for i in sorted(stop_ids)],
            matrix=matrix,
        )
        answer = solve(request)
        nonlocal iterations
        iterations += answer.iterations
        return [[index[v.id] for v in route.stops] for route in answer.routes]

    order = dict(enumerate(run(list(range(n_routes)), list(range(len(stops))), time_limit_s)))
    misplaced = [
        i
        for i, s in enumerate(stops)
        if s.pinned_route is not None and i not in order[s.pinned_route]
    ]
    if misplaced:
        share: dict[int, list[int]] = {k: [] for k in range(n_routes)}
        for k, ids in order.items():
            share[k].extend(i for i in ids if stops[i].pinned_route is None)
        for i, s in enumerate(stops):
            if s.pinned_route is not None:
                share[s.pinned_route].append(i)
        busy = [k for k, ids in share.items() if ids]
        left = time_limit_s - (time.perf_counter() - t0)
        for k in busy:
            order[k] = run([k], share[k], left / len(busy))[0]

    planned: list[PlannedRoute] = []
    violations: list[str] = []
    placed: set[int] = set()
    for k, vehicle in enumerate(vehicles):
        ids = order.get(k, [])
        placed.update(ids)
        timing = time_route(vehicle, [models[i] for i in ids], duration, distance)
        clerk_ids = sorted(ids)
        clerk = time_route(vehicle, [models[i] for i in clerk_ids], duration, distance)
        kept = False
        if not clerk.violations and clerk.distance_m < timing.distance_m:
            ids, timing, kept = clerk_ids, clerk, True
        violations.extend(timing.violations)
        planned.append(_planned(stops, ids, timing, clerk, models, kept))
    return PlanOutcome(
        routes=planned,
        unassigned=[s.key for i, s in enumerate(stops) if i not in placed],
        iterations=iterations,
        solve_time_s=round(time.perf_counter() - t0, 3),
        violations=violations,
    )


def _planned(
    stops: Sequence[StopSpec],
    ids: list[int],
    timing: RouteTiming,
    clerk: RouteTiming,
    models: Sequence[Stop],
    kept: bool,
) -> PlannedRoute:
    clerk_stops = [models[i] for i in sorted(ids)]
    late = sum(
        1
        for stop, departure in zip(clerk_stops, clerk.departures, strict=True)
        if stop.window is not None and departure > stop.window[1]
    )
    return PlannedRoute(
        stops=[
            PlannedStop(
                key=stops[i].key,
                arrival_s=timing.arrivals[k],
                departure_s=timing.departures[k],
                leg_m=timing.legs_m[k],
            )
            for k, i in enumerate(ids)
        ],
        distance_m=timing.distance_m,
        duration_s=timing.duration_s,
        start_s=timing.start_s,
        end_s=timing.end_s,
        clerk_distance_m=clerk.distance_m,
        clerk_late=late,
        clerk_order_kept=kept,
    )
