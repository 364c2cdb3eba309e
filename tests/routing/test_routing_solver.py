"""The routing solver, checked against an independent schedule check and exact optima."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from api.routing.schemas import SolveRequest, SolveResponse
from api.routing.solver import (
    list_order_assignment,
    list_order_baseline,
    route_cost,
    solve,
    time_route,
)
from api.routing.travel import HaversineTravelModel, TravelModelError

SPEED_MS = 8.0  # about 29 km/h
INF = float("inf")

# --------------------------------------------------------------------------------------------
# Instances


def euclid(points: np.ndarray) -> tuple[list[list[int]], list[list[int]]]:
    diff = points[:, None, :] - points[None, :, :]
    dist = np.rint(np.hypot(diff[..., 0], diff[..., 1])).astype(np.int64)
    dur = np.rint(dist / SPEED_MS).astype(np.int64)
    return dur.tolist(), dist.tolist()


def random_request(
    seed: int,
    n_stops: int,
    n_vehicles: int = 1,
    *,
    shift: tuple[int, int] = (0, 36_000),
    service: int = 1800,
    window_frac: float = 0.5,
    optional_frac: float = 0.0,
    capacity: int | None = None,
    separate_homes: bool = False,
    max_iterations: int = 2000,
) -> dict[str, Any]:
    """Stops scattered over a 20 km square; depot(s) first in the matrix."""
    rng = np.random.default_rng(seed)
    n_depots = n_vehicles if separate_homes else 1
    points = rng.uniform(0, 20_000, size=(n_depots + n_stops, 2))
    dur, dist = euclid(points)
    stops = []
    for k in range(n_stops):
        loc = n_depots + k
        stop: dict[str, Any] = {"id": f"s{k}", "location": loc, "service_s": service}
        if rng.random() < window_frac:
            # A window reachable from depot 0 that holds the visit with room to spare.
            earliest = shift[0] + dur[0][loc]
            latest_end = shift[1] - dur[loc][0]
            length = int(rng.integers(service + 3600, service + 4 * 3600))
            start = int(rng.integers(earliest, max(earliest + 1, latest_end - length)))
            stop["window"] = [start, min(start + length, latest_end)]
            if stop["window"][1] - stop["window"][0] < service:
                stop.pop("window")
        if rng.random() < optional_frac:
            stop["prize"] = int(rng.integers(0, 30_000))
        stops.append(stop)
    vehicles = [
        {
            "id": f"o{v}",
            "start": v if separate_homes else 0,
            "end": v if separate_homes else 0,
            "shift": list(shift),
            "capacity": capacity,
        }
        for v in range(n_vehicles)
    ]
    return {
        "time_limit_s": 60,
        "seed": 1,
        "max_iterations": max_iterations,
        "vehicles": vehicles,
        "stops": stops,
        "matrix": {"duration_s": dur, "distance_m": dist},
    }


def request_from(data: dict[str, Any]) -> SolveRequest:
    return SolveRequest.model_validate(data)


# --------------------------------------------------------------------------------------------
# Independent checks (no solver code)


def check_answer(data: dict[str, Any], answer: SolveResponse) -> None:
    """Every claim of the answer, recomputed from the request's matrix."""
    dur = data["matrix"]["duration_s"]
    dist = data["matrix"]["distance_m"]
    stops = {s["id"]: s for s in data["stops"]}
    vehicles = {v["id"]: v for v in data["vehicles"]}
    assert [r.vehicle_id for r in answer.routes] == [v["id"] for v in data["vehicles"]]
    seen: list[str] = []
    total_distance = total_duration = 0
    for route in answer.routes:
        v = vehicles[route.vehicle_id]
        ids = [s.id for s in route.stops]
        seen.extend(ids)
        if not ids:
            assert route.distance_m == 0 and route.duration_s == 0
            continue
        locs = [v["start"], *(stops[i]["location"] for i in ids), v["end"]]
        assert route.distance_m == sum(dist[a][b] for a, b in itertools.pairwise(locs))
        assert route.start_s is not None and route.end_s is not None
        assert route.start_s >= v["shift"][0]
        clock = route.start_s
        for visit, (a, b) in zip(route.stops, itertools.pairwise(locs[:-1]), strict=True):
            stop = stops[visit.id]
            clock += dur[a][b]
            assert visit.arrival_s >= clock, f"{visit.id} served before the officer gets there"
            if "window" in stop:
                assert visit.arrival_s >= stop["window"][0], f"{visit.id} before window"
                assert visit.departure_s <= stop["window"][1], f"{visit.id} after window"
            assert visit.departure_s == visit.arrival_s + stop.get("service_s", 0)
            clock = visit.departure_s
        clock += dur[locs[-2]][locs[-1]]
        assert route.end_s == clock
        assert route.end_s <= v["shift"][1], f"{route.vehicle_id} back after shift"
        assert route.duration_s == route.end_s - route.start_s
        if v.get("max_duration_s") is not None:
            assert route.duration_s <= v["max_duration_s"]
        load = sum(stops[i].get("demand", 1) for i in ids)
        assert route.load == load
        if v.get("capacity") is not None:
            assert load <= v["capacity"]
        total_distance += route.distance_m
        total_duration += route.duration_s
    assert len(seen) == len(set(seen)), "a stop is visited twice"
    left = [s["id"] for s in data["stops"] if s["id"] not in seen]
    assert answer.unassigned == left
    required_left = [i for i in left if stops[i].get("prize") is None]
    assert answer.unassigned_required == required_left
    assert answer.feasible == (not required_left)
    assert answer.distance_m == total_distance
    assert answer.duration_s == total_duration
    missed = sum(stops[i].get("prize") or 0 for i in left)
    assert answer.objective == total_distance + missed


