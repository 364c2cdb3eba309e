"""The day a plan is made for, and the one way a solver's answer becomes a plan.

`workday` checks the day can be planned and fixes its hours, shift and settings;
`solve` orders the routes; `apply_routes` walks the answer: every stop the policy allows
where the solver put it is placed on its visit (created or moved by the caller), and the
routes' summaries are built. Both creating and optimising a plan go through it.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from api.compliance import rules as compliance
from api.compliance.policy import Policy
from api.errors import InvalidInput, PolicyViolation
from api.planning.planner import (
    PlannedRoute,
    PlannedStop,
    PlanOutcome,
    RouteSpec,
    StopSpec,
    plan_routes,
)
from api.planning.schedule import DayClock, PlanningSettings, TravelSettings, visit_window
from api.planning.schemas import (
    PlanSettingsSummary,
    PlanSummary,
    PlanTotals,
    RouteSummary,
    SolverSummary,
    UnassignedBorrower,
    UnscheduledVisit,
)
from api.planning.settings import branch_zone, planning_settings, travel_settings
from api.routing.travel import HaversineTravelModel
from models import Borrower, Branch, User, Visit


@dataclass
class Workday:
    branch: Branch
    clock: DayClock
    lawful: tuple[time, time]
    shift: tuple[int, int]  # first departure, latest return: seconds on the clock
    service_s: int
    planning: PlanningSettings
    travel: TravelSettings
    policy: Policy


def workday(branch: Branch, plan_date: date, now: datetime, policy: Policy) -> Workday:
    """The day to plan: not in the past, not a holiday, with time left for a visit."""
    zone = branch_zone(branch)
    today = now.astimezone(zone).date()
    if plan_date < today:
        raise InvalidInput(f"{plan_date} is in the past; plan today ({today}) or a later day.")
    if plan_date in policy.holidays:
        raise PolicyViolation(
            f"{plan_date} is a holiday of your branch (policy version {policy.version}): no "
            "visits may be made on it. Plan another day.",
            rules=[compliance.HOLIDAY],
        )
    planning = planning_settings(branch)
    lawful = (policy.visiting_start, policy.visiting_end)
    clock = DayClock(plan_date, zone)
    service_s = planning.service_min * 60
    start, end = clock.seconds(lawful[0]), clock.seconds(lawful[1])
    if plan_date == today:
        # Nobody can arrive in the past: today's routes start now (to the next minute).
        start = max(start, math.ceil(clock.seconds_of(now) / 60) * 60)
    if end - start < service_s:
        raise InvalidInput(
            f"No time is left for a visit on {plan_date} within visiting hours "
            f"{lawful[0]:%H:%M}-{lawful[1]:%H:%M}; plan another day."
        )
    travel = travel_settings(branch)
    return Workday(branch, clock, lawful, (start, end), service_s, planning, travel, policy)


def stored_window(day: Workday, visit: Visit, borrower: Borrower) -> tuple[int, int]:
    """The window the visit was planned with, or (if missing or too short) a fresh one."""
    if visit.window_start is not None and visit.window_end is not None:
        start = day.clock.seconds_of(visit.window_start)
        end = day.clock.seconds_of(visit.window_end)
        if start >= 0 and end - start >= day.service_s:
            return start, end
    fresh = visit_window(
        borrower.preferred_times, clock=day.clock, lawful=day.lawful, service_s=day.service_s
    )
    return fresh.start, fresh.end


def solve(
    day: Workday,
    teams: Sequence[Sequence[User]],
    stops: list[StopSpec],
    *,
    time_limit_s: float | None,
    max_iterations: int | None,
) -> PlanOutcome:
    """One route per team, from and back to the lead's home (or the branch)."""
    return plan_routes(
        [_route_spec(day, team[0]) for team in teams],
        stops,
        travel=HaversineTravelModel(day.travel.detour_factor, day.travel.speed_kmh),
        time_limit_s=time_limit_s or day.planning.time_limit_s,
        max_iterations=max_iterations or day.planning.max_iterations,
    )


