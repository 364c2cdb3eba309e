"""Plan officers' visit days with PyVRP, then check and time the answer independently.

Pure module: no FastAPI, no database. `solve` is the entry point; `list_order_baseline`
and `route_cost` give the "clerk order" figures that the planning service compares against.

Model: the objective is distance (metres) plus `working_time_weight` metres per minute of
working time, plus the prizes of optional stops left out; durations (seconds) also enforce
windows, shifts and maximum working time. A stop's window holds the whole visit, so PyVRP
(whose windows bound the *start* of service) gets `tw_late = window_end - service_s`.

With a weight, PyVRP's integer costs are in 1/60 m: a metre costs 60 and a second of
duration `weight`. An optional stop's prize is raised by the cost of its own service time,
so the weight trades driving against waiting and never makes a visit look dearer than its
prize says (otherwise a weight would "save" working time by visiting fewer borrowers).

Breaks (`api.routing.breaks`): PyVRP plans on a work clock without the breaks all vehicles
share; a vehicle's own extra breaks shorten its shift there. Every route is then timed on
the real clock with the breaks and repaired if a visit pushed past a break no longer fits.
"""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyvrp
from numpy.typing import ArrayLike, NDArray
from pyvrp.exceptions import PenaltyBoundWarning

from api.routing import breaks as breaks_
from api.routing.schemas import Route, SolveRequest, SolveResponse, Stop, StopVisit, Vehicle
from api.routing.travel import HaversineTravelModel, IntMatrix, TravelModel, TravelModelError

NO_LIMIT = int(np.iinfo(np.int64).max)  # PyVRP's default for "unconstrained"
INFEASIBLE_COST = NO_LIMIT  # what PyVRP's stopping criteria see while no solution is feasible
POST_SOLVE_MARGIN_S = 0.05  # kept back from the time limit to check and time the answer
COST_SCALE = 60  # PyVRP cost units per metre when working time has a weight (m per minute)


# ---------------------------------------------------------------------------------------------
# Travel matrices


def request_matrices(
    request: SolveRequest, travel: TravelModel | None = None
) -> tuple[IntMatrix, IntMatrix]:
    """(duration_s, distance_m) for the request: its own matrix, or the travel model's."""
    if request.matrix is not None:
        return request.matrix.arrays()
    model = travel if travel is not None else HaversineTravelModel()
    points = [(p.lat, p.lon) for p in request.locations or []]
    raw_duration, raw_distance = model.matrix(points)
    duration = np.asarray(raw_duration, dtype=np.int64)
    distance = np.asarray(raw_distance, dtype=np.int64)
    n = len(points)
    for name, arr in (("duration", duration), ("distance", distance)):
        # A travel model bug must not reach PyVRP (or the caller) as a confusing error.
        if arr.shape != (n, n) or (arr < 0).any() or np.diagonal(arr).any():
            raise TravelModelError(
                f"{model!r} returned a bad {name} matrix (shape {arr.shape} for {n} points, "
                "negative values or a non-zero diagonal)"
            )
    return duration, distance


def route_cost(order: Sequence[int], matrix: ArrayLike) -> int:
    """Sum of `matrix[a][b]` over consecutive locations of `order` (e.g. start, stops, end)."""
    arr = np.asarray(matrix, dtype=np.int64)
    idx = np.asarray(order, dtype=np.intp)
    if idx.size < 2:
        return 0
    return int(arr[idx[:-1], idx[1:]].sum())


# ---------------------------------------------------------------------------------------------
# Timing: the schedule of one route, recomputed from the matrix


@dataclass
class RouteTiming:
    start_s: int | None  # departure from the start location; None for an unused vehicle
    end_s: int | None
    arrivals: list[int]  # start of service at each stop
    departures: list[int]
    waits: list[int]
    legs_m: list[int]  # distance of the leg into each stop
    distance_m: int
    duration_s: int
    load: int
    violations: list[str] = field(default_factory=list)
    excess: int = 0  # total amount by which constraints are broken (s + units), for repair
    work_s: int = 0  # duration_s without the breaks inside it