def order_ok(
    data: dict[str, Any], vehicle: dict[str, Any], order: Sequence[str]
) -> tuple[bool, int]:
    """(feasible?, distance) of visiting `order` with `vehicle`; brute force over departure
    times for the working-time limit."""
    dur = data["matrix"]["duration_s"]
    dist = data["matrix"]["distance_m"]
    stops = {s["id"]: s for s in data["stops"]}
    locs = [vehicle["start"], *(stops[i]["location"] for i in order), vehicle["end"]]
    distance = sum(dist[a][b] for a, b in itertools.pairwise(locs))
    load = sum(stops[i].get("demand", 1) for i in order)
    if vehicle.get("capacity") is not None and load > vehicle["capacity"]:
        return False, distance

    def simulate(depart: int) -> int | None:
        clock = depart
        for i, (a, b) in zip(order, itertools.pairwise(locs[:-1]), strict=True):
            s = stops[i]
            clock += dur[a][b]
            if "window" in s:
                clock = max(clock, s["window"][0])
            clock += s.get("service_s", 0)
            if "window" in s and clock > s["window"][1]:
                return None
        clock += dur[locs[-2]][locs[-1]]
        return None if clock > vehicle["shift"][1] else clock - depart

    worked = simulate(vehicle["shift"][0])
    if worked is None:
        return False, distance
    if vehicle.get("max_duration_s") is not None:
        # Working time only falls at departures that line up with a window opening.
        candidates = {vehicle["shift"][0]}
        path = 0
        for i, (a, b) in zip(order, itertools.pairwise(locs[:-1]), strict=True):
            path += dur[a][b]
            service = stops[i].get("service_s", 0)
            if "window" in stops[i]:
                # Earliest departure that meets the opening; latest that still makes the close.
                candidates.add(stops[i]["window"][0] - path)
                candidates.add(stops[i]["window"][1] - service - path)
            path += service
        spans = [simulate(t) for t in candidates if t >= vehicle["shift"][0]]
        best = min(w for w in spans if w is not None)
        if best > vehicle["max_duration_s"]:
            return False, distance
    return True, distance


