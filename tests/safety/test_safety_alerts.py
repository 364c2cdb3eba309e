"""Officer safety: SOS and overdue check-out alerts for the manager (an overdue alert appears
once per visit, noticed when the alerts are read), acknowledgement, and who is out now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.compliance.policy import Policy, PolicyData
from api.safety.service import detect_overdue_checkouts, overdue_alert_id
from models import AuditEvent, Borrower, Branch, SafetyAlert, User, Visit
from models.enums import Role
from tests.conftest import FIXED_NOW, Clock, TokenFor
from tests.factories import make_borrower, make_branch, make_user, make_visit
from tests.phone import Phone

# FIXED_NOW is 10:00 in Shanghai.
AT_0800 = "2026-11-23T00:00:00Z"
AT_0835 = "2026-11-23T00:35:00Z"


@dataclass
class World:
    branch: Branch
    manager: User
    alice: User
    bob: User
    carol: User
    borrowers: list[Borrower]
    visits: list[Visit]


@pytest.fixture
def world(session: Session) -> World:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    alice, bob, carol = (make_user(session, branch) for _ in range(3))
    borrowers = [make_borrower(session, branch) for _ in range(3)]
    visits = [
        make_visit(session, borrowers[0], [alice, bob]),
        make_visit(session, borrowers[1], [alice, bob], position=2),
        make_visit(session, borrowers[2], [carol]),
    ]
    return World(branch, manager, alice, bob, carol, borrowers, visits)


def _loc(b: Borrower) -> dict[str, float]:
    return {"lat": b.lat, "lon": b.lon, "accuracy_m": 8}  # type: ignore[dict-item]


def _alerts(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/api/v1/safety/alerts", headers=headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def test_an_overdue_check_out_alerts_the_manager_once(
    world: World, client: TestClient, session: Session, clock: Clock, auth_headers: TokenFor
) -> None:
    phone = Phone(client, world.alice.username, now=clock).sign_in()
    v0, v1, v2 = world.visits
    phone.queue(  # 08:00, never checked out: 120 minutes by now
        "visit.check_in",
        visit_id=v0.id,
        at=AT_0800,
        location=_loc(world.borrowers[0]),
        co_visitor_ids=[world.bob.id],
    )
    phone.queue(  # 08:35: 85 minutes by now, not yet overdue
        "visit.check_in", visit_id=v1.id, at=AT_0835, co_visitor_ids=[world.bob.id]
    )
    phone.push()
    carol = Phone(client, world.carol.username, now=clock).sign_in()
    carol.queue("visit.check_in", visit_id=v2.id, at=AT_0800)  # checked out in time
    carol.queue("visit.check_out", visit_id=v2.id, at="2026-11-23T01:00:00Z")
    carol.push()

    headers = auth_headers(world.manager.username)
    first = _alerts(client, headers)
    assert [(a["kind"], a["visit_id"]) for a in first] == [("overdue_checkout", str(v0.id))]
    alert = first[0]
    assert alert["id"] == str(overdue_alert_id(v0.id))
    assert alert["officer_id"] == str(world.alice.id) and alert["officer_name"]
    assert alert["borrower_name"] == world.borrowers[0].name
    assert alert["at"].startswith("2026-11-23T01:30:00")
    assert alert["lat"] == world.borrowers[0].lat and alert["acknowledged_at"] is None
    assert "90 minutes" in str(alert["message"])
    # Read again: the same alert, not a second one.
    assert _alerts(client, headers) == first

    clock.now = FIXED_NOW + timedelta(minutes=10)  # visit 1 is now 95 minutes in
    second = _alerts(client, headers)
    assert sorted(a["visit_id"] for a in second) == sorted([str(v0.id), str(v1.id)])
    assert second[0]["visit_id"] == str(v1.id)  # newest first
    stored = session.exec(select(SafetyAlert).where(SafetyAlert.kind == "overdue_checkout")).all()
    assert len(stored) == 2
    audit = session.exec(
        select(AuditEvent).where(AuditEvent.action == "safety.overdue_checkout")
    ).all()
    assert sorted(e.entity_id for e in audit) == sorted(str(a.id) for a in stored)
    assert all(e.actor_id is None and e.branch_id == world.branch.id for e in audit)


def test_detection_is_idempotent(world: World, session: Session) -> None:
    v = world.visits[0]
    v.checked_in_at = FIXED_NOW - timedelta(hours=2)
    session.add(v)
    session.flush()
    policy = Policy.from_data(PolicyData(), version=0)
    args = {"session": session, "branch": world.branch, "policy": policy, "now": FIXED_NOW}
    assert detect_overdue_checkouts(**args) == 1  # type: ignore[arg-type]
    assert detect_overdue_checkouts(**args) == 0  # type: ignore[arg-type]
    stricter = Policy.from_data(PolicyData(checkout_overdue_minutes=180), version=1)
    v2 = world.visits[1]
    v2.checked_in_at = FIXED_NOW - timedelta(hours=2)
    session.add(v2)
    session.flush()
    assert detect_overdue_checkouts(**(args | {"policy": stricter})) == 0  # type: ignore[arg-type]
    # A check-in from days ago that never got its check-out is not "out now".
    v2.checked_in_at = FIXED_NOW - timedelta(days=3)
    session.add(v2)
    session.flush()
    assert detect_overdue_checkouts(**args) == 0  # type: ignore[arg-type]


def test_sos_and_acknowledgement(
    world: World, client: TestClient, session: Session, clock: Clock, auth_headers: TokenFor
) -> None:
    phone = Phone(client, world.alice.username, now=clock).sign_in()
    sos_id = uuid.uuid4()
    phone.queue(
        "safety.sos",
        alert_id=sos_id,
        at="2026-11-23T01:55:00Z",
        location={"lat": 37.35, "lon": 116.59, "accuracy_m": 30},
        message="狗很凶",
        visit_id=world.visits[0].id,
    )
    phone.queue("visit.check_in", visit_id=world.visits[1].id, at=AT_0800)
    phone.push()
    headers = auth_headers(world.manager.username)
    alerts = _alerts(client, headers)
    assert [a["kind"] for a in alerts] == ["sos", "overdue_checkout"]  # newest first
    assert alerts[0]["message"] == "狗很凶" and alerts[0]["id"] == str(sos_id)

    officer = auth_headers(world.alice.username)
    url = f"/api/v1/safety/alerts/{sos_id}/acknowledge"
    assert client.post(url, headers=officer).status_code == 403
    assert client.get("/api/v1/safety/alerts", headers=officer).status_code == 403
    acked = client.post(url, headers=headers)
    assert acked.status_code == 200, acked.text
    assert acked.json()["acknowledged_by"] == str(world.manager.id)
    assert acked.json()["acknowledged_at"].startswith("2026-11-23T02:00:00")
    again = client.post(url, headers=headers)
    assert again.json()["acknowledged_at"] == acked.json()["acknowledged_at"]
    # Unacknowledged first.
    assert [a["kind"] for a in _alerts(client, headers)] == ["overdue_checkout", "sos"]
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "safety.acknowledge")).all()
    assert len(events) == 1 and events[0].actor_id == world.manager.id

    # Another branch's manager cannot see or acknowledge it.
    other = make_branch(session)
    stranger = make_user(session, other, role=Role.manager)
    stranger_headers = auth_headers(stranger.username)
    assert client.post(url, headers=stranger_headers).status_code == 404
    assert _alerts(client, stranger_headers) == []
    missing = f"/api/v1/safety/alerts/{uuid.uuid4()}/acknowledge"
    assert client.post(missing, headers=headers).status_code == 404


def test_who_is_out_now(
    world: World, client: TestClient, session: Session, clock: Clock, auth_headers: TokenFor
) -> None:
    headers = auth_headers(world.manager.username)
    assert client.get("/api/v1/safety/out-now", headers=headers).json() == []
    phone = Phone(client, world.alice.username, now=clock).sign_in()
    b0, b1 = world.borrowers[:2]
    phone.queue(
        "visit.check_in",
        visit_id=world.visits[0].id,
        at=AT_0800,
        location=_loc(b0),
        co_visitor_ids=[world.bob.id],
    )
    phone.queue(
        "visit.check_out", visit_id=world.visits[0].id, at="2026-11-23T00:50:00Z", location=_loc(b0)
    )
    phone.queue(
        "visit.check_in",
        visit_id=world.visits[1].id,
        at="2026-11-23T01:30:00Z",
        location=_loc(b1),
        co_visitor_ids=[world.bob.id],
    )
    phone.queue(
        "safety.sos",
        alert_id=uuid.uuid4(),
        at="2026-11-23T01:50:00Z",
        location={"lat": 37.5, "lon": 116.6},
    )
    carol = Phone(client, world.carol.username, now=clock).sign_in()
    carol.queue("visit.check_in", visit_id=world.visits[2].id, at=AT_0800)
    phone.push()
    carol.push()
    response = client.get("/api/v1/safety/out-now", headers=headers)
    assert response.status_code == 200, response.text
    out = {(e["officer_id"], e["visit_id"]): e for e in response.json()}
    assert set(out) == {
        (str(world.alice.id), str(world.visits[1].id)),
        (str(world.bob.id), str(world.visits[1].id)),
        (str(world.carol.id), str(world.visits[2].id)),
    }
    alice = out[(str(world.alice.id), str(world.visits[1].id))]
    assert alice["borrower_name"] == b1.name and alice["minutes_out"] == 30
    assert not alice["overdue"] and alice["open_sos"]
    assert alice["last_location"]["source"] == "sos" and alice["last_location"]["lat"] == 37.5
    assert alice["due_back_at"].startswith("2026-11-23T03:00:00")
    carol_out = out[(str(world.carol.id), str(world.visits[2].id))]
    assert carol_out["overdue"] and carol_out["minutes_out"] == 120
    assert carol_out["last_location"] is None  # checked in without a location
    bob = out[(str(world.bob.id), str(world.visits[1].id))]
    assert bob["last_location"] is None and not bob["open_sos"]
    # Open SOS first, then overdue.
    order = [e["officer_id"] for e in response.json()]
    assert order[0] == str(world.alice.id) and order[1] == str(world.carol.id)
    officer = auth_headers(world.alice.username)
    assert client.get("/api/v1/safety/out-now", headers=officer).status_code == 403
