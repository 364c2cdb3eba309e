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
from api.planning.workday import apply_routes, workday
from models import Branch, User
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
    assert today.shift == (10 * H, 21 * H) and today.service_s == 40 * 60


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
    assert summary.settings is not None and summary.settings.shift == ("08:00", "21:00")