def _route_spec(day: Workday, lead: User) -> RouteSpec:
    if lead.home_lat is not None and lead.home_lon is not None:
        home = (lead.home_lat, lead.home_lon)
    else:
        home = (day.branch.lat, day.branch.lon)
    return RouteSpec(start=home, end=home, shift=day.shift)


# Places a stop on its visit: (team, stop, position from 1) -> the visit's id.
PlaceStop = Callable[[Sequence[User], PlannedStop, int], uuid.UUID]


@dataclass
class AppliedRoutes:
    """The solver's answer as placed: the routes' summaries, and the stops the policy
    forbids where the solver put them (never stored there)."""

    day: Workday
    outcome: PlanOutcome
    routes: list[RouteSummary]
    refused: list[tuple[str, compliance.Violation]]  # (stop key, the first rule broken)

    def summary(
        self,
        *,
        unassigned: list[UnassignedBorrower],
        unscheduled: list[UnscheduledVisit],
        clerk_order: list[uuid.UUID],
        optimised_at: datetime | None,
    ) -> PlanSummary:
        """The plan's summary after this solve."""
        return PlanSummary(
            **PlanTotals.of(self.routes).model_dump(),
            routes=self.routes,
            unassigned=unassigned,
            unscheduled=unscheduled,
            clerk_order=clerk_order,
            solver=SolverSummary(
                iterations=self.outcome.iterations,
                solve_time_s=self.outcome.solve_time_s,
                violations=self.outcome.violations,
            ),
            settings=_settings_summary(self.day),
            optimised_at=optimised_at,
        )


def apply_routes(
    day: Workday, teams: Sequence[Sequence[User]], outcome: PlanOutcome, place: PlaceStop
) -> AppliedRoutes:
    """Walk each team's route in order; `place` puts every lawful stop on its visit."""
    routes: list[RouteSummary] = []
    refused: list[tuple[str, compliance.Violation]] = []
    for team, route in zip(teams, outcome.routes, strict=True):
        visit_ids: list[uuid.UUID] = []
        for stop in route.stops:
            broken = _planned_violations(day, stop, len(team))
            if broken:
                # The windows keep visits within hours; never store one the solver missed.
                refused.append((stop.key, broken[0]))
                continue
            visit_ids.append(place(team, stop, len(visit_ids) + 1))
        routes.append(_route_summary(day, [u.id for u in team], visit_ids, route))
    return AppliedRoutes(day, outcome, routes, refused)


def _planned_violations(
    day: Workday, stop: PlannedStop, team_size: int
) -> list[compliance.Violation]:
    """What the policy says about a visit placed from the stop's arrival to its departure."""
    return compliance.evaluate(
        compliance.Context(
            policy=day.policy,
            tz=day.clock.zone,
            at=day.clock.at(stop.arrival_s),
            until=day.clock.at(stop.departure_s),
            team_size=team_size,
        )
    )


def _route_summary(
    day: Workday, team: list[uuid.UUID], visit_ids: list[uuid.UUID], route: PlannedRoute
) -> RouteSummary:
    return RouteSummary(
        officer_ids=team,
        lead_id=team[0],
        visit_ids=visit_ids,
        stops=len(visit_ids),
        distance_m=route.distance_m,
        duration_s=route.duration_s,
        start_at=day.clock.at(route.start_s) if route.start_s is not None else None,
        end_at=day.clock.at(route.end_s) if route.end_s is not None else None,
        clerk_distance_m=route.clerk_distance_m,
        saved_m=route.saved_m,
        saved_km=round(route.saved_m / 1000, 1),
        clerk_late_visits=route.clerk_late,
        clerk_order_kept=route.clerk_order_kept,
    )


def _settings_summary(day: Workday) -> PlanSettingsSummary:
    return PlanSettingsSummary(
        visiting_hours=f"{day.lawful[0]:%H:%M}-{day.lawful[1]:%H:%M}",
        shift=(day.clock.local_hhmm(day.shift[0]), day.clock.local_hhmm(day.shift[1])),
        service_min=day.planning.service_min,
        travel=day.travel,
        timezone=day.clock.zone.key,
    )