def time_route(
    vehicle: Vehicle,
    stops: Sequence[Stop],
    duration: IntMatrix,
    distance: IntMatrix,
) -> RouteTiming:
    """Schedule `stops` in this order for `vehicle` and report every broken constraint.

    Service starts as early as the window allows. With `departure="latest"` the officer
    leaves as late as possible without delaying any visit (the shortest day for this order);
    with `"shift_start"` at the shift start, waiting at a stop when early. Nobody drives or
    visits during a break. Late visits are recorded as violations, never warped back in time.
    """
    if not stops:
        return RouteTiming(None, None, [], [], [], [], 0, 0, 0)
    pauses = breaks_.normalise((b[0], b[1]) for b in vehicle.breaks)
    locs = [vehicle.start, *(s.location for s in stops), vehicle.end]
    legs_t = [int(duration[a, b]) for a, b in itertools.pairwise(locs)]
    legs_d = [int(distance[a, b]) for a, b in itertools.pairwise(locs)]
    depart = vehicle.shift[0]
    if vehicle.departure == "latest":
        depart = _latest_departure(vehicle.shift[0], stops, legs_t)
    served = _serve(depart, stops, legs_t, pauses)
    end = breaks_.drive(served.departures[-1], legs_t[-1], pauses)
    work = end - depart - breaks_.overlap(pauses, depart, end)
    load = sum(s.demand for s in stops)
    breaches = served.late + _vehicle_breaches(vehicle, work=work, end=end, load=load)
    return RouteTiming(
        start_s=depart,
        end_s=end,
        arrivals=served.arrivals,
        departures=served.departures,
        waits=served.waits,
        legs_m=legs_d[:-1],
        distance_m=sum(legs_d),
        duration_s=end - depart,
        load=load,
        violations=[message for _excess, message in breaches],
        excess=sum(excess for excess, _message in breaches),
        work_s=work,
    )


Breach = tuple[int, str]  # (amount over the limit in seconds or units, what is broken)


def _latest_departure(shift_start: int, stops: Sequence[Stop], legs_t: Sequence[int]) -> int:
    """The latest departure that delays no visit: leaving from the shift start, the officer
    would wait `total_wait` in all; leaving that much later (at most up to the slack of the
    tightest window) removes the waiting without making any visit later."""
    clock = shift_start
    path = 0  # driving + service before this stop, without waits
    total_wait = 0
    latest_delay: int | None = None  # how much later the officer may leave without lateness
    for k, stop in enumerate(stops):
        clock += legs_t[k]
        path += legs_t[k]
        if stop.window is not None:
            begin = max(clock, stop.window[0])
            total_wait += begin - clock
            clock = begin
            slack = stop.window[1] - stop.service_s - path - shift_start
            latest_delay = slack if latest_delay is None else min(latest_delay, slack)
        clock += stop.service_s
        path += stop.service_s
    delay = total_wait if latest_delay is None else min(total_wait, latest_delay)
    return shift_start + max(0, delay)


@dataclass
class _Served:
    arrivals: list[int] = field(default_factory=list)  # start of service at each stop
    departures: list[int] = field(default_factory=list)
    waits: list[int] = field(default_factory=list)
    late: list[Breach] = field(default_factory=list)  # visits ending after their window


def _serve(
    depart: int,
    stops: Sequence[Stop],
    legs_t: Sequence[int],
    pauses: Sequence[breaks_.Interval] = (),
) -> _Served:
    """Drive the stops in order from `depart`, waiting for windows to open and for breaks
    to end."""
    served = _Served()
    clock = depart
    for k, stop in enumerate(stops):
        clock = breaks_.drive(clock, legs_t[k], pauses)
        earliest = clock if stop.window is None else max(clock, stop.window[0])
        begin = breaks_.visit_start(earliest, stop.service_s, pauses)
        served.waits.append(begin - clock)
        served.arrivals.append(begin)
        clock = begin + stop.service_s
        served.departures.append(clock)
        if stop.window is not None and clock > stop.window[1]:
            served.late.append(
                (
                    clock - stop.window[1],
                    f"stop {stop.id!r}: visit ends at {clock}, after its window closes at "
                    f"{stop.window[1]}",
                )
            )
    return served


