"""Planning obeys the branch policy: visits only inside lawful hours, never on a holiday,
never below the staff minimum, never more often than the frequency rule allows. A property
test throws random branches at the planner."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from api.compliance.policy import PolicyData
from api.errors import InvalidInput, PolicyViolation
from api.planning import plans
from api.planning.schemas import PlanCreate
from models import Branch, CompliancePolicy, Visit, VisitOfficer
from models.enums import Role, VisitStatus
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit

TOMORROW = date(2026, 11, 24)


def _store_policy(session: Session, branch_id: uuid.UUID, **data: Any) -> None:
    session.add(
        CompliancePolicy(
            branch_id=branch_id,
            version=1,
            data=PolicyData.model_validate(data).model_dump(mode="json"),
            created_at=FIXED_NOW,
        )
    )
    session.flush()


def _near(branch: Branch, k: int = 0) -> dict[str, float]:
    """A spot a few km from the branch (the factory's default drifts with its counter)."""
    return {"lat": branch.lat + 0.01 * (k + 1), "lon": branch.lon - 0.005 * k}


def _plan(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    payload = {"plan_date": TOMORROW.isoformat(), "max_iterations": 100, **body}
    return client.post("/api/v1/plans", json=payload, headers=headers)


def test_no_plan_on_a_holiday(client: TestClient, session: Session, auth_headers: TokenFor) -> None:
    branch = make_branch(session)
    _store_policy(session, branch.id, holidays=["2026-11-24"])
    manager = make_user(session, branch, role=Role.manager)
    a, b = make_user(session, branch), make_user(session, branch)
    borrower = make_borrower(session, branch)
    make_loan(session, borrower)
    response = _plan(
        client,
        auth_headers(manager.username),
        borrower_ids=[str(borrower.id)],
        teams=[[str(a.id), str(b.id)]],
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "PolicyViolation" and body["rules"] == ["holiday"]
    assert "2026-11-24 is a holiday" in body["detail"] and "another day" in body["detail"]
    assert session.exec(select(Visit).where(Visit.borrower_id == borrower.id)).all() == []


def test_teams_below_the_staff_minimum_are_refused(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)  # no stored policy: the defaults (2 staff) apply
    manager = make_user(session, branch, role=Role.manager)
    a, b, c = (make_user(session, branch) for _ in range(3))
    borrower = make_borrower(session, branch, **_near(branch))
    make_loan(session, borrower)
    headers = auth_headers(manager.username)
    single = _plan(client, headers, borrower_ids=[str(borrower.id)], officer_ids=[str(a.id)])
    assert single.status_code == 422
    body = single.json()
    assert body["rules"] == ["below_min_staff"] and body["min_staff"] == 2
    assert "at least 2 staff" in body["detail"] and f"{a.username} (1)" in body["detail"]
    mixed = _plan(
        client,
        headers,
        borrower_ids=[str(borrower.id)],
        teams=[[str(a.id), str(b.id)], [str(c.id)]],
    )
    assert mixed.status_code == 422 and f"{c.username} (1)" in mixed.json()["detail"]
    ok = _plan(client, headers, borrower_ids=[str(borrower.id)], teams=[[str(a.id), str(b.id)]])
    assert ok.status_code == 201, ok.text
    (visit,) = ok.json()["visits"]
    assert visit["officer_ids"] == [str(a.id), str(b.id)]
    # Reassigning to one officer is refused the same way; to a pair is fine.
    url = f"/api/v1/visits/{visit['id']}/assign"
    alone = client.post(url, json={"officer_ids": [str(c.id)]}, headers=headers)
    assert alone.status_code == 422 and alone.json()["rules"] == ["below_min_staff"]
    pair = client.post(url, json={"officer_ids": [str(c.id), str(a.id)]}, headers=headers)
    assert pair.status_code == 200, pair.text


def test_the_frequency_rule_limits_candidates_and_plans(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    _store_policy(session, branch.id, visit_frequency_days=14)
    manager = make_user(session, branch, role=Role.manager)
    a, b = make_user(session, branch), make_user(session, branch)
    headers = auth_headers(manager.username)
    borrowers = [make_borrower(session, branch, **_near(branch, k)) for k in range(4)]
    for x in borrowers:
        make_loan(session, x, dpd=60)
    recent, long_ago, upcoming, free = borrowers
    make_visit(session, recent, [a], plan_date=date(2026, 11, 13), status=VisitStatus.done)
    make_visit(session, long_ago, [a], plan_date=date(2026, 11, 1), status=VisitStatus.done)
    make_visit(session, upcoming, [a], plan_date=date(2026, 11, 27))
    # 10 days ago: outside the priority rule's 7 days but inside the policy's 14.
    listed = client.get("/api/v1/candidates", headers=headers).json()
    ids = {c["borrower_id"] for c in listed["items"]}
    assert str(recent.id) not in ids and str(upcoming.id) not in ids
    assert {str(long_ago.id), str(free.id)} <= ids

    plan = _plan(
        client, headers, borrower_ids=[str(x.id) for x in borrowers], teams=[[str(a.id), str(b.id)]]
    )
    assert plan.status_code == 201, plan.text
    planned = {v["borrower_id"] for v in plan.json()["visits"]}
    assert planned == {str(long_ago.id), str(free.id)}
    left = {u["borrower_id"]: u for u in plan.json()["summary"]["unassigned"]}
    assert set(left) == {str(recent.id), str(upcoming.id)}
    assert left[str(recent.id)]["reason"] == "visit_frequency"
    assert "2026-11-13" in left[str(recent.id)]["text"]
    assert "2026-11-27" in left[str(upcoming.id)]["text"] and left[str(upcoming.id)]["text_zh"]

    auto = _plan(
        client,
        headers,
        plan_date="2026-11-25",
        auto=True,
        teams=[[str(make_user(session, branch).id), str(make_user(session, branch).id)]],
    )
    assert auto.status_code == 201, auto.text
    # Everyone is now visited within 14 days of the 25th (the 24th's plan included).
    assert auto.json()["visits"] == []


ZONES = ["Asia/Shanghai", "Asia/Urumqi", "America/New_York", "Europe/Berlin", "Australia/Sydney"]
DAYS = [
    date(2026, 11, 23),
    date(2026, 11, 24),
    date(2026, 11, 28),
    date(2026, 12, 1),
    date(2027, 3, 14),  # US clocks change
    date(2027, 3, 28),  # European clocks change
]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def branches(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.integers(8 * 4, 12 * 4)) * 15
    end = draw(st.integers(start // 15 + 8, 22 * 4)) * 15  # at least two hours
    plan_date = draw(st.sampled_from(DAYS))
    holidays = draw(st.lists(st.sampled_from(DAYS), max_size=2, unique=True))
    preferred = st.lists(
        st.fixed_dictionaries(
            {"start": st.integers(5 * 4, 22 * 4), "length": st.integers(2, 24)},
            optional={"weekdays": st.lists(st.integers(0, 6), min_size=1, max_size=3)},
        ),
        max_size=2,
    )
    return {
        "zone": draw(st.sampled_from(ZONES)),
        "hours": (_hhmm(start), _hhmm(end)),
        "min_staff": draw(st.integers(1, 3)),
        "holidays": holidays,
        "plan_date": plan_date,
        "teams": draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)),
        "preferred": draw(st.lists(preferred, min_size=1, max_size=6)),
        "service_min": draw(st.sampled_from([20, 40, 60])),
    }


def _preferred(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for p in raw:
        begin = p["start"] * 15
        finish = min(begin + p["length"] * 15, 23 * 60 + 59)
        entry: dict[str, Any] = {"start": _hhmm(begin), "end": _hhmm(finish)}
        if "weekdays" in p:
            entry["weekdays"] = p["weekdays"]
        out.append(entry)
    return out


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=branches())
def test_plans_never_break_lawful_hours_or_the_staff_minimum(
    session: Session, spec: dict[str, Any]
) -> None:
    savepoint = session.begin_nested()
    try:
        _check_random_branch(session, spec)
    finally:
        savepoint.rollback()


def _check_random_branch(session: Session, spec: dict[str, Any]) -> None:
    zone = ZoneInfo(spec["zone"])
    branch = make_branch(
        session, timezone=spec["zone"], settings={"planning": {"service_min": spec["service_min"]}}
    )
    _store_policy(
        session,
        branch.id,
        visiting_hours={"start": spec["hours"][0], "end": spec["hours"][1]},
        min_staff=spec["min_staff"],
        holidays=[d.isoformat() for d in spec["holidays"]],
    )
    manager = make_user(session, branch, role=Role.manager)
    teams = [[make_user(session, branch) for _ in range(size)] for size in spec["teams"]]
    borrowers = []
    for k, prefs in enumerate(spec["preferred"]):
        borrower = make_borrower(
            session,
            branch,
            preferred_times=_preferred(prefs),
            lat=branch.lat + 0.01 * (k + 1),
            lon=branch.lon - 0.01 * k,
        )
        make_loan(session, borrower)
        borrowers.append(borrower)
    request = PlanCreate(
        plan_date=spec["plan_date"],
        borrower_ids=[b.id for b in borrowers],
        teams=[[u.id for u in team] for team in teams],
        max_iterations=50,
    )
    try:
        plan = plans.create_plan(session=session, manager=manager, request=request, now=FIXED_NOW)
    except PolicyViolation as exc:
        event(f"refused: {exc.extra['rules'][0]}")
        if spec["plan_date"] in spec["holidays"]:
            assert exc.extra["rules"] == ["holiday"]
        else:
            assert exc.extra["rules"] == ["below_min_staff"]
            assert min(spec["teams"]) < spec["min_staff"]
        return
    except InvalidInput as exc:
        # Only "no time left today" may stop a plan for a working day.
        assert spec["plan_date"] == FIXED_NOW.astimezone(zone).date(), exc.detail
        return
    assert spec["plan_date"] not in spec["holidays"]
    assert min(spec["teams"]) >= spec["min_staff"]
    start, end = (time.fromisoformat(h) for h in spec["hours"])
    day_start = datetime.combine(spec["plan_date"], start, tzinfo=zone)
    day_end = datetime.combine(spec["plan_date"], end, tzinfo=zone)
    service_time = timedelta(minutes=spec["service_min"])
    visits = session.exec(select(Visit).where(Visit.plan_id == plan.id)).all()
    event(f"planned {'some' if visits else 'no'} visits")
    for visit in visits:
        assert visit.planned_arrival is not None and visit.window_start and visit.window_end
        assert visit.plan_date == spec["plan_date"] and visit.policy_version == 1
        assert day_start <= visit.planned_arrival
        assert visit.planned_arrival + service_time <= day_end
        assert day_start <= visit.window_start < visit.window_end <= day_end
        assert visit.planned_arrival.astimezone(zone).date() == spec["plan_date"]
        team = session.exec(select(VisitOfficer).where(VisitOfficer.visit_id == visit.id)).all()
        assert len(team) >= spec["min_staff"]
    planned = {v.borrower_id for v in visits}
    left = {uuid.UUID(u["borrower_id"]) for u in plan.summary["unassigned"]}
    assert planned | left == {b.id for b in borrowers} and not planned & left
    assert FIXED_NOW.astimezone(UTC) <= min(
        (v.planned_arrival for v in visits if v.planned_arrival), default=FIXED_NOW
    )