def exact_optimum(data: dict[str, Any]) -> float:
    """Minimum of distance + prizes left out, by enumerating every order of every subset per
    vehicle and every split of stops between vehicles (tiny instances only)."""
    ids = [s["id"] for s in data["stops"]]
    n = len(ids)
    per_vehicle: list[dict[int, float]] = []
    for vehicle in data["vehicles"]:
        best: dict[int, float] = {0: 0}
        for size in range(1, n + 1):
            for subset in itertools.combinations(range(n), size):
                mask = sum(1 << k for k in subset)
                value = INF
                for perm in itertools.permutations(subset):
                    ok, distance = order_ok(data, vehicle, [ids[k] for k in perm])
                    if ok:
                        value = min(value, distance)
                best[mask] = value
        per_vehicle.append(best)
    required = sum(1 << k for k, s in enumerate(data["stops"]) if s.get("prize") is None)
    prizes = [s.get("prize") or 0 for s in data["stops"]]
    full = (1 << n) - 1

    result = INF

    def split(v: int, free: int, cost: float) -> None:
        nonlocal result
        if cost >= result:
            return
        if v == len(per_vehicle):
            visited = full & ~free
            if visited & required == required:
                missed = sum(prizes[k] for k in range(n) if free >> k & 1)
                result = min(result, cost + missed)
            return
        sub = free
        while True:
            if per_vehicle[v][sub] < INF:
                split(v + 1, free & ~sub, cost + per_vehicle[v][sub])
            if sub == 0:
                break
            sub = (sub - 1) & free

    split(0, full, 0)
    return result


# --------------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("seed", range(4))
def test_every_required_stop_once_and_all_constraints_hold(seed: int) -> None:
    data = random_request(seed, n_stops=30, n_vehicles=3, window_frac=0.6, capacity=12)
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.feasible and answer.unassigned == []


@pytest.mark.parametrize("seed", range(8))
def test_single_officer_day_is_optimal(seed: int) -> None:
    data = random_request(100 + seed, n_stops=7, window_frac=0.7)
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.feasible
    assert answer.distance_m == exact_optimum(data)


@pytest.mark.parametrize("seed", range(5))
def test_two_officers_homes_capacity_and_prizes_are_optimal(seed: int) -> None:
    data = random_request(
        200 + seed,
        n_stops=6,
        n_vehicles=2,
        window_frac=0.5,
        optional_frac=0.5,
        capacity=3,
        separate_homes=True,
    )
    data["vehicles"][1]["shift"] = [3600, 30_000]  # a shorter, later shift
    data["vehicles"][1]["end"] = 0  # ends the day at the other officer's start
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.objective == exact_optimum(data)


def test_working_time_limit_is_optimal_and_respected() -> None:
    data = random_request(300, n_stops=6, window_frac=1.0, service=1200)
    for stop in data["stops"]:
        stop["prize"] = 40_000
    unlimited = exact_optimum(data)
    data["vehicles"][0]["max_duration_s"] = 3 * 3600
    limited = exact_optimum(data)
    assert limited > unlimited  # the limit binds, so the test means something
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.objective == limited


def test_prize_collecting_drops_the_lowest_prizes() -> None:
    # Ten visits in one village 5 km from the branch; an hour each, and the shift has room
    # for six: every choice of six drives the same, so only prizes decide.
    n = 10
    dist = [[0] + [5000] * n] + [[5000] + [0] * n for _ in range(n)]
    dur = [[0] + [600] * n] + [[600] + [0] * n for _ in range(n)]
    prizes = [7000, 1000, 9000, 3000, 10_000, 2000, 8000, 6000, 4000, 5000]
    data = {
        "time_limit_s": 60,
        "max_iterations": 1000,
        "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": [0, 6 * 3600 + 1200]}],
        "stops": [
            {"id": f"s{k}", "location": k + 1, "service_s": 3600, "prize": prizes[k]}
            for k in range(n)
        ],
        "matrix": {"duration_s": dur, "distance_m": dist},
    }
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.feasible  # nothing required
    lowest = sorted(range(n), key=prizes.__getitem__)[:4]
    assert sorted(answer.unassigned) == sorted(f"s{k}" for k in lowest)
    assert answer.prize_collected == sum(sorted(prizes)[4:])
    assert answer.distance_m == 10_000


def test_optional_stop_not_worth_the_drive_is_left_out() -> None:
    data = random_request(400, n_stops=5, window_frac=0.0)
    far = data["stops"][0]
    dist = data["matrix"]["distance_m"]
    for k in range(len(dist)):
        if k != far["location"]:
            dist[k][far["location"]] = dist[far["location"]][k] = 900_000
    far["prize"] = 100_000
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.unassigned == ["s0"] and answer.unassigned_required == []
    assert answer.feasible