def _vehicle_breaches(vehicle: Vehicle, *, work: int, end: int, load: int) -> list[Breach]:
    """The vehicle's own limits a route breaks: shift end, working time, capacity."""
    breaches: list[Breach] = []
    shift_end = vehicle.shift[1]
    if end > shift_end:
        breaches.append(
            (
                end - shift_end,
                f"vehicle {vehicle.id!r}: returns at {end}, after its shift ends at {shift_end}",
            )
        )
    worked = work
    if vehicle.max_duration_s is not None and worked > vehicle.max_duration_s:
        breaches.append(
            (
                worked - vehicle.max_duration_s,
                f"vehicle {vehicle.id!r}: works {worked} s, more than max_duration_s="
                f"{vehicle.max_duration_s}",
            )
        )
    if vehicle.capacity is not None and load > vehicle.capacity:
        breaches.append(
            (
                load - vehicle.capacity,
                f"vehicle {vehicle.id!r}: load {load} is more than its capacity {vehicle.capacity}",
            )
        )
    return breaches


def _route_model(vehicle: Vehicle, stops: Sequence[Stop], timing: RouteTiming) -> Route:
    return Route(
        vehicle_id=vehicle.id,
        stops=[
            StopVisit(
                id=stop.id,
                location=stop.location,
                arrival_s=timing.arrivals[k],
                departure_s=timing.departures[k],
                wait_s=timing.waits[k],
                travel_distance_m=timing.legs_m[k],
            )
            for k, stop in enumerate(stops)
        ],
        start_s=timing.start_s,
        end_s=timing.end_s,
        distance_m=timing.distance_m,
        duration_s=timing.duration_s,
        load=timing.load,
    )


# ---------------------------------------------------------------------------------------------
# Clerk order baseline


@dataclass
class ListOrderBaseline:
    """The stops driven in the order given, as a clerk would hand them out."""

    routes: list[Route]
    distance_m: int
    duration_s: int
    late_stops: list[str]  # visits that end after their window closes (or over shift/capacity)
    violations: list[str]


def list_order_assignment(request: SolveRequest, response: SolveResponse) -> dict[str, list[str]]:
    """Each vehicle's planned stops, but in request (list) order: the fair baseline for
    "km saved", since it visits exactly what the plan visits."""
    position = {stop.id: k for k, stop in enumerate(request.stops)}
    return {
        route.vehicle_id: sorted((v.id for v in route.stops), key=position.__getitem__)
        for route in response.routes
    }


def list_order_baseline(
    request: SolveRequest,
    assignment: Mapping[str, Sequence[str]] | None = None,
    travel: TravelModel | None = None,
) -> ListOrderBaseline:
    """Distance and lateness of visiting stops in list order.

    `assignment` maps vehicle id to stop ids in visiting order. Without it the request's
    stops are dealt out in order: the first ceil(n/V) to the first vehicle, and so on.
    """
    duration, distance = request_matrices(request, travel)
    by_id = {stop.id: stop for stop in request.stops}
    if assignment is None:
        assignment = _deal_out(request)
    unknown = set(assignment) - {v.id for v in request.vehicles}
    if unknown:
        raise ValueError(f"assignment names unknown vehicles: {sorted(unknown)}")
    routes: list[Route] = []
    late: list[str] = []
    violations: list[str] = []
    for vehicle in request.vehicles:
        try:
            stops = [by_id[sid] for sid in assignment.get(vehicle.id, [])]
        except KeyError as exc:
            raise ValueError(f"assignment names an unknown stop: {exc.args[0]!r}") from exc
        timing = time_route(vehicle, stops, duration, distance)
        routes.append(_route_model(vehicle, stops, timing))
        late.extend(
            s.id
            for s, dep in zip(stops, timing.departures, strict=True)
            if s.window is not None and dep > s.window[1]
        )
        violations.extend(timing.violations)
    return ListOrderBaseline(
        routes=routes,
        distance_m=sum(r.distance_m for r in routes),
        duration_s=sum(r.duration_s for r in routes),
        late_stops=late,
        violations=violations,
    )


