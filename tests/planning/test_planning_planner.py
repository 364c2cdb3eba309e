"""Assignment and order of routes (pure): prizes, pins, the clerk baseline."""

from __future__ import annotations

import random

import pytest

from api.planning.planner import RouteSpec, StopSpec, plan_routes
from api.routing.travel import HaversineTravelModel

BRANCH = (37.3357, 116.5766)
TRAVEL = HaversineTravelModel(1.3, 30)
DAY = (8 * 3600, 21 * 3600)
SERVICE = 40 * 60


def scatter(n: int, seed: int = 7, spread: float = 0.08) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [
        (BRANCH[0] + rng.uniform(-spread, spread), BRANCH[1] + rng.uniform(-spread, spread))
        for _ in range(n)
    ]


def stops(points: list[tuple[float, float]], prize: int | None = 50_000) -> list[StopSpec]:
    return [
        StopSpec(key=f"s{i}", point=p, window=DAY, service_s=SERVICE, prize=prize)
        for i, p in enumerate(points)
    ]


def route(shift: tuple[int, int] = DAY) -> RouteSpec:
    return RouteSpec(start=BRANCH, end=BRANCH, shift=shift)


def test_one_route_visits_everything_and_beats_the_clerk_order() -> None:
    outcome = plan_routes(
        [route()], stops(scatter(8)), travel=TRAVEL, time_limit_s=5, max_iterations=300
    )
    assert outcome.unassigned == [] and outcome.violations == []
    planned = outcome.routes[0]
    assert sorted(s.key for s in planned.stops) == [f"s{i}" for i in range(8)]
    assert planned.saved_m >= 0
    assert 0 < sum(s.leg_m for s in planned.stops) < planned.distance_m  # plus the way back
    arrivals = [s.arrival_s for s in planned.stops]
    assert arrivals == sorted(arrivals) and arrivals[0] >= DAY[0]
    assert all(s.departure_s - s.arrival_s == SERVICE for s in planned.stops)


def test_a_full_day_leaves_out_the_lowest_prizes() -> None:
    points = scatter(16, seed=3)
    specs = [
        StopSpec(
            key=f"s{i}",
            point=p,
            window=DAY,
            service_s=SERVICE,
            prize=(1000 if i < 8 else 10) * 1000,
        )
        for i, p in enumerate(points)
    ]
    short_day = (9 * 3600, 14 * 3600)  # five hours: room for about six visits
    outcome = plan_routes(
        [route(short_day)], specs, travel=TRAVEL, time_limit_s=5, max_iterations=500
    )
    visited = {s.key for s in outcome.routes[0].stops}
    assert outcome.unassigned and set(outcome.unassigned) | visited == {s.key for s in specs}
    assert visited <= {f"s{i}" for i in range(8)}  # only high-priority visits fit
    assert outcome.routes[0].end_s is not None and outcome.routes[0].end_s <= short_day[1]


def test_windows_are_kept() -> None:
    points = scatter(4, seed=11)
    specs = stops(points, prize=None)
    specs[2] = StopSpec(key="s2", point=points[2], window=(17 * 3600, 19 * 3600), service_s=SERVICE)
    outcome = plan_routes([route()], specs, travel=TRAVEL, time_limit_s=5, max_iterations=200)
    visit = next(s for s in outcome.routes[0].stops if s.key == "s2")
    assert visit.arrival_s >= 17 * 3600 and visit.departure_s <= 19 * 3600


def test_pinned_stops_stay_on_their_route() -> None:
    west = [(BRANCH[0], BRANCH[1] - 0.1 - 0.005 * i) for i in range(3)]
    east = [(BRANCH[0], BRANCH[1] + 0.1 + 0.005 * i) for i in range(3)]
    specs = stops(west + east, prize=None)
    # Pin an eastern visit to route 0, which the solver would otherwise send west.
    specs[3] = StopSpec(key="s3", point=east[0], window=DAY, service_s=SERVICE, pinned_route=0)
    routes = [
        RouteSpec(start=(BRANCH[0], BRANCH[1] - 0.1), end=(BRANCH[0], BRANCH[1] - 0.1), shift=DAY),
        RouteSpec(start=(BRANCH[0], BRANCH[1] + 0.1), end=(BRANCH[0], BRANCH[1] + 0.1), shift=DAY),
    ]
    outcome = plan_routes(routes, specs, travel=TRAVEL, time_limit_s=5, max_iterations=300)
    assert "s3" in {s.key for s in outcome.routes[0].stops}
    assert outcome.unassigned == []
    assert {s.key for r in outcome.routes for s in r.stops} == {f"s{i}" for i in range(6)}


def test_two_routes_share_the_work() -> None:
    outcome = plan_routes(
        [route(), route()],
        stops(scatter(12, seed=5)),
        travel=TRAVEL,
        time_limit_s=5,
        max_iterations=300,
    )
    assert outcome.unassigned == []
    assert sum(len(r.stops) for r in outcome.routes) == 12
    assert all(r.saved_m >= 0 for r in outcome.routes)


def test_same_iterations_same_answer() -> None:
    def run() -> list[list[str]]:
        outcome = plan_routes(
            [route(), route()],
            stops(scatter(10)),
            travel=TRAVEL,
            time_limit_s=5,
            max_iterations=150,
        )
        return [[s.key for s in r.stops] for r in outcome.routes]

    assert run() == run()