def test_unreachable_required_stop_is_reported_infeasible() -> None:
    data = random_request(500, n_stops=8, window_frac=0.0)
    data["stops"][3]["window"] = [0, 1900]  # no one gets there, visits and leaves by then
    data["stops"][3]["location"] = 1
    data["matrix"]["duration_s"][0][1] = 600
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert not answer.feasible
    assert answer.unassigned_required == ["s3"]
    assert sum(len(r.stops) for r in answer.routes) == 7


def test_clashing_required_windows_place_as_many_as_possible() -> None:
    # Three required visits at the same hour in three places, one officer: only one fits.
    # Each fits alone, so this needs the solver's second phase, not the pre-check.
    data = random_request(600, n_stops=6, window_frac=0.0)
    for k in (0, 1, 2):
        data["stops"][k]["window"] = [10_000, 10_000 + 1800]
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert not answer.feasible
    assert len(answer.unassigned_required) == 2
    assert set(answer.unassigned_required) <= {"s0", "s1", "s2"}
    assert sum(len(r.stops) for r in answer.routes) == 4
    # And the cheapest way to keep one of the three: the same as an exact solver that must
    # take the other three stops and is paid a fortune for each clashing one it keeps.
    for k in (0, 1, 2):
        data["stops"][k]["prize"] = 10**7
    assert answer.distance_m + 2 * 10**7 == exact_optimum(data)


def test_capacity_limits_visits_per_officer() -> None:
    data = random_request(700, n_stops=5, window_frac=0.0, capacity=3)
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert not answer.feasible and len(answer.unassigned_required) == 2

    data = random_request(700, n_stops=5, n_vehicles=2, window_frac=0.0, capacity=3)
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.feasible
    assert sorted(r.load for r in answer.routes) == [2, 3]


def test_each_officer_starts_and_ends_at_their_own_place() -> None:
    # Officer A lives west, officer B east, the branch in the middle; two clusters of visits.
    points = np.array(
        [[-20_000, 0], [20_000, 0], [0, 0]]
        + [[-18_000 + 500 * k, 1000] for k in range(4)]
        + [[18_000 - 500 * k, 1000] for k in range(4)],
        dtype=float,
    )
    dur, dist = euclid(points)
    data = {
        "time_limit_s": 60,
        "max_iterations": 1000,
        "vehicles": [
            {"id": "east", "start": 1, "end": 2, "shift": [0, 36_000]},
            {"id": "west", "start": 0, "end": 2, "shift": [0, 36_000]},
        ],
        "stops": [{"id": f"s{k}", "location": 3 + k, "service_s": 900} for k in range(8)],
        "matrix": {"duration_s": dur, "distance_m": dist},
    }
    answer = solve(request_from(data))
    check_answer(data, answer)
    by_id = {r.vehicle_id: {s.id for s in r.stops} for r in answer.routes}
    assert by_id == {"west": {"s0", "s1", "s2", "s3"}, "east": {"s4", "s5", "s6", "s7"}}


def test_same_seed_and_iterations_give_the_same_answer() -> None:
    data = random_request(800, n_stops=40, n_vehicles=4, window_frac=0.5, optional_frac=0.3)
    data["max_iterations"] = 300
    first = solve(request_from(data)).model_dump(exclude={"solve_time_s"})
    second = solve(request_from(data)).model_dump(exclude={"solve_time_s"})
    assert first == second
    assert first["iterations"] == 300


def test_arrival_is_start_of_service_and_officer_leaves_late_rather_than_waits() -> None:
    dur = [[0, 900], [900, 0]]
    dist = [[0, 7000], [7000, 0]]
    data = {
        "time_limit_s": 60,
        "max_iterations": 100,
        "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": [28_800, 64_800]}],
        "stops": [{"id": "s1", "location": 1, "service_s": 1800, "window": [36_000, 40_000]}],
        "matrix": {"duration_s": dur, "distance_m": dist},
    }
    answer = solve(request_from(data))
    check_answer(data, answer)
    (route,) = answer.routes
    assert route.stops[0].arrival_s == 36_000
    assert route.stops[0].departure_s == 37_800
    assert route.stops[0].wait_s == 0
    assert route.start_s == 35_100 and route.end_s == 38_700
    assert route.duration_s == 3600 and route.distance_m == 14_000


