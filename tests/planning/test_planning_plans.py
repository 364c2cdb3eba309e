"""Plans: creation (explicit and auto, officers and teams), windows, left-out visits,
km saved, assign / cancel / optimise / publish, and who may do it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models import AuditEvent, PlanTeam, Visit, VisitOfficer, VisitPlan
from models.enums import LoanStatus, Role, VisitStatus
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit
from tests.planning.world import TOMORROW, World, make_world

FAST = {"max_iterations": 200, "time_limit_s": 20}


def _post(
    client: TestClient, url: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> Any:
    return client.post(url, json=body, headers=headers)


def _plan(client: TestClient, w: World, **body: Any) -> dict[str, Any]:
    payload = {"plan_date": TOMORROW.isoformat(), **FAST, **body}
    response = client.post("/api/v1/plans", json=payload, headers=w.headers)
    assert response.status_code == 201, response.text
    plan: dict[str, Any] = response.json()
    return plan


@pytest.fixture
def world(session: Session, auth_headers: TokenFor) -> World:
    w = make_world(session)
    w.headers = auth_headers(w.manager.username)
    return w


def _teams(session: Session, visit_ids: list[str]) -> dict[str, list[tuple[str, bool]]]:
    session.expire_all()
    links = session.exec(
        select(VisitOfficer).where(col(VisitOfficer.visit_id).in_([UUID(v) for v in visit_ids]))
    ).all()
    out: dict[str, list[tuple[str, bool]]] = {}
    for link in links:
        out.setdefault(str(link.visit_id), []).append((str(link.user_id), link.is_lead))
    return out


def test_explicit_plan_for_one_officer(client: TestClient, session: Session, world: World) -> None:
    w = world
    borrowers = [w.borrower(dpd=40 + 10 * i)[0] for i in range(6)]
    plan = _plan(
        client,
        w,
        borrower_ids=[str(b.id) for b in borrowers],
        officer_ids=[str(w.officers[0].id)],
    )
    assert plan["status"] == "draft" and plan["plan_date"] == TOMORROW.isoformat()
    visits = plan["visits"]
    assert len(visits) == 6 and plan["summary"]["unassigned"] == []
    assert sorted(v["borrower_id"] for v in visits) == sorted(str(b.id) for b in borrowers)
    assert sorted(v["route_position"] for v in visits) == [1, 2, 3, 4, 5, 6]
    ordered = sorted(visits, key=lambda v: v["route_position"])
    arrivals = [datetime.fromisoformat(v["planned_arrival"]) for v in ordered]
    assert arrivals == sorted(arrivals)
    for v in visits:
        assert v["officer_id"] == str(w.officers[0].id) and v["officer_ids"] == [
            str(w.officers[0].id)
        ]
        assert v["status"] == "planned" and v["leg_distance_m"] > 0
        assert v["priority"] == sum(r["points"] for r in v["reasons"]) > 0
        assert v["loan_ids"]
        start = datetime.fromisoformat(v["window_start"])
        end = datetime.fromisoformat(v["window_end"])
        # Lawful hours 08:00-21:00 in Shanghai on the plan date, stored in UTC.
        assert (start, end) == (
            datetime(2026, 11, 24, 0, 0, tzinfo=UTC),
            datetime(2026, 11, 24, 13, 0, tzinfo=UTC),
        )
        assert start <= datetime.fromisoformat(v["planned_arrival"]) <= end - timedelta(minutes=40)
    summary = plan["summary"]
    (route,) = summary["routes"]
    assert route["stops"] == 6 and route["officer_ids"] == [str(w.officers[0].id)]
    assert route["visit_ids"] == [v["id"] for v in ordered]
    assert route["distance_m"] > sum(v["leg_distance_m"] for v in visits)  # plus the way back
    assert route["saved_m"] >= 0 and route["clerk_distance_m"] >= route["distance_m"]
    assert summary["saved_km"] == round(summary["saved_m"] / 1000, 1) >= 0
    assert summary["clerk_order"] == [str(b.id) for b in borrowers]
    audit = session.exec(select(AuditEvent).where(AuditEvent.branch_id == w.branch.id)).all()
    actions = sorted(e.action for e in audit if not e.action.startswith("auth."))
    assert actions == ["plan.create"] + ["visit.plan"] * 6


def test_auto_plan_with_teams(client: TestClient, session: Session, world: World) -> None:
    w = world
    picked = [w.borrower(dpd=60 + i, loans=2 if i == 0 else 1) for i in range(8)]
    legal_loan_borrower, _ = w.borrower(dpd=100, status=LoanStatus.legal)
    w.borrower(dpd=20)  # not a candidate
    a, b, c, d = (str(o.id) for o in w.officers)
    plan = _plan(client, w, auto=True, limit=20, teams=[[a, b], [c, d]])
    visits = plan["visits"]
    assert sorted(v["borrower_id"] for v in visits) == sorted(str(x.id) for x, _ in picked)
    assert str(legal_loan_borrower.id) not in {v["borrower_id"] for v in visits}
    teams = _teams(session, [v["id"] for v in visits])
    for v in visits:
        assert v["officer_ids"] in ([a, b], [c, d])
        assert v["officer_id"] == v["officer_ids"][0]
        lead, member = v["officer_ids"]
        assert sorted(teams[v["id"]]) == sorted([(lead, True), (member, False)])
    two_loans = next(v for v in visits if v["borrower_id"] == str(picked[0][0].id))
    assert sorted(two_loans["loan_ids"]) == sorted(str(x.id) for x in picked[0][1])
    routes = plan["summary"]["routes"]
    assert [r["officer_ids"] for r in routes] == [[a, b], [c, d]]
    assert sum(r["stops"] for r in routes) == 8
    for r in routes:
        assert r["saved_m"] >= 0 or r["clerk_late_visits"] > 0
        positions = [v["route_position"] for v in visits if v["officer_id"] == r["lead_id"]]
        assert sorted(positions) == list(range(1, len(positions) + 1))
    # Visited borrowers are no longer candidates (a planned visit counts).
    again = client.get("/api/v1/candidates", headers=w.headers).json()
    assert again["total"] == 0


def test_a_full_day_leaves_out_the_lowest_priority(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = make_world(session, policy={"visiting_hours": {"start": "09:00", "end": "13:00"}})
    high = [w.borrower(dpd=200, overdue_fen=9_000_000, near=0.03)[0] for _ in range(6)]
    low = [w.borrower(dpd=35, overdue_fen=50_000, near=0.03)[0] for _ in range(6)]
    w.headers = auth_headers(w.manager.username)
    everyone = low + high
    plan = _plan(
        client, w, borrower_ids=[str(b.id) for b in everyone], officer_ids=[str(w.officers[0].id)]
    )
    visited = {v["borrower_id"] for v in plan["visits"]}
    left = plan["summary"]["unassigned"]
    assert left and 3 <= len(visited) <= 6
    assert {x["borrower_id"] for x in left} | visited == {str(b.id) for b in everyone}
    assert all(x["reason"] == "does_not_fit" and x["text"] and x["text_zh"] for x in left)
    high_ids = {str(b.id) for b in high}
    assert visited <= high_ids or high_ids <= visited
    # Left-out borrowers get no visit at all.
    stored = session.exec(select(Visit).where(Visit.plan_id == UUID(plan["id"]))).all()
    assert {str(v.borrower_id) for v in stored} == visited
    for v in plan["visits"]:
        start = datetime.fromisoformat(v["window_start"])
        assert start == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
        end = datetime.fromisoformat(v["planned_arrival"]) + timedelta(minutes=40)
        assert end <= datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def test_windows_follow_preferred_times_in_the_branch_time_zone(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = make_world(session, timezone="Asia/Urumqi")  # UTC+6
    evening, _ = w.borrower(preferred_times=[{"start": "17:30", "end": "20:30"}])
    tuesday_only, _ = w.borrower(
        preferred_times=[
            {"start": "10:00", "end": "12:00", "weekdays": [1]},
            {"start": "14:00", "end": "16:00", "weekdays": [3]},
        ]
    )
    dawn, _ = w.borrower(preferred_times=[{"start": "05:00", "end": "07:00"}])
    free, _ = w.borrower()
    w.headers = auth_headers(w.manager.username)
    plan = _plan(
        client,
        w,
        borrower_ids=[str(b.id) for b in (evening, tuesday_only, dawn, free)],
        officer_ids=[str(w.officers[0].id)],
    )
    by_borrower = {v["borrower_id"]: v for v in plan["visits"]}
    assert len(by_borrower) == 4

    def window(b: Any) -> tuple[datetime, datetime]:
        v = by_borrower[str(b.id)]
        return datetime.fromisoformat(v["window_start"]), datetime.fromisoformat(v["window_end"])

    day = datetime(2026, 11, 24, tzinfo=UTC)
    assert window(evening) == (
        day + timedelta(hours=11, minutes=30),
        day + timedelta(hours=14, minutes=30),
    )
    assert window(tuesday_only) == (day + timedelta(hours=4), day + timedelta(hours=6))
    assert window(dawn) == (day + timedelta(hours=2), day + timedelta(hours=15))
    assert window(free) == (day + timedelta(hours=2), day + timedelta(hours=15))
    notes = [r for r in by_borrower[str(dawn.id)]["reasons"] if r["code"] == "window_note"]
    assert len(notes) == 1 and "05:00-07:00" in notes[0]["text"]
    for v in plan["visits"]:
        arrival = datetime.fromisoformat(v["planned_arrival"])
        start, end = (
            datetime.fromisoformat(v["window_start"]),
            datetime.fromisoformat(v["window_end"]),
        )
        assert start <= arrival and arrival + timedelta(minutes=40) <= end


def test_today_starts_now_and_home_is_the_start(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    officer = w.officers[0]
    officer.home_lat, officer.home_lon = 37.40, 116.60
    session.flush()
    borrowers = [w.borrower()[0] for _ in range(3)]
    plan = _plan(
        client,
        w,
        plan_date="2026-11-23",
        borrower_ids=[str(b.id) for b in borrowers],
        officer_ids=[str(officer.id)],
    )
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert all(datetime.fromisoformat(v["planned_arrival"]) > now for v in plan["visits"])
    assert plan["summary"]["settings"]["shift"][0] == "10:00"


def test_plan_requests_that_are_refused(client: TestClient, session: Session, world: World) -> None:
    w = world
    b, _ = w.borrower()
    other = make_branch(session)
    foreign_borrower = make_borrower(session, other)
    foreign_officer = make_user(session, other)
    me = str(w.officers[0].id)

    def status(**body: Any) -> int:
        payload = {"plan_date": TOMORROW.isoformat(), **FAST, **body}
        return client.post("/api/v1/plans", json=payload, headers=w.headers).status_code

    assert status(plan_date="2026-11-22", borrower_ids=[str(b.id)], officer_ids=[me]) == 422
    assert status(auto=True, borrower_ids=[str(b.id)], officer_ids=[me]) == 422
    assert status(borrower_ids=[str(b.id)]) == 422
    assert status(borrower_ids=[str(b.id)], officer_ids=[me], teams=[[me]]) == 422
    assert status(borrower_ids=[str(b.id)], teams=[[me], [me]]) == 422
    assert status(borrower_ids=[str(foreign_borrower.id)], officer_ids=[me]) == 404
    assert status(borrower_ids=[str(b.id)], officer_ids=[str(foreign_officer.id)]) == 404
    assert status(borrower_ids=[str(b.id)], officer_ids=[me]) == 201
    # The officer already has that day planned.
    b2, _ = w.borrower()
    assert status(borrower_ids=[str(b2.id)], officer_ids=[me]) == 409
    # A borrower who already has a visit that day is reported, not planned twice.
    plan = _plan(
        client, w, borrower_ids=[str(b.id), str(b2.id)], officer_ids=[str(w.officers[1].id)]
    )
    assert [v["borrower_id"] for v in plan["visits"]] == [str(b2.id)]
    assert [(x["borrower_id"], x["reason"]) for x in plan["summary"]["unassigned"]] == [
        (str(b.id), "already_planned")
    ]


def test_a_borrower_without_location_is_reported(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    located, _ = w.borrower()
    nowhere, _ = w.borrower(lat=None, lon=None)
    plan = _plan(
        client,
        w,
        borrower_ids=[str(located.id), str(nowhere.id)],
        officer_ids=[str(w.officers[0].id)],
    )
    assert [v["borrower_id"] for v in plan["visits"]] == [str(located.id)]
    assert plan["summary"]["unassigned"][0]["reason"] == "no_location"


def _two_route_plan(client: TestClient, w: World, n: int = 6) -> dict[str, Any]:
    borrowers = [w.borrower()[0] for _ in range(n)]
    return _plan(
        client,
        w,
        borrower_ids=[str(b.id) for b in borrowers],
        officer_ids=[str(w.officers[0].id), str(w.officers[1].id)],
    )


def test_assign_moves_a_visit_to_another_team(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    plan = _two_route_plan(client, w)
    visit = plan["visits"][0]
    before = session.get(Visit, UUID(visit["id"]))
    assert before is not None
    version = before.version
    newcomer, partner = w.officers[2], w.officers[3]
    url = f"/api/v1/visits/{visit['id']}/assign"
    response = _post(client, url, {"officer_ids": [str(newcomer.id), str(partner.id)]}, w.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["officer_id"] == str(newcomer.id)
    assert body["officer_ids"] == [str(newcomer.id), str(partner.id)]
    assert body["pinned"] is True and body["version"] > version
    assert body["planned_arrival"] is None and body["route_position"] == 1
    assert sorted(_teams(session, [visit["id"]])[visit["id"]]) == sorted(
        [(str(newcomer.id), True), (str(partner.id), False)]
    )
    # Only the co-visitor changes: the visit's version still moves, so phones pull it.
    version = body["version"]
    response = _post(
        client, url, {"officer_ids": [str(newcomer.id), str(w.officers[0].id)]}, w.headers
    )
    assert response.status_code == 200
    assert response.json()["version"] == version + 1
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "visit.assign")).all()
    assert len([e for e in events if e.entity_id == visit["id"]]) == 2


def test_assign_refusals(client: TestClient, session: Session, world: World) -> None:
    w = world
    plan = _two_route_plan(client, w, n=3)
    first, second, third = (v["id"] for v in plan["visits"])
    foreign = make_user(session, make_branch(session))
    assign = "/api/v1/visits/{}/assign"
    h = w.headers
    assert (
        _post(client, assign.format(first), {"officer_ids": [str(foreign.id)]}, h).status_code
        == 404
    )
    assert _post(client, assign.format(first), {"officer_ids": []}, h).status_code == 422
    done = session.get(Visit, UUID(second))
    assert done is not None
    done.status = VisitStatus.done
    session.flush()
    me = {"officer_ids": [str(w.officers[2].id)]}
    assert _post(client, assign.format(second), me, h).status_code == 409
    cancel = _post(client, f"/api/v1/visits/{third}/cancel", {"reason": "借款人已还款"}, h)
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert _post(client, assign.format(third), me, h).status_code == 409
    assert (
        _post(client, f"/api/v1/visits/{third}/cancel", {"reason": "again"}, h).status_code == 409
    )
    assert _post(client, f"/api/v1/visits/{second}/cancel", {"reason": "x"}, h).status_code == 409
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "visit.cancel")).one()
    assert event.data["reason"] == "借款人已还款" and event.actor_id == w.manager.id


def test_optimise_keeps_pins_and_renumbers_routes(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    plan = _two_route_plan(client, w, n=8)
    moved = plan["visits"][0]
    target = w.officers[1] if moved["officer_id"] == str(w.officers[0].id) else w.officers[0]
    _post(
        client, f"/api/v1/visits/{moved['id']}/assign", {"officer_ids": [str(target.id)]}, w.headers
    )
    cancelled = next(v for v in plan["visits"] if v["id"] != moved["id"])
    _post(client, f"/api/v1/visits/{cancelled['id']}/cancel", {"reason": "病了"}, w.headers)

    response = _post(client, f"/api/v1/plans/{plan['id']}/optimise", FAST, w.headers)
    assert response.status_code == 200, response.text
    optimised = response.json()
    visits = {v["id"]: v for v in optimised["visits"]}
    assert visits[moved["id"]]["officer_id"] == str(target.id)  # pinned: stays
    assert visits[cancelled["id"]]["status"] == "cancelled"
    live = [v for v in visits.values() if v["status"] == "planned"]
    assert len(live) == 7
    for officer in w.officers[:2]:
        positions = sorted(v["route_position"] for v in live if v["officer_id"] == str(officer.id))
        assert positions == list(range(1, len(positions) + 1))
    assert all(v["planned_arrival"] for v in live)
    summary = optimised["summary"]
    assert summary["optimised_at"] and summary["unscheduled"] == []
    assert sum(r["stops"] for r in summary["routes"]) == 7
    assert cancelled["id"] not in {i for r in summary["routes"] for i in r["visit_ids"]}
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "plan.optimise")).first()


def test_optimise_plans_the_routes_stored_in_plan_team(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    plan = _two_route_plan(client, w, n=4)
    first, second = (str(o.id) for o in w.officers[:2])
    stored = session.get(VisitPlan, UUID(plan["id"]))
    assert stored is not None
    # The summary is a report: the optimiser reads the teams from plan_team, not from it.
    stored.summary = {**stored.summary, "routes": []}
    session.flush()
    newcomer = str(w.officers[2].id)
    moved = plan["visits"][0]["id"]
    _post(client, f"/api/v1/visits/{moved}/assign", {"officer_ids": [newcomer]}, w.headers)
    ids = [v["id"] for v in plan["visits"]]
    before = _teams(session, ids)
    response = _post(client, f"/api/v1/plans/{plan['id']}/optimise", FAST, w.headers)
    assert response.status_code == 200, response.text
    routes = response.json()["summary"]["routes"]
    assert [r["officer_ids"] for r in routes] == [[first], [second], [newcomer]]
    assert moved in routes[2]["visit_ids"]  # pinned to the new team
    # Every visit the optimiser gave to another team has its team history in the audit
    # trail (sync judges an offline officer's facts by it), and only those.
    after = _teams(session, ids)
    changed = {v for v in ids if sorted(before[v]) != sorted(after[v])}
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "visit.assign")).all()
    by_optimiser = {e.entity_id: e.data for e in events if e.data.get("by") == "plan.optimise"}
    assert set(by_optimiser) == changed
    for visit_id, data in by_optimiser.items():
        assert data["from"] == [u for u, _lead in before[visit_id]] or sorted(
            data["from"]
        ) == sorted(u for u, _lead in before[visit_id])
    rows = session.exec(
        select(PlanTeam)
        .where(PlanTeam.plan_id == UUID(plan["id"]))
        .order_by(col(PlanTeam.route), col(PlanTeam.position))
    ).all()
    assert [(r.route, str(r.user_id)) for r in rows] == [(0, first), (1, second), (2, newcomer)]


def test_publish_get_and_list(client: TestClient, session: Session, world: World) -> None:
    w = world
    plan = _two_route_plan(client, w, n=2)
    url = f"/api/v1/plans/{plan['id']}"
    published = _post(client, f"{url}/publish", None, w.headers)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert _post(client, f"{url}/publish", None, w.headers).json()["status"] == "published"
    stored = session.get(VisitPlan, UUID(plan["id"]))
    assert stored is not None and stored.status == "published"
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.publish")).all()
    assert len([e for e in events if e.entity_id == plan["id"]]) == 1
    got = client.get(url, headers=w.headers).json()
    assert got["id"] == plan["id"] and len(got["visits"]) == 2
    listed = client.get(
        "/api/v1/plans", params={"plan_date": TOMORROW.isoformat()}, headers=w.headers
    )
    assert [p["id"] for p in listed.json()] == [plan["id"]]
    assert (
        client.get("/api/v1/plans", params={"plan_date": "2026-12-01"}, headers=w.headers).json()
        == []
    )


PLANNING_CALLS = [
    ("GET", "/api/v1/plans/{plan_id}"),
    ("POST", "/api/v1/plans/{plan_id}/optimise"),
    ("POST", "/api/v1/plans/{plan_id}/publish"),
    ("POST", "/api/v1/visits/{visit_id}/assign"),
    ("POST", "/api/v1/visits/{visit_id}/cancel"),
]


@pytest.mark.parametrize("role", [Role.manager, Role.officer])
def test_other_branches_answer_404_and_officers_403(
    client: TestClient, session: Session, auth_headers: TokenFor, role: Role
) -> None:
    branch_a, branch_b = make_branch(session), make_branch(session)
    me = make_user(session, branch_a, role=role)
    officer_b = make_user(session, branch_b)
    manager_b = make_user(session, branch_b, role=Role.manager)
    borrower_b = make_borrower(session, branch_b)
    loan_b = make_loan(session, borrower_b)
    plan_b = VisitPlan(branch_id=branch_b.id, plan_date=date(2026, 11, 24), created_by=manager_b.id)
    session.add(plan_b)
    session.flush()
    visit_b = make_visit(session, borrower_b, [officer_b], loans=[loan_b])
    ids = {"plan_id": str(plan_b.id), "visit_id": str(visit_b.id)}
    headers = auth_headers(me.username)
    expected = 404 if role == Role.manager else 403
    for method, path in PLANNING_CALLS:
        url = path.format(**ids)
        for body in ({}, {"officer_ids": [str(officer_b.id)], "reason": "x"}):
            response = client.request(
                method, url, headers=headers, json=body if method == "POST" else None
            )
            assert response.status_code == expected, f"{method} {path}: {response.status_code}"
        assert client.request(method, url, json={}).status_code == 401
    if role == Role.officer:
        for method, url in (
            ("POST", "/api/v1/plans"),
            ("GET", "/api/v1/plans"),
            ("GET", "/api/v1/candidates"),
        ):
            assert client.request(method, url, headers=headers, json={}).status_code == 403
    else:
        assert client.get("/api/v1/plans", headers=headers).json() == []
    session.expire_all()
    assert session.get(Visit, visit_b.id).status == VisitStatus.planned  # type: ignore[union-attr]