def test_input_errors() -> None:
    with pytest.raises(ValueError, match="at least one route"):
        plan_routes([], stops(scatter(1)), travel=TRAVEL, time_limit_s=1)
    with pytest.raises(ValueError, match="unique"):
        plan_routes([route()], stops(scatter(1)) * 2, travel=TRAVEL, time_limit_s=1)
    empty = plan_routes([route()], [], travel=TRAVEL, time_limit_s=1)
    assert empty.routes[0].stops == [] and empty.unassigned == []


H = 3600
SHIFT = (8 * H + 1800, 17 * H + 1800)
LUNCH = ((12 * H, 13 * H),)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_routes_leave_at_the_shift_start_keep_breaks_and_end_in_the_shift(seed: int) -> None:
    rng = random.Random(seed)
    points = scatter(30, seed=seed, spread=0.12)
    specs = [
        StopSpec(
            key=f"s{i}",
            point=p,
            window=(open_ := rng.choice([SHIFT[0], 10 * H, 13 * H]), open_ + 4 * H),
            service_s=SERVICE,
            prize=rng.randint(5, 60) * 1000,
        )
        for i, p in enumerate(points)
    ]
    shifts = [RouteSpec(BRANCH, BRANCH, SHIFT, LUNCH, 480 * 60) for _ in range(3)]
    outcome = plan_routes(
        shifts, specs, travel=TRAVEL, time_limit_s=5, max_iterations=400, working_time_weight=100
    )
    assert not outcome.violations
    assert sum(len(r.stops) for r in outcome.routes) >= 12
    for planned in outcome.routes:
        if not planned.stops:
            continue
        assert planned.start_s == SHIFT[0]  # the earliest departure, not the latest
        assert planned.end_s is not None and planned.end_s <= SHIFT[1]
        assert planned.work_s <= 480 * 60
        for stop in planned.stops:
            assert stop.departure_s <= 12 * H or stop.arrival_s >= 13 * H, stop
            assert SHIFT[0] <= stop.arrival_s and stop.departure_s <= SHIFT[1]


def test_the_working_time_weight_never_drops_visits_to_save_time() -> None:
    specs = stops(scatter(10), prize=2_000)
    by_weight = {
        weight: plan_routes(
            [route(SHIFT)],
            specs,
            travel=TRAVEL,
            time_limit_s=5,
            max_iterations=300,
            working_time_weight=weight,
        )
        for weight in (0, 500)
    }
    # Service time is paid by the prize: a heavy weight visits as many borrowers.
    assert len(by_weight[500].routes[0].stops) == len(by_weight[0].routes[0].stops)


def test_every_stop_pinned_keeps_each_route_alone() -> None:
    points = scatter(8)
    specs = [
        StopSpec(f"s{i}", p, SHIFT, SERVICE, prize=None, pinned_route=i % 2)
        for i, p in enumerate(points)
    ]
    outcome = plan_routes(
        [route(SHIFT), route(SHIFT)], specs, travel=TRAVEL, time_limit_s=5, max_iterations=200
    )
    for k, planned in enumerate(outcome.routes):
        assert {s.key for s in planned.stops} == {f"s{i}" for i in range(8) if i % 2 == k}


def test_a_route_keeps_every_visit_pinned_to_it_beyond_an_even_split() -> None:
    """Re-optimising with team areas kept: a route with more visits than an even split
    (a visit was moved to it by hand) keeps them all instead of dropping one."""
    points = scatter(7)
    specs = [
        StopSpec(f"s{i}", p, SHIFT, SERVICE, prize=None, pinned_route=0 if i < 6 else 1)
        for i, p in enumerate(points)
    ]
    outcome = plan_routes(
        [route(SHIFT), route(SHIFT)], specs, travel=TRAVEL, time_limit_s=5, max_iterations=200
    )
    assert outcome.unassigned == []
    assert {s.key for s in outcome.routes[0].stops} == {f"s{i}" for i in range(6)}
    assert [s.key for s in outcome.routes[1].stops] == ["s6"]


def test_no_stop_is_driven_twice_when_pins_need_the_second_stage() -> None:
    """Stage one may put a pinned stop on a route that has nothing else: that route must
    not keep it while its own route drives it too."""
    points = scatter(6)
    specs = [
        StopSpec(f"s{i}", p, SHIFT, SERVICE, prize=None, pinned_route=0 if i < 2 else None)
        for i, p in enumerate(points)
    ]
    routes = [route(SHIFT), route(SHIFT), route(SHIFT)]
    outcome = plan_routes(routes, specs, travel=TRAVEL, time_limit_s=5, max_iterations=200)
    keys = [s.key for r in outcome.routes for s in r.stops]
    assert sorted(keys) == sorted(f"s{i}" for i in range(6))
    assert {"s0", "s1"} <= {s.key for s in outcome.routes[0].stops}


@pytest.mark.parametrize("weight", [0, 100, 400])
def test_weighted_working_time_still_shares_visits_among_routes(weight: int) -> None:
    """With working time weighted, costs are scaled up: PyVRP's penalties must scale with
    them, or one route over its fair share stays cheaper than opening a second route and
    visits that fit easily are dropped (4 visits, 2 officers: one was left out)."""
    specs = [StopSpec(f"s{i}", p, SHIFT, SERVICE, prize=55_000) for i, p in enumerate(scatter(6))]
    outcome = plan_routes(
        [route(SHIFT), route(SHIFT)],
        specs,
        travel=TRAVEL,
        time_limit_s=5,
        max_iterations=200,
        working_time_weight=weight,
    )
    assert outcome.unassigned == []
    assert all(route.stops for route in outcome.routes)