def test_window_holds_the_whole_visit() -> None:
    # Arriving at 35 100 + 900 would start service at 36 000, inside [0, 37 000] for the
    # start, but the 1 800 s visit would end at 37 800, after the window closes.
    data: dict[str, Any] = {
        "time_limit_s": 60,
        "max_iterations": 100,
        "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": [36_000 - 900, 64_800]}],
        "stops": [{"id": "s1", "location": 1, "service_s": 1800, "window": [0, 37_000]}],
        "matrix": {"duration_s": [[0, 900], [900, 0]], "distance_m": [[0, 10], [10, 0]]},
    }
    answer = solve(request_from(data))
    assert not answer.feasible and answer.unassigned_required == ["s1"]
    data["stops"][0]["window"] = [0, 37_800]
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.feasible


def test_no_stops_and_one_stop() -> None:
    data = random_request(900, n_stops=0, n_vehicles=2)
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.feasible and answer.distance_m == 0 and answer.iterations == 0
    assert all(r.stops == [] and r.start_s is None for r in answer.routes)

    data = random_request(901, n_stops=1, n_vehicles=2, separate_homes=True)
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.feasible and answer.distance_m == exact_optimum(data)


def test_stop_at_the_depot_and_stops_sharing_a_place() -> None:
    data = random_request(902, n_stops=4)
    data["stops"][0]["location"] = 0
    data["stops"][1]["location"] = data["stops"][2]["location"]
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.feasible and answer.distance_m == exact_optimum(data)


def test_locations_use_the_travel_model() -> None:
    points = [(37.4355, 116.3575), (37.45, 116.30), (37.40, 116.40), (37.47, 116.38)]
    data: dict[str, Any] = {
        "time_limit_s": 60,
        "max_iterations": 200,
        "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": [0, 36_000]}],
        "stops": [{"id": f"s{k}", "location": k, "service_s": 600} for k in (1, 2, 3)],
        "locations": [{"lat": la, "lon": lo} for la, lo in points],
    }
    model = HaversineTravelModel(detour_factor=1.5, speed_kmh=20)
    answer = solve(request_from(data), travel=model)
    dur, dist = model.matrix(points)
    data["matrix"] = {"duration_s": dur.tolist(), "distance_m": dist.tolist()}
    check_answer(data, answer)
    order = [0, *(int(s.id[1:]) for s in answer.routes[0].stops), 0]
    assert answer.distance_m == route_cost(order, dist)


# Seeded random cases: the same instances every run, so a failure always reproduces.
PROPERTY_CASES = [
    {
        "seed": seed,
        "n_stops": int(rng.integers(0, 13)),
        "n_vehicles": int(rng.integers(1, 4)),
        "window_frac": float(rng.random()),
        "optional_frac": float(rng.random()),
        "capacity": None if rng.random() < 0.4 else int(rng.integers(0, 7)),
        "shift_end": int(rng.integers(3600, 36_001)),
    }
    for seed, rng in ((s, np.random.default_rng(s)) for s in range(30))
]


@pytest.mark.parametrize("case", PROPERTY_CASES, ids=lambda c: f"seed{c['seed']}")
def test_answer_always_keeps_its_promises(case: dict[str, Any]) -> None:
    seed, n_stops, n_vehicles = case["seed"], case["n_stops"], case["n_vehicles"]
    shift_end = case["shift_end"]
    data = random_request(
        seed,
        n_stops,
        n_vehicles,
        window_frac=case["window_frac"],
        optional_frac=case["optional_frac"],
        capacity=case["capacity"],
        separate_homes=seed % 2 == 1,
        max_iterations=200,
    )
    for v in data["vehicles"]:
        v["shift"] = [0, shift_end]  # shorter days: some windows now lie beyond the shift
    answer = solve(request_from(data))
    check_answer(data, answer)
    assert answer.violations == []
    if n_stops <= 5 and n_vehicles <= 2 and answer.feasible:
        assert answer.objective == exact_optimum(data)


