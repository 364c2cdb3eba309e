"""Routing solver benchmark: `python tests/benchmarks/routing.py [--quick]`.

(a) small single-officer days with windows vs an exact label-setting DP (Held-Karp with
    Pareto labels of distance and time, exact with windows);
(b) one officer's 15-stop day with windows vs the same DP;
(c) a branch day around Dezhou (haversine travel model, optional visits with prizes) at 5 s
    vs the best of two 20 s runs;
(d) Solomon 100-customer VRPTW, distance-only convention (x10, floored) vs the proven optima;
(e) the clerk's list order vs the optimised order.

Not collected by pytest (tests/benchmarks is in norecursedirs). Full run: about 3 minutes.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from api.routing.schemas import SolveRequest, SolveResponse  # noqa: E402
from api.routing.solver import (  # noqa: E402
    list_order_assignment,
    list_order_baseline,
    solve,
    time_route,
)
from api.routing.travel import HaversineTravelModel  # noqa: E402

BENCH_DATA = Path("/work/shared/bench-data")
BRANCH = (37.4355, 116.3575)  # Dezhou
DAY = (8 * 3600, 21 * 3600)
TRAVEL = HaversineTravelModel()  # detour 1.3, 30 km/h
console = Console(width=150)  # one line per row even when piped


# --------------------------------------------------------------------------------------------
# Exact single-officer solver


def exact_day(
    dur: np.ndarray,
    dist: np.ndarray,
    service: Sequence[int],
    opens: Sequence[int],
    closes: Sequence[int],
    shift: tuple[int, int],
) -> float:
    """Shortest tour 0 -> every stop -> 0 (stop k at matrix index k + 1) whose visits each
    fit inside [opens, closes]. Labels per (visited set, last stop) keep every (distance,
    departure time) pair not dominated by another, so windows are handled exactly."""
    n = len(service)
    start, end = shift
    big_d = dist.astype(int).tolist()
    big_t = dur.astype(int).tolist()
    back = [big_t[k + 1][0] for k in range(n)]
    labels: list[dict[int, list[tuple[int, int]]] | None] = [{} for _ in range(1 << n)]
    for k in range(n):
        t = max(start + big_t[0][k + 1], opens[k]) + service[k]
        if t <= closes[k] and t + back[k] <= end:
            first = labels[1 << k]
            assert first is not None
            first[k] = [(big_d[0][k + 1], t)]
    full = (1 << n) - 1
    best = math.inf
    for mask in range(1, 1 << n):
        row = labels[mask]
        if not row:
            continue
        if mask == full:
            for j, labs in row.items():
                for d, t in labs:
                    if t + back[j] <= end:
                        best = min(best, d + big_d[j + 1][0])
            continue
        for j, labs in row.items():
            dj, tj = big_d[j + 1], big_t[j + 1]
            for k in range(n):
                bit = 1 << k
                if mask & bit:
                    continue
                nxt = labels[mask | bit]
                assert nxt is not None
                target = nxt.get(k)
                for d, t in labs:
                    arrive = max(t + tj[k + 1], opens[k]) + service[k]
                    if arrive > closes[k] or arrive + back[k] > end:
                        continue
                    nd = d + dj[k + 1]
                    if target is None:
                        target = nxt[k] = [(nd, arrive)]
                        continue
                    if any(d2 <= nd and t2 <= arrive for d2, t2 in target):
                        continue
                    target[:] = [(d2, t2) for d2, t2 in target if not (nd <= d2 and arrive <= t2)]
                    target.append((nd, arrive))
        labels[mask] = None  # done with this set: free it
    return best


# --------------------------------------------------------------------------------------------
# Instances


def around(
    rng: np.random.Generator, centre: tuple[float, float], km: float, n: int
) -> list[tuple[float, float]]:
    """n points uniformly in a disc of radius km around centre, as (lat, lon)."""
    r = km * np.sqrt(rng.random(n))
    theta = rng.random(n) * 2 * np.pi
    dlat = r * np.cos(theta) / 111.2
    dlon = r * np.sin(theta) / (111.2 * np.cos(np.radians(centre[0])))
    return [(centre[0] + a, centre[1] + b) for a, b in zip(dlat, dlon, strict=True)]


@dataclass
class Day:
    request: SolveRequest
    dur: np.ndarray
    dist: np.ndarray
    exact: float


def officer_day(
    rng: np.random.Generator, n: int, service: tuple[int, int], time_limit: float
) -> Day:
    """One officer from the branch: n required visits, half with a 2-4 h window; resampled
    until a feasible day exists (the exact DP says so)."""
    while True:
        points = [BRANCH, *around(rng, BRANCH, 12.0, n)]
        dur, dist = TRAVEL.matrix(points)
        stops: list[dict[str, Any]] = []
        for k in range(n):
            stop: dict[str, Any] = {
                "id": f"v{k + 1}",
                "location": k + 1,
                "service_s": int(rng.integers(service[0], service[1] + 1)),
            }
            if rng.random() < 0.5:
                length = int(rng.integers(2 * 3600, 4 * 3600 + 1))
                begin = int(rng.integers(DAY[0], DAY[1] - length + 1))
                stop["window"] = [begin, begin + length]
            stops.append(stop)
        exact = exact_day(
            dur,
            dist,
            [s["service_s"] for s in stops],
            [s["window"][0] if "window" in s else 0 for s in stops],
            [s["window"][1] if "window" in s else 10**12 for s in stops],
            DAY,
        )
        if math.isfinite(exact):
            break
    request = SolveRequest.model_validate(
        {
            "time_limit_s": time_limit,
            "seed": 1,
            "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": list(DAY)}],
            "stops": stops,
            "matrix": {"duration_s": dur.tolist(), "distance_m": dist.tolist()},
        }
    )
    return Day(request, dur, dist, exact)


def branch_day(seed: int, n_visits: int, n_officers: int) -> dict[str, Any]:
    """A branch's day: optional visits (prize by priority), some with windows; most officers
    start at the branch, some at home; two work a shorter shift."""
    rng = np.random.default_rng(seed)
    homes = around(rng, BRANCH, 15.0, n_officers)
    visits = around(rng, BRANCH, 25.0, n_visits)
    points = [BRANCH, *homes, *visits]
    vehicles = []
    for k in range(n_officers):
        at_home = k % 3 == 2
        vehicles.append(
            {
                "id": f"officer{k + 1}",
                "start": k + 1 if at_home else 0,
                "end": k + 1 if at_home else 0,
                "shift": [9 * 3600, 17 * 3600] if k % 5 == 4 else [8 * 3600, 18 * 3600],
                "capacity": 12,
            }
        )
    stops = []
    for k in range(n_visits):
        stop: dict[str, Any] = {
            "id": f"b{k + 1}",
            "location": 1 + n_officers + k,
            "service_s": int(rng.choice([1800, 2400, 2700])),
            "prize": int(rng.integers(1, 6)) * 15_000,  # priority 1-5, 15 km of driving each
        }
        if rng.random() < 0.4:
            begin = int(rng.choice([8, 9, 10, 13, 14, 15])) * 3600
            stop["window"] = [begin, begin + int(rng.choice([2, 3])) * 3600]
        stops.append(stop)
    return {
        "seed": 1,
        "vehicles": vehicles,
        "stops": stops,
        "locations": [{"lat": lat, "lon": lon} for lat, lon in points],
    }


def solomon_request(name: str, time_limit: float) -> tuple[dict[str, Any], np.ndarray]:
    """Solomon instance in the distance-only convention: coordinates x10, distances and
    times floored (the CVRPLIB/DIMACS convention of the published optima)."""
    lines = (BENCH_DATA / "solomon" / f"{name}.txt").read_text().splitlines()
    n_vehicles, capacity = (int(x) for x in lines[4].split())
    rows = [list(map(int, line.split())) for line in lines[9:] if line.strip()]
    xy = np.array([[r[1], r[2]] for r in rows], dtype=float)
    diff = xy[:, None, :] - xy[None, :, :]
    dist = np.floor(10 * np.hypot(diff[..., 0], diff[..., 1])).astype(np.int64)
    depot = rows[0]
    stops = [
        {
            "id": str(r[0]),
            "location": k,
            "demand": r[3],
            "service_s": 10 * r[6],
            # Solomon's due date bounds the start of service; our window holds the visit.
            "window": [10 * r[4], 10 * r[5] + 10 * r[6]],
        }
        for k, r in enumerate(rows[1:], start=1)
    ]
    vehicles = [
        {
            "id": f"v{k + 1}",
            "start": 0,
            "end": 0,
            "shift": [10 * depot[4], 10 * depot[5]],
            "capacity": capacity,
        }
        for k in range(n_vehicles)
    ]
    data = {
        "time_limit_s": time_limit,
        "seed": 1,
        "vehicles": vehicles,
        "stops": stops,
        "matrix": {"duration_s": dist.tolist(), "distance_m": dist.tolist()},
    }
    return data, dist


def solomon_reference(name: str, request: SolveRequest, dist: np.ndarray) -> tuple[int, bool]:
    """Cost and feasibility of the published optimal routes under our own timing."""
    text = (BENCH_DATA / "solomon" / f"{name}.sol").read_text()
    by_id = {s.id: s for s in request.stops}
    total, feasible, seen = 0, True, 0
    for line in text.splitlines():
        if not line.startswith("Route"):
            continue
        stops = [by_id[c] for c in line.split(":", 1)[1].split()]
        seen += len(stops)
        timing = time_route(request.vehicles[0], stops, dist, dist)
        total += timing.distance_m
        feasible &= not timing.violations
    return total, feasible and seen == len(request.stops)


def published_optima() -> dict[str, float]:
    with (BENCH_DATA / "bks.csv").open() as fh:
        return {
            row["instance"]: float(row["value"])
            for row in csv.DictReader(fh)
            if row["set"] == "solomon" and row["objective_convention"].startswith("distance only")
        }


# --------------------------------------------------------------------------------------------
# Helpers


def timed(fn: Callable[[], SolveResponse]) -> tuple[SolveResponse, float]:
    t0 = time.perf_counter()
    answer = fn()
    return answer, time.perf_counter() - t0


def gap(value: float, reference: float) -> float:
    return 100.0 * (value - reference) / reference


def med(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def fmt(value: float, digits: int = 2) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


# --------------------------------------------------------------------------------------------
# Parts


@dataclass
class Clerk:
    label: str
    optimised_m: list[int]
    list_order_m: list[int]
    late: list[int]


def part_small_days(count: int, table: Table, clerk: list[Clerk]) -> None:
    rng = np.random.default_rng(2026)
    gaps, times, optimal, sizes = [], [], 0, []
    ours, theirs, late = [], [], []
    for _ in range(count):
        day = officer_day(rng, int(rng.integers(6, 11)), (1800, 2700), time_limit=0.2)
        answer, elapsed = timed(partial(solve, day.request))
        sizes.append(len(day.request.stops))
        if not answer.feasible:
            gaps.append(math.inf)
        else:
            gaps.append(gap(answer.distance_m, day.exact))
            optimal += answer.distance_m == day.exact
        times.append(elapsed)
        baseline = list_order_baseline(day.request)
        ours.append(answer.distance_m)
        theirs.append(baseline.distance_m)
        late.append(len(baseline.late_stops))
    table.add_row(
        f"(a) 1 officer, {min(sizes)}-{max(sizes)} visits, windows",
        f"{count} days",
        "exact DP",
        f"{fmt(med(gaps))} / {fmt(max(gaps))}",
        f"{optimal}/{count} optimal",
        f"{fmt(med(times))} / {fmt(max(times))}",
    )
    clerk.append(Clerk(f"(a) {count} officer days", ours, theirs, late))


def part_fifteen(
    count: int, n: int, budgets: Sequence[float], table: Table, clerk: list[Clerk]
) -> None:
    rng = np.random.default_rng(15)
    days, dp_times = [], []
    for _ in range(count):
        t0 = time.perf_counter()
        days.append(officer_day(rng, n, (900, 1500), time_limit=max(budgets)))
        dp_times.append(time.perf_counter() - t0)
    for budget in budgets:
        gaps, times, optimal = [], [], 0
        ours, theirs, late = [], [], []
        for day in days:
            request = day.request.model_copy(update={"time_limit_s": budget})
            answer, elapsed = timed(partial(solve, request))
            gaps.append(gap(answer.distance_m, day.exact) if answer.feasible else math.inf)
            optimal += answer.feasible and answer.distance_m == day.exact
            times.append(elapsed)
            baseline = list_order_baseline(request)
            ours.append(answer.distance_m)
            theirs.append(baseline.distance_m)
            late.append(len(baseline.late_stops))
        table.add_row(
            f"(b) 1 officer, {n} visits, windows, {budget:g} s",
            f"{count} days",
            f"exact DP ({fmt(med(dp_times), 1)} s)",
            f"{fmt(med(gaps))} / {fmt(max(gaps))}",
            f"{optimal}/{count} optimal",
            f"{fmt(med(times))} / {fmt(max(times))}",
        )
    clerk.append(Clerk(f"(b) {count} days of {n}", ours, theirs, late))


def part_branch(
    n_visits: int,
    n_officers: int,
    budgets: Sequence[float],
    reference_budget: float,
    table: Table,
    clerk: list[Clerk],
) -> None:
    base = branch_day(7, n_visits, n_officers)

    def run(seed: int, limit: float) -> tuple[SolveResponse, float]:
        request = SolveRequest.model_validate({**base, "seed": seed, "time_limit_s": limit})
        return timed(lambda: solve(request))

    reference = min(run(seed, reference_budget)[0].objective for seed in (101, 102))
    for budget in budgets:
        results = [run(seed, budget) for seed in (1, 2, 3)]
        gaps = [gap(a.objective, reference) for a, _ in results]
        times = [t for _, t in results]
        planned = [sum(len(r.stops) for r in a.routes) for a, _ in results]
        km = med([a.distance_m for a, _ in results]) / 1000
        table.add_row(
            f"(c) branch: {n_officers} officers, {n_visits} optional visits, {budget:g} s",
            "3 seeds",
            f"best of 2×{reference_budget:g} s (objective)",
            f"{fmt(med(gaps))} / {fmt(max(gaps))}",
            f"{int(med(planned))} visits, {km:.0f} km",
            f"{fmt(med(times))} / {fmt(max(times))}",
        )
    answer = results[0][0]
    request = SolveRequest.model_validate({**base, "time_limit_s": budgets[-1]})
    baseline = list_order_baseline(request, list_order_assignment(request, answer))
    clerk.append(
        Clerk(
            "(c) branch day, same visits per officer",
            [answer.distance_m],
            [baseline.distance_m],
            [len(baseline.late_stops)],
        )
    )


def part_solomon(names: Sequence[str], budget: float, table: Table) -> None:
    optima = published_optima()
    for name in names:
        data, dist = solomon_request(name, budget)
        request = SolveRequest.model_validate(data)
        ref_cost, ref_ok = solomon_reference(name, request, dist)
        answer, elapsed = timed(partial(solve, request))
        value = answer.distance_m / 10
        used = sum(1 for r in answer.routes if r.stops)
        check = "ok" if ref_ok and abs(ref_cost / 10 - optima[name]) < 0.05 else "MISMATCH"
        table.add_row(
            f"(d) Solomon {name}, {budget:g} s",
            "1 run",
            f"optimum {optima[name]:.1f} (ref {check})",
            f"{fmt(gap(value, optima[name]))}",
            f"{value:.1f}, {used} vehicles" + ("" if answer.feasible else ", INFEASIBLE"),
            f"{elapsed:.2f}",
        )


def clerk_table(clerk: list[Clerk]) -> Table:
    table = Table(title="(e) Clerk's list order vs optimised (same visits)")
    for column in ("instances", "optimised km", "list order km", "% more km", "late visits"):
        table.add_column(column, justify="left" if column == "instances" else "right")
    for row in clerk:
        more = [gap(t, o) for o, t in zip(row.optimised_m, row.list_order_m, strict=True)]
        spread = f"{fmt(med(more), 0)} (range {fmt(min(more), 0)}-{fmt(max(more), 0)})"
        table.add_row(
            row.label,
            f"{sum(row.optimised_m) / 1000:.1f}",
            f"{sum(row.list_order_m) / 1000:.1f}",
            spread if len(more) > 1 else fmt(more[0], 0),
            f"{sum(row.late)} (median {fmt(med(row.late), 0)} per day)",
        )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smoke run in well under a minute")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    table = Table(title="Routing solver benchmark" + (" (--quick)" if args.quick else ""))
    for column in ("case", "runs", "reference", "gap % median / max", "result", "time s med/max"):
        table.add_column(column, justify="left" if column in ("case", "reference") else "right")
    clerk: list[Clerk] = []
    with console.status("(a) small officer days"):
        part_small_days(5 if args.quick else 20, table, clerk)
    with console.status("(b) 15-stop days"):
        if args.quick:
            part_fifteen(1, 12, [0.3], table, clerk)
        else:
            part_fifteen(5, 15, [0.3, 1.0], table, clerk)
    with console.status("(c) branch day"):
        if args.quick:
            part_branch(60, 4, [1.0], 3.0, table, clerk)
        else:
            part_branch(150, 10, [1.5, 5.0], 20.0, table, clerk)
    with console.status("(d) Solomon"):
        if args.quick:
            part_solomon(["C101", "R101"], 2.0, table)
        else:
            part_solomon(["C101", "C201", "R101", "R201", "RC101", "RC201"], 10.0, table)
    console.print(table)
    console.print(clerk_table(clerk))
    console.print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
