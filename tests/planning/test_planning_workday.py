"""The plan's day and `apply_routes`, the one way a solver's answer becomes a plan (pure:
model rows built in memory, no database)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest

from api.compliance import rules
from api.compliance.policy import Policy, PolicyData
from api.errors import InvalidInput, PolicyViolation
from api.planning.planner import PlannedRoute, PlannedStop, PlanOutcome
from api.planning.workday import apply_routes, use_teams, workday
from models import Borrower, Branch, User
from models.enums import Role

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
TUESDAY = date(2026, 11, 24)
H = 3600


def _branch() -> Branch:
    return Branch(code="T", name="测试", lat=37.3, lon=116.5, timezone="Asia/Shanghai")


def _policy(**data: object) -> Policy:
    return Policy.from_data(PolicyData.model_validate({"min_staff": 1, **data}), version=3)


def _user() -> User:
    return User(
        id=uuid.uuid4(),
        branch_id=uuid.uuid4(),
        username="u",
        full_name="u",
        role=Role.officer,
        password_hash="-",
    )


def test_the_day_refuses_the_past_holidays_and_no_time_left() -> None:
    with pytest.raises(InvalidInput, match="in the past"):
        workday(_branch(), date(2026, 11, 22), NOW, _policy())
    with pytest.raises(PolicyViolation) as holiday:
        workday(_branch(), TUESDAY, NOW, _policy(holidays=["2026-11-24"]))
    assert holiday.value.extra["rules"] == [rules.HOLIDAY]
    late = datetime(2026, 11, 23, 12, 50, tzinfo=UTC)  # 20:50 in Shanghai
    with pytest.raises(InvalidInput, match="No time is left"):
        workday(_branch(), date(2026, 11, 23), late, _policy())
    today = workday(_branch(), date(2026, 11, 23), NOW, _policy())
    # The branch default working day 08:30-17:30 within lawful hours, from now on today.
    assert today.shift == (10 * H, 17 * H + 1800) and today.service_s == 40 * 60


def test_apply_routes_places_lawful_stops_and_refuses_the_others() -> None:
    day = workday(_branch(), TUESDAY, NOW, _policy())
    pair, alone = [_user(), _user()], [_user()]
    route = PlannedRoute(
        stops=[
            PlannedStop("early", 9 * H, 9 * H + 2400, 1200),
            PlannedStop("night", 21 * H, 21 * H + 2400, 800),  # after 21:00: never stored
            PlannedStop("noon", 12 * H, 12 * H + 2400, 900),
        ],
        distance_m=5000,
        duration_s=4 * H,
        start_s=8 * H,
        end_s=13 * H,
        clerk_distance_m=6200,
    )
    outcome = PlanOutcome(routes=[route, PlannedRoute()], unassigned=["left"], iterations=7)
    placed: list[tuple[list[uuid.UUID], str, int]] = []
    ids = {"early": uuid.uuid4(), "noon": uuid.uuid4()}

    def place(team: Sequence[User], stop: PlannedStop, position: int) -> uuid.UUID:
        placed.append(([u.id for u in team], stop.key, position))
        return ids[stop.key]

    applied = apply_routes(day, [pair, alone], outcome, place)
    assert placed == [([u.id for u in pair], "early", 1), ([u.id for u in pair], "noon", 2)]
    assert [(key, v.code) for key, v in applied.refused] == [("night", rules.OUTSIDE_LAWFUL_HOURS)]
    first, second = applied.routes
    assert first.visit_ids == [ids["early"], ids["noon"]] and first.stops == 2
    assert first.officer_ids == [u.id for u in pair] and first.lead_id == pair[0].id
    assert (first.saved_m, first.saved_km) == (1200, 1.2)
    assert first.start_at == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert second.stops == 0 and second.start_at is None and second.lead_id == alone[0].id
    summary = applied.summary(unassigned=[], unscheduled=[], clerk_order=[], optimised_at=NOW)
    assert (summary.visits, summary.distance_m, summary.saved_m) == (2, 5000, 1200)
    assert summary.solver.iterations == 7 and summary.optimised_at == NOW
    assert summary.settings is not None and summary.settings.shift == ("08:30", "17:30")


def test_a_team_works_the_hours_all_members_share() -> None:
    day = workday(_branch(), TUESDAY, NOW, _policy())
    early, late = _user(), _user()
    early.workday = {"start": "07:30", "end": "16:00", "breaks": [], "max_work_minutes": 420}
    late.workday = {
        "start": "09:00",
        "end": "18:00",
        "breaks": [{"start": "12:30", "end": "13:30"}],
        "max_work_minutes": 480,
    }
    use_teams(day, [[early, late], [_user()]])
    team, alone = day.routes
    assert team.shift == (9 * H, 16 * H) and team.breaks == ((12 * H + 1800, 13 * H + 1800),)
    assert team.max_work_s == 420 * 60
    # Lawful hours start at 08:00, so 07:30 would not be allowed anyway; the default day:
    assert alone.shift == (8 * H + 1800, 17 * H + 1800) and alone.breaks == ((12 * H, 13 * H),)
    apart = _user()
    apart.workday = {"start": "16:30", "end": "20:00", "breaks": [], "max_work_minutes": 200}
    with pytest.raises(InvalidInput, match="no time in common"):
        use_teams(day, [[early, apart]])


def test_a_remote_road_visit_ends_by_sunset() -> None:
    branch = _branch()
    day = workday(branch, date(2026, 12, 1), NOW, _policy())
    assert day.sunset_s is not None
    assert day.clock.local_hhmm(day.sunset_s) == "16:56"  # Dezhou area, 1 December
    remote = Borrower(
        national_id_masked="-",
        national_id_hash="-",
        name="x",
        safety_flags=["remote_road"],
        branch_id=uuid.uuid4(),
    )
    plain = Borrower(
        national_id_masked="-",
        national_id_hash="-",
        name="y",
        safety_flags=[],
        branch_id=uuid.uuid4(),
    )
    assert day.visit_window(remote).end == day.sunset_s
    assert day.visit_window(plain).end == 17 * H + 1800
    evening = Borrower(
        national_id_masked="-",
        national_id_hash="-",
        name="z",
        safety_flags=["remote_road"],
        preferred_times=[{"start": "16:30", "end": "19:00"}],
        branch_id=uuid.uuid4(),
    )
    window = day.visit_window(evening)
    assert window.end - window.start < day.service_s  # cannot be planned: too dark
