from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from models import SafetyAlert
from models.enums import Role
from tests.conftest import Clock, TokenFor
from tests.phone import Phone
from tests.sync.conftest import World

AT = "2026-11-23T02:10:00Z"


def test_the_day_shows_phone_events_as_they_arrive(
    client: TestClient,
    session: Session,
    world: World,
    phone_for,
    auth_headers: TokenFor,
    clock: Clock,
) -> None:
    manager = auth_headers(world.manager.username)
    before = client.get("/api/v1/day", headers=manager).json()
    assert before["date"] == "2026-11-23"
    assert sum(len(r["visits"]) for r in before["routes"]) == 4
    assert before["counts"] == {"planned": 4}

    phone: Phone = phone_for(world.alice)
    borrower = world.borrowers[0]
    phone.queue(
        "visit.check_in",
        visit_id=world.visits[0].id,
        at=AT,
        location={"lat": borrower.lat, "lon": borrower.lon, "accuracy_m": 8},
        co_visitor_ids=[world.bob.id],
    )
    phone.queue(
        "safety.sos",
        alert_id=uuid.uuid4(),
        at=AT,
        message="需要帮助",
        location={"lat": 37.3, "lon": 116.5},
    )
    phone.push()

    clock.now += timedelta(minutes=120)  # past the policy's 90 minutes without a check-out
    manager = auth_headers(world.manager.username)  # a fresh token: the first one expired
    response = client.get("/api/v1/day", headers=manager)
    assert response.status_code == 200, response.text
    day = response.json()
    visit = next(
        v for r in day["routes"] for v in r["visits"] if v["id"] == str(world.visits[0].id)
    )
    assert visit["status"] == "checked_in"
    assert visit["check_in_location"]["lat"] == borrower.lat
    assert visit["overdue_checkout"] is True
    assert day["alerts"][0]["kind"] == "sos" and day["alerts"][0]["message"] == "需要帮助"
    assert day["alerts"][0]["officer_name"] == world.alice.full_name
    assert session.get(SafetyAlert, uuid.UUID(day["alerts"][0]["id"])) is not None
    team = next(
        r for r in day["routes"] if str(world.visits[2].id) in {v["id"] for v in r["visits"]}
    )
    assert team["officer_names"] == [world.alice.full_name, world.bob.full_name]


def test_the_day_is_for_managers_of_the_branch(
    client: TestClient, world: World, auth_headers: TokenFor, session: Session
) -> None:
    from tests.factories import make_branch, make_user

    assert client.get("/api/v1/day", headers=auth_headers(world.alice.username)).status_code == 403
    other = make_user(session, make_branch(session), role=Role.manager)
    assert client.get("/api/v1/day", headers=auth_headers(other.username)).json()["routes"] == []