def _deal_out(request: SolveRequest) -> dict[str, list[str]]:
    """The request's stops in order, shared as evenly as possible (the first vehicles take
    one more when the stops do not divide evenly)."""
    n, v = len(request.stops), len(request.vehicles)
    assignment: dict[str, list[str]] = {}
    k = 0
    for i, vehicle in enumerate(request.vehicles):
        size = n // v + (1 if i < n % v else 0)
        assignment[vehicle.id] = [s.id for s in request.stops[k : k + size]]
        k += size
    return assignment


# ---------------------------------------------------------------------------------------------
# Solving


class _Stop:
    """PyVRP stopping criterion: a wall-clock deadline, an optional iteration limit, and
    (phase 1) giving up half-way when no feasible solution has been seen yet.

    The deadline is absolute, so PyVRP's set-up time (which MaxRuntime does not count)
    is inside the budget.
    """

    def __init__(self, deadline: float, max_iterations: int | None, give_up: bool) -> None:
        self.deadline = deadline
        self.max_iterations = max_iterations
        self.give_up = give_up
        self.started = time.perf_counter()
        self.iterations = -1  # PyVRP asks once before the first iteration
        self.gave_up = False

    def __call__(self, best_cost: int) -> bool:
        self.iterations += 1
        now = time.perf_counter()
        if now >= self.deadline:
            return True
        if self.max_iterations is not None and self.iterations >= self.max_iterations:
            return True
        if self.give_up and best_cost >= INFEASIBLE_COST:
            if self.max_iterations is not None:
                half = self.iterations >= self.max_iterations // 2
            else:
                half = now >= self.started + (self.deadline - self.started) / 2
            if half:
                self.gave_up = True
                return True
        return False


@dataclass
class _Problem:
    request: SolveRequest
    duration: IntMatrix
    distance: IntMatrix
    candidates: list[int]  # request stop indices given to PyVRP
    vehicle_types: list[list[int]]  # PyVRP vehicle type -> request vehicle indices
    clock: breaks_.WorkClock = field(default_factory=breaks_.WorkClock)

    @property
    def weight(self) -> int:
        return self.request.working_time_weight

    @property
    def scale(self) -> int:
        """PyVRP cost units per metre (1 keeps the distance-only objective exactly)."""
        return COST_SCALE if self.weight else 1


def _alone_feasible(request: SolveRequest, duration: IntMatrix) -> NDArray[np.bool_]:
    """Stops that at least one vehicle could visit on a route of their own."""
    n = len(request.stops)
    ok = np.zeros(n, dtype=bool)
    if n == 0:
        return ok
    loc = np.array([s.location for s in request.stops], dtype=np.intp)
    service = np.array([s.service_s for s in request.stops], dtype=np.int64)
    demand = np.array([s.demand for s in request.stops], dtype=np.int64)
    open_ = np.array([s.window[0] if s.window else 0 for s in request.stops], dtype=np.int64)
    big = np.iinfo(np.int64).max // 4
    close = np.array([s.window[1] if s.window else big for s in request.stops], dtype=np.int64)
    for v in request.vehicles:
        there = duration[v.start, loc]
        back = duration[loc, v.end]
        begin = np.maximum(v.shift[0] + there, open_)
        finish = begin + service
        fits = (finish <= close) & (finish + back <= v.shift[1])
        if v.max_duration_s is not None:
            # Leaving later removes any wait, so the shortest day is drive + visit + drive.
            fits &= there + service + back <= v.max_duration_s
        if v.capacity is not None:
            fits &= demand <= v.capacity
        ok |= fits
    return ok


