"""Branch day inside working days: `python tests/benchmarks/branch_day_shift.py [--quick]`.

150 candidates around Dezhou, 5 teams, workday 08:30-17:30 with lunch 12:00-13:00 and
480 working minutes, through the planner (`plan_routes`) as POST /plans uses it. Every route
is checked: first departure at the shift start, back by the shift end, no visit overlapping
lunch, working time within the limit. Then total driving and total working time with the
working-time objective (the default weight) against today's objective (weight 0: driving
only) on the same instances; medians over seeds. Target: working time falls, driving rises
at most 3 %.

Two days are measured: the full day (150 optional candidates: more than five teams can do,
so every route works to the end of its shift under either objective and working time can
only fall through fewer or shorter waits) and a light day (30 required visits, six per
team, a third of them mornings only and a quarter afternoons only), where routes end early
and a compact order shows in the working time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from api.planning.planner import PlanOutcome, RouteSpec, StopSpec, plan_routes  # noqa: E402
from api.planning.schedule import DEFAULT_WORKING_TIME_WEIGHT  # noqa: E402
from api.routing.travel import HaversineTravelModel  # noqa: E402

BRANCH = (37.4355, 116.3575)  # Dezhou
H = 3600
SHIFT = (8 * H + 1800, 17 * H + 1800)
LUNCH = ((12 * H, 13 * H),)
MAX_WORK_S = 480 * 60
SERVICE_S = 40 * 60
TRAVEL = HaversineTravelModel(1.3, 30.0)


def instance(
    seed: int, n: int = 150, teams: int = 5, *, required: bool = False
) -> tuple[list[RouteSpec], list[StopSpec]]:
    rng = random.Random(seed)
    routes = [RouteSpec(BRANCH, BRANCH, SHIFT, LUNCH, MAX_WORK_S) for _ in range(teams)]
    stops = []
    for i in range(n):
        point = (BRANCH[0] + rng.uniform(-0.15, 0.15), BRANCH[1] + rng.uniform(-0.18, 0.18))
        kind = rng.random()
        if kind < 0.5:
            window = SHIFT  # any time
        elif kind < 0.75:
            window = (SHIFT[0], 12 * H)  # mornings
        else:
            window = (14 * H, SHIFT[1])  # afternoons
        prize = rng.randint(20, 120) * 1000  # priority points x 1,000 m
        stops.append(StopSpec(f"s{i}", point, window, SERVICE_S, prize=None if required else prize))
    return routes, stops


def check(outcome: PlanOutcome) -> list[str]:
    """Every broken rule of the answer (empty when all routes keep shift and breaks)."""
    problems = list(outcome.violations)
    for k, route in enumerate(outcome.routes):
        if not route.stops:
            continue
        if route.start_s != SHIFT[0]:
            problems.append(f"route {k} leaves at {route.start_s}, not at the shift start")
        if route.end_s is None or route.end_s > SHIFT[1]:
            problems.append(f"route {k} is back at {route.end_s}, after the shift")
        if route.work_s > MAX_WORK_S:
            problems.append(f"route {k} works {route.work_s} s")
        for stop in route.stops:
            if not (stop.departure_s <= LUNCH[0][0] or stop.arrival_s >= LUNCH[0][1]):
                problems.append(f"route {k}: visit {stop.key} overlaps lunch")
    return problems


def run(seed: int, weight: int, iterations: int, day: Day) -> tuple[int, int, int]:
    routes, stops = instance(seed, day.stops, required=day.required)
    outcome = plan_routes(
        routes,
        stops,
        travel=TRAVEL,
        time_limit_s=10,
        max_iterations=iterations,
        seed=seed,
        working_time_weight=weight,
    )
    problems = check(outcome)
    if problems:
        raise SystemExit(f"seed {seed}, weight {weight}: " + "; ".join(problems[:5]))
    driving = sum(r.distance_m for r in outcome.routes)
    working = sum(r.work_s for r in outcome.routes)
    visits = sum(len(r.stops) for r in outcome.routes)
    return driving, working, visits


@dataclass(frozen=True)
class Day:
    name: str
    stops: int
    required: bool


DAYS = (Day("full day, 150 candidates", 150, False), Day("light day, 30 visits", 30, True))


def compare(day: Day, seeds: list[int], weight: int, iterations: int) -> None:
    rows = []
    print(f"{day.name}")
    print(f"{'seed':>4} {'km w=0':>8} {'km w':>8} {'work h w=0':>10} {'work h w':>9} visits")
    for seed in seeds:
        d0, t0, v0 = run(seed, 0, iterations, day)
        d1, t1, v1 = run(seed, weight, iterations, day)
        rows.append((d1 / d0, t1 / t0, (t1 / v1) / (t0 / v0)))
        print(
            f"{seed:>4} {d0 / 1000:8.1f} {d1 / 1000:8.1f} {t0 / H:10.2f} {t1 / H:9.2f} {v0} -> {v1}"
        )
    drive_ratio = statistics.median(r[0] for r in rows)
    work_ratio = statistics.median(r[1] for r in rows)
    per_visit = statistics.median(r[2] for r in rows)
    print(
        f"  weight {weight} m/min vs 0, medians over {len(seeds)} seeds: driving x"
        f"{drive_ratio:.3f} ({(drive_ratio - 1) * 100:+.1f} %), working time x{work_ratio:.3f} "
        f"({(work_ratio - 1) * 100:+.1f} %), working time per visit x{per_visit:.3f}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 seeds, 1,000 iterations")
    parser.add_argument("--weight", type=int, default=DEFAULT_WORKING_TIME_WEIGHT)
    args = parser.parse_args(argv)
    seeds = [1, 2, 3] if args.quick else [1, 2, 3, 4, 5]
    iterations = 1000 if args.quick else 2000
    for day in DAYS:
        compare(day, seeds, args.weight, iterations)
    print("every route inside its shift and lunch, leaving at the shift start")


if __name__ == "__main__":
    main()