# --------------------------------------------------------------------------------------------
# Clerk order


def test_route_cost_sums_legs() -> None:
    matrix = [[0, 1, 2], [3, 0, 4], [5, 6, 0]]
    assert route_cost([0, 1, 2, 0], matrix) == 1 + 4 + 5
    assert route_cost([0], matrix) == 0
    assert route_cost([], matrix) == 0


def test_list_order_baseline_drives_in_list_order_and_counts_late_visits() -> None:
    # Line: depot 0 at x=0, stops at x = 3 km, 1 km, 2 km (listed in that order).
    xs = [0, 3000, 1000, 2000]
    dist = [[abs(a - b) for b in xs] for a in xs]
    dur = [[d // 10 for d in row] for row in dist]
    data = {
        "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": [0, 10_000]}],
        "stops": [
            {"id": "far", "location": 1, "service_s": 100},
            {"id": "near", "location": 2, "service_s": 100, "window": [0, 200]},
            {"id": "mid", "location": 3, "service_s": 100},
        ],
        "matrix": {"duration_s": dur, "distance_m": dist},
    }
    request = request_from(data)
    baseline = list_order_baseline(request)
    assert baseline.distance_m == 3000 + 2000 + 1000 + 2000
    assert baseline.late_stops == ["near"]  # reached at 300 + 100 + 200 = 600
    answer = solve(request)
    check_answer(data, answer)
    assert answer.distance_m == 6000
    same = list_order_baseline(request, list_order_assignment(request, answer))
    assert same.distance_m == baseline.distance_m
    assert [s.id for s in same.routes[0].stops] == ["far", "near", "mid"]


def test_list_order_baseline_deals_stops_out_in_order() -> None:
    data = random_request(1000, n_stops=7, n_vehicles=3)
    request = request_from(data)
    baseline = list_order_baseline(request)
    assert [[s.id for s in r.stops] for r in baseline.routes] == [
        ["s0", "s1", "s2"],
        ["s3", "s4"],
        ["s5", "s6"],
    ]
    dist = data["matrix"]["distance_m"]
    assert baseline.distance_m == sum(
        route_cost([0, *(int(s.id[1:]) + 1 for s in r.stops), 0], dist) for r in baseline.routes
    )
    with pytest.raises(ValueError, match="unknown stop"):
        list_order_baseline(request, {"o0": ["nope"]})
    with pytest.raises(ValueError, match="unknown vehicles"):
        list_order_baseline(request, {"zz": []})


def test_time_route_reports_violations() -> None:
    data: dict[str, Any] = {
        "vehicles": [
            {"id": "o1", "start": 0, "end": 0, "shift": [0, 1000], "capacity": 1},
        ],
        "stops": [
            {"id": "a", "location": 1, "service_s": 500, "window": [0, 600]},
            {"id": "b", "location": 1, "service_s": 500},
        ],
        "matrix": {"duration_s": [[0, 100], [100, 0]], "distance_m": [[0, 1], [1, 0]]},
    }
    request = request_from(data)
    dur, dist = (np.asarray(data["matrix"][k]) for k in ("duration_s", "distance_m"))
    timing = time_route(request.vehicles[0], list(reversed(request.stops)), dur, dist)
    assert timing.arrivals == [100, 600]
    assert timing.end_s == 1200
    text = " ".join(timing.violations)
    assert "'a'" in text and "shift" in text and "capacity" in text


class _BrokenModel:
    def matrix(self, points: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
        square = np.zeros((2, 2), dtype=np.int64)
        return square, square


def test_a_broken_travel_model_is_reported_not_passed_on() -> None:
    data: dict[str, Any] = {
        "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": [0, 36_000]}],
        "stops": [{"id": "s1", "location": 2}],
        "locations": [{"lat": 37.4, "lon": 116.3}] * 3,
    }
    with pytest.raises(TravelModelError, match="bad duration matrix"):
        solve(request_from(data), travel=_BrokenModel())