def _vehicle_types(request: SolveRequest) -> list[list[int]]:
    # Identical officers share one vehicle type: fewer types make the search faster.
    groups: dict[tuple[object, ...], list[int]] = {}
    for k, v in enumerate(request.vehicles):
        key = (v.start, v.end, v.shift, v.capacity, v.max_duration_s, str(v.breaks), v.departure)
        groups.setdefault(key, []).append(k)
    return list(groups.values())


def _problem_data(problem: _Problem, *, all_optional_prize: int | None) -> pyvrp.ProblemData:
    """PyVRP data; with `all_optional_prize`, required stops become optional with that prize."""
    request = problem.request
    if request.locations is not None:
        locations = [pyvrp.Location(x=p.lon, y=p.lat) for p in request.locations]
    else:
        locations = [pyvrp.Location(x=0.0, y=0.0) for _ in range(request.num_locations)]
    depot_locs = sorted({v.start for v in request.vehicles} | {v.end for v in request.vehicles})
    return pyvrp.ProblemData(
        locations=locations,
        clients=[
            _client(problem, request.stops[i], all_optional_prize) for i in problem.candidates
        ],
        depots=[pyvrp.Depot(location=loc) for loc in depot_locs],
        vehicle_types=_vehicle_type_data(problem, depot_locs),
        distance_matrices=[_contiguous(problem.distance)],
        duration_matrices=[_contiguous(problem.duration)],
    )


def _client(problem: _Problem, stop: Stop, all_optional_prize: int | None) -> pyvrp.Client:
    tw_early, tw_late = 0, NO_LIMIT
    if stop.window is not None:
        tw_early = problem.clock.to_work(stop.window[0])
        tw_late = max(tw_early, problem.clock.to_work(stop.window[1]) - stop.service_s)
    if stop.prize is not None:
        # Serving costs its own service time: the prize pays for it (see the module doc).
        prize = stop.prize * problem.scale + stop.service_s * problem.weight
        required = False
    elif all_optional_prize is not None:
        prize, required = all_optional_prize, False
    else:
        prize, required = 0, True
    return pyvrp.Client(
        location=stop.location,
        delivery=[stop.demand],
        service_duration=stop.service_s,
        prize=prize,
        required=required,
        tw_early=tw_early,
        tw_late=tw_late,
        name=stop.id,
    )


def _vehicle_type_data(problem: _Problem, depot_locs: list[int]) -> list[pyvrp.VehicleType]:
    request = problem.request
    depot_index = {loc: k for k, loc in enumerate(depot_locs)}
    total_demand = sum(request.stops[i].demand for i in problem.candidates)
    vehicle_types = []
    for members in problem.vehicle_types:
        v = request.vehicles[members[0]]
        early = problem.clock.to_work(v.shift[0])
        # Breaks of this vehicle that not all share are not cut out of the work clock:
        # they shorten its day there instead.
        own = breaks_.normalise((b[0], b[1]) for b in v.breaks)
        extra = breaks_.overlap(own, *v.shift) - breaks_.overlap(problem.clock.breaks, *v.shift)
        late = max(early, problem.clock.to_work(v.shift[1]) - max(0, extra))
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=len(members),
                capacity=[v.capacity if v.capacity is not None else total_demand],
                start_depot=depot_index[v.start],
                end_depot=depot_index[v.end],
                tw_early=early,
                tw_late=late,
                start_late=early if v.departure == "shift_start" else None,
                unit_distance_cost=problem.scale,
                unit_duration_cost=problem.weight,  # 0: minimise driving; time only constrains
                shift_duration=v.max_duration_s if v.max_duration_s is not None else NO_LIMIT,
                name=",".join(request.vehicles[k].id for k in members),
            )
        )
    return vehicle_types


def _contiguous(matrix: IntMatrix) -> Any:
    # Any: pyvrp's stub types matrices as `np.ndarray[int]`, which no real array type matches.
    return np.ascontiguousarray(matrix, dtype=np.int64)


