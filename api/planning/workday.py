"""The day a plan is made for, and the one way a solver's answer becomes a plan.

`workday` checks the day can be planned and fixes its hours, shift and settings;
`use_teams` gives each route its shift (its members' common working day within lawful
hours), breaks and working time; `solve` orders the routes; `apply_routes` walks the
answer: every stop the policy allows where the solver put it is placed on its visit (created
or moved by the caller), and the routes' summaries are built. Both creating and optimising
a plan go through it.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
from api.planning.schedule import (
    DayClock,
    PlanningSettings,
    TravelSettings,
    VisitWindow,
    WorkdaySettings,
    minutes,
    sunset_seconds,
    team_workday,
    visit_window,
)
from api.planning.schemas import (
    PlanSettingsSummary,
    PlanSummary,
    PlanTotals,
    RouteSummary,
    SolverSummary,
    UnassignedBorrower,
    UnscheduledVisit,
)
from api.planning.settings import (
    branch_workday,
    branch_zone,
    officer_workday,
    planning_settings,
    travel_settings,
)
from api.routing.travel import TravelChoice, TravelModelError, TravelUnavailable
from models import Borrower, Branch, User, Visit


@dataclass
class Workday:
    branch: Branch
    clock: DayClock
    lawful: tuple[time, time]
    shift: tuple[int, int]  # the branch's: first departure, latest return (clock seconds)
    service_s: int
    planning: PlanningSettings
    travel: TravelSettings
    policy: Policy
    hours: WorkdaySettings = field(default_factory=WorkdaySettings)  # the branch's
    earliest: int = 0  # nobody leaves before this (now, on today's plan)
    sunset_s: int | None = None
    routes: list[RouteSpec] = field(default_factory=list)  # set by use_teams

    def within(self) -> tuple[int, int]:
        """Working time of the day: the branch's shift, widened to every route's."""
        shifts = [self.shift, *(r.shift for r in self.routes)]
        return min(s[0] for s in shifts), max(s[1] for s in shifts)

    def visit_window(self, borrower: Borrower) -> VisitWindow:
        """Lawful hours ∩ the working day ∩ the borrower's preferred times; a borrower
        whose road is flagged remote_road must be done by local sunset."""
        window = visit_window(
            borrower.preferred_times,
            clock=self.clock,
            lawful=self.lawful,
            service_s=self.service_s,
            within=self.within(),
        )
        if self.sunset_s is not None and "remote_road" in (borrower.safety_flags or []):
            end = min(window.end, self.sunset_s)
            return VisitWindow(min(window.start, end), end, window.note)
        return window

    def clock_shift(self, hours: WorkdaySettings) -> tuple[int, int]:
        """Working hours ∩ lawful hours, not before `earliest`, in clock seconds."""
        start = max(
            self.earliest, self.at_minute(minutes(hours.start)), self.clock.seconds(self.lawful[0])
        )
        end = min(self.at_minute(minutes(hours.end)), self.clock.seconds(self.lawful[1]))
        return start, max(start, end)

    def at_minute(self, minute: int) -> int:
        if minute >= 24 * 60:
            return self.clock.seconds(time(23, 59, 59)) + 1
        return self.clock.seconds(time(minute // 60, minute % 60))


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
    # Nobody can arrive in the past: today's routes start now (to the next minute).
    earliest = math.ceil(clock.seconds_of(now) / 60) * 60 if plan_date == today else 0
    day = Workday(
        branch,
        clock,
        lawful,
        (0, 0),
        service_s,
        planning,
        travel_settings(branch),
        policy,
        hours=branch_workday(branch),
        earliest=earliest,
        sunset_s=sunset_seconds(clock, branch.lat, branch.lon),
    )
    day.shift = day.clock_shift(day.hours)
    if day.shift[1] - day.shift[0] < service_s:
        raise InvalidInput(
            f"No time is left for a visit on {plan_date} within the working day "
            f"{day.hours.start}-{day.hours.end} and visiting hours "
            f"{lawful[0]:%H:%M}-{lawful[1]:%H:%M}; plan another day."
        )
    return day


def use_teams(day: Workday, teams: Sequence[Sequence[User]]) -> None:
    """Each route's shift, breaks and working time: what all its members share."""
    day.routes = []
    for team in teams:
        hours = team_workday([officer_workday(u, day.branch) for u in team])
        if hours is None:
            names = ", ".join(u.full_name for u in team)
            raise InvalidInput(
                f"The working days of {names} have no time in common: give them the same "
                "hours or plan them apart."
            )
        breaks = tuple((day.at_minute(b0), day.at_minute(b1)) for b0, b1 in hours.break_minutes())
        day.routes.append(
            RouteSpec(
                start=_home(day, team[0]),
                end=_home(day, team[0]),
                shift=day.clock_shift(hours),
                breaks=breaks,
                max_work_s=hours.max_work_minutes * 60,
            )
        )


def stored_window(day: Workday, visit: Visit, borrower: Borrower) -> tuple[int, int]:
    """The window the visit was planned with, or (if missing or too short) a fresh one."""
    if visit.window_start is not None and visit.window_end is not None:
        start = day.clock.seconds_of(visit.window_start)
        end = day.clock.seconds_of(visit.window_end)
        if start >= 0 and end - start >= day.service_s:
            return start, end
    fresh = day.visit_window(borrower)
    return fresh.start, fresh.end


def solve(
    day: Workday,
    teams: Sequence[Sequence[User]],
    stops: list[StopSpec],
    *,
    time_limit_s: float | None,
    max_iterations: int | None,
    travel: TravelChoice | None = None,
) -> PlanOutcome:
    """One route per team, from and back to the lead's home (or the branch), inside the
    team's shift and breaks; 503 when the travel model is unavailable."""
    if len(day.routes) != len(teams):
        use_teams(day, teams)
    slow = [s.point for s in stops if s.slow_road]
    model = (travel or TravelChoice()).model(
        detour_factor=day.travel.detour_factor,
        speed_kmh=day.travel.speed_kmh,
        slow_speed_kmh=day.travel.remote_speed_kmh,
        slow_points=slow,
    )
    try:
        return plan_routes(
            day.routes,
            stops,
            travel=model,
            time_limit_s=time_limit_s or day.planning.time_limit_s,
            max_iterations=max_iterations or day.planning.max_iterations,
            working_time_weight=day.planning.working_time_weight,
        )
    except TravelModelError as exc:
        raise TravelUnavailable(
            f"Travel times are unavailable, so the day cannot be planned now: {exc}. Try "
            "again later or ask the administrator to check the OSRM server."
        ) from exc


def _home(day: Workday, lead: User) -> tuple[float, float]:
    if lead.home_lat is not None and lead.home_lon is not None:
        return (lead.home_lat, lead.home_lon)
    return (day.branch.lat, day.branch.lon)


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
        breaks=[(b.start, b.end) for b in day.hours.breaks],
        service_min=day.planning.service_min,
        working_time_weight=day.planning.working_time_weight,
        travel=day.travel,
        timezone=day.clock.zone.key,
    )