def _history_length(request: SolveRequest) -> int:
    """Late-acceptance history for the budget. PyVRP's 300 suits long runs; on short ones a
    shorter memory accepts fewer bad moves and ends better (measured on 150-visit branch
    days: about 4 % lower objective at 1.5 s with 50, 3 % at 5 s with 100; Solomon at 10 s
    unchanged)."""
    if request.max_iterations is not None:
        return int(np.clip(request.max_iterations // 100, 20, 300))
    if request.time_limit_s < 3:
        return 50
    return 100 if request.time_limit_s < 15 else 300


def _run(
    data: pyvrp.ProblemData, stop: _Stop, seed: int, history: int, scale: int = 1
) -> pyvrp.Solution:
    # PyVRP caps its penalties per unit of violation; costs scaled up (working time
    # weighted) need the cap scaled too, or a route over capacity stays cheaper than a
    # second route and the search never becomes feasible.
    defaults = pyvrp.PenaltyParams()
    penalty = pyvrp.PenaltyParams(
        min_penalty=defaults.min_penalty * scale, max_penalty=defaults.max_penalty * scale
    )
    params = pyvrp.SolveParams(
        ils=pyvrp.IteratedLocalSearchParams(history_length=history), penalty=penalty
    )
    with warnings.catch_warnings():
        # PyVRP warns when penalties hit their cap on an instance without a feasible
        # solution; we handle that case ourselves (phase 2), so the warning is noise.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(
            data, stop=stop, seed=seed, collect_stats=False, display=False, params=params
        )
    best: pyvrp.Solution = result.best
    return best


def _routes_from(problem: _Problem, solution: pyvrp.Solution) -> dict[int, list[int]]:
    """Request vehicle index -> request stop indices, in visiting order."""
    free = [list(members) for members in problem.vehicle_types]
    routes: dict[int, list[int]] = {}
    for route in solution.routes():
        visits = [problem.candidates[act.idx] for act in route if act.is_client()]
        if not visits:
            continue
        vehicle = free[route.vehicle_type()].pop(0)
        routes[vehicle] = visits
    return routes


def _repair(problem: _Problem, routes: dict[int, list[int]]) -> dict[int, list[int]]:
    """Drop visits until every route keeps all constraints (a safety net: PyVRP's best
    solution is feasible whenever it found a feasible one)."""
    request = problem.request
    fixed: dict[int, list[int]] = {}
    for k, order in routes.items():
        vehicle = request.vehicles[k]
        order = list(order)
        while order:
            timing = time_route(
                vehicle, [request.stops[i] for i in order], problem.duration, problem.distance
            )
            if not timing.violations:
                break

            def after_removal(
                pos: int, order: list[int] = order, vehicle: Vehicle = vehicle
            ) -> tuple[int, bool, int]:
                rest = [request.stops[i] for j, i in enumerate(order) if j != pos]
                excess = time_route(vehicle, rest, problem.duration, problem.distance).excess
                stop = request.stops[order[pos]]
                return excess, stop.required, stop.prize or 0

            order.pop(min(range(len(order)), key=after_removal))
        if order:
            fixed[k] = order
    return fixed


def solve(request: SolveRequest, travel: TravelModel | None = None) -> SolveResponse:
    """Plan the day. CPU-bound for up to `request.time_limit_s`: run it off the event loop.

    `travel` builds the matrix when the request gives `locations` (default: haversine with
    the default detour factor and speed).
    """
    t0 = time.perf_counter()
    deadline = t0 + request.time_limit_s - POST_SOLVE_MARGIN_S
    duration, distance = request_matrices(request, travel)
    alone = _alone_feasible(request, duration)
    problem = _Problem(
        request=request,
        duration=duration,
        distance=distance,
        candidates=[i for i in range(len(request.stops)) if alone[i]],
        vehicle_types=_vehicle_types(request),
        clock=breaks_.WorkClock(breaks_.common([v.breaks for v in request.vehicles])),
    )

    routes: dict[int, list[int]] = {}
    iterations = 0
    if problem.candidates:
        has_required = any(request.stops[i].required for i in problem.candidates)
        data = _problem_data(problem, all_optional_prize=None)
        stop = _Stop(deadline, request.max_iterations, give_up=has_required)
        history = _history_length(request)
        best = _run(data, stop, request.seed, history, problem.scale)
        iterations += max(0, stop.iterations)
        if not best.is_feasible():
            # Phase 2: not all required stops fit. Make them optional with a prize larger than
            # any possible driving plus all optional prizes, so the solver places as many
            # required stops as it can before thinking about distance.
            bound = _required_prize(problem)
            remaining = (
                None
                if request.max_iterations is None
                else max(1, request.max_iterations - max(0, stop.iterations))
            )
            stop2 = _Stop(deadline, remaining, give_up=False)
            data = _problem_data(problem, all_optional_prize=bound)
            best = _run(data, stop2, request.seed, history, problem.scale)
            iterations += max(0, stop2.iterations)
        routes = _repair(problem, _routes_from(problem, best))

    return _response(problem, routes, iterations, time.perf_counter() - t0)


def _required_prize(problem: _Problem) -> int:
    """A prize larger than any route cost plus all optional prizes (in PyVRP cost units)."""
    request = problem.request
    optional = sum(
        _client(problem, request.stops[i], None).prize
        for i in problem.candidates
        if request.stops[i].prize is not None
    )
    legs = len(problem.candidates) + len(request.vehicles)
    horizon = max(v.shift[1] - v.shift[0] for v in request.vehicles)
    driving = int(problem.distance.max()) * legs * problem.scale
    return driving + horizon * len(request.vehicles) * problem.weight + optional + 1


def _response(
    problem: _Problem, routes: dict[int, list[int]], iterations: int, elapsed: float
) -> SolveResponse:
    request = problem.request
    out, violations = _timed_routes(problem, routes)
    visited = {i for order in routes.values() for i in order}
    left_out = [i for i in range(len(request.stops)) if i not in visited]
    unassigned_required = [request.stops[i].id for i in left_out if request.stops[i].required]
    total_distance = sum(r.distance_m for r in out)
    work_min = sum(_work_s(problem, r) for r in out) / 60
    return SolveResponse(
        routes=out,
        unassigned=[request.stops[i].id for i in left_out],
        unassigned_required=unassigned_required,
        distance_m=total_distance,
        duration_s=sum(r.duration_s for r in out),
        feasible=not unassigned_required and not violations,
        objective=total_distance
        + round(request.working_time_weight * work_min)
        + _prizes(request, left_out),
        prize_collected=_prizes(request, visited),
        violations=violations,
        solve_time_s=round(elapsed, 3),
        iterations=iterations,
    )


def _work_s(problem: _Problem, route: Route) -> int:
    if route.start_s is None or route.end_s is None:
        return 0
    vehicle = next(v for v in problem.request.vehicles if v.id == route.vehicle_id)
    pauses = breaks_.normalise((b[0], b[1]) for b in vehicle.breaks)
    return route.duration_s - breaks_.overlap(pauses, route.start_s, route.end_s)


def _prizes(request: SolveRequest, stop_ids: Iterable[int]) -> int:
    return sum(request.stops[i].prize or 0 for i in stop_ids)


def _timed_routes(problem: _Problem, routes: dict[int, list[int]]) -> tuple[list[Route], list[str]]:
    """Every vehicle's route timed again from the matrix (one per vehicle, in request
    order), and every broken constraint, a stop visited twice included."""
    request = problem.request
    out: list[Route] = []
    visited: set[int] = set()
    violations: list[str] = []
    for k, vehicle in enumerate(request.vehicles):
        order = routes.get(k, [])
        stops = [request.stops[i] for i in order]
        timing = time_route(vehicle, stops, problem.duration, problem.distance)
        violations.extend(timing.violations)
        if visited.intersection(order) or len(set(order)) != len(order):
            violations.append(f"vehicle {vehicle.id!r}: a stop is visited twice")
        visited.update(order)
        out.append(_route_model(vehicle, stops, timing))
    return out, violations
