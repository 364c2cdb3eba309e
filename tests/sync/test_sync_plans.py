"""Plans as a phone sees them: nothing of a draft, everything once published (visits and the
route with the plan's own figures), and `del` for the visits a replacing plan cancelled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import Clock, TokenFor
from tests.factories import make_visit
from tests.phone import Phone
from tests.planning.test_publish import make_plan, publish
from tests.planning.world import TOMORROW, World, make_world

TODAY = TOMORROW - timedelta(days=1)


@pytest.fixture
def world(session: Session, auth_headers: TokenFor) -> World:
    w = make_world(session)
    w.headers = auth_headers(w.manager.username)
    return w


def _phone(client: TestClient, clock: Clock, w: World, k: int) -> Phone:
    return Phone(client, w.officers[k].username, now=clock).sign_in()


def _route_of(phone: Phone) -> dict[str, Any]:
    (route_id,) = phone.ids("route")
    data: dict[str, Any] = phone.local[("route", route_id)]["data"]
    return data


def test_a_draft_reaches_the_phone_only_once_published(
    client: TestClient, session: Session, clock: Clock, world: World
) -> None:
    w = world
    # Today, by hand (a visit that day would keep the officer out of the plan).
    by_hand = make_visit(session, w.borrower()[0], [w.officers[0]], plan_date=TODAY)
    phone = _phone(client, clock, w, 0)
    plan = make_plan(client, w, [0], n=3)
    phone.pull()
    # Assigned by hand (no plan): out at once. The draft's visits and route: not yet.
    assert phone.ids("visit") == {str(by_hand.id)}
    assert phone.ids("route") == set()

    publish(client, w, plan)
    phone.pull()
    planned = {v["id"] for v in plan["visits"]}
    assert phone.ids("visit") == planned | {str(by_hand.id)}
    route = _route_of(phone)
    (summary,) = client.get(f"/api/v1/plans/{plan['id']}", headers=w.headers).json()["summary"][
        "routes"
    ]
    assert route["id"] == f"{plan['id']}:0" and route["plan_id"] == plan["id"]
    assert route["route"] == 0 and route["plan_date"] == TOMORROW.isoformat()
    assert route["officer_ids"] == [str(w.officers[0].id)]
    # One set of figures: the phone gets exactly what the plan's summary says.
    for name in ("visit_ids", "distance_m", "duration_s", "start_at", "end_at"):
        assert route[name] == summary[name], name
    # The console's live day shows the same figure for the team.
    day = client.get("/api/v1/day", params={"day": TOMORROW.isoformat()}, headers=w.headers)
    figures = {tuple(r["officer_ids"]): r["distance_m"] for r in day.json()["routes"]}
    assert figures == {(str(w.officers[0].id),): summary["distance_m"]}
    legs = sum(phone.local[("visit", v)]["data"]["leg_distance_m"] for v in planned)
    assert route["distance_m"] > legs  # the way back to the branch is counted
    for v in plan["visits"]:
        data = phone.local[("visit", v["id"])]["data"]
        assert data["planned_arrival"] is not None and data["route_position"] >= 1


def test_a_replacing_publish_sends_del_for_the_old_plan(
    client: TestClient, session: Session, clock: Clock, world: World
) -> None:
    w = world
    first = make_plan(client, w, [0], n=3)
    publish(client, w, first)
    old_phone, new_phone = _phone(client, clock, w, 0), _phone(client, clock, w, 1)
    old_phone.pull()
    new_phone.pull()
    assert old_phone.ids("visit") == {v["id"] for v in first["visits"]}
    assert len(old_phone.ids("route")) == 1 and new_phone.ids("visit") == set()

    second = make_plan(client, w, [1], n=2)
    new_phone.pull()
    assert new_phone.ids("visit") == set()  # a draft, though it replaces a published plan

    publish(client, w, second)
    response = old_phone.pull()
    deleted = {(c["entity"], c["id"]) for c in response.json()["changes"] if c["op"] == "del"}
    assert deleted == {("visit", v["id"]) for v in first["visits"]} | {
        ("route", f"{first['id']}:0")
    } | {
        (entity, v["borrower_id"]) for v in first["visits"] for entity in ("borrower", "history")
    }  # nothing else to visit them for (their file goes with them)
    assert old_phone.ids("visit") == set() and old_phone.ids("route") == set()
    new_phone.pull()
    assert new_phone.ids("visit") == {v["id"] for v in second["visits"]}
    assert new_phone.ids("route") == {f"{second['id']}:0"}


def test_a_deleted_draft_never_touches_the_phone(
    client: TestClient, clock: Clock, world: World
) -> None:
    w = world
    phone = _phone(client, clock, w, 0)
    phone.pull()
    before = dict(phone.local)
    plan = make_plan(client, w, [0], n=2)
    assert client.delete(f"/api/v1/plans/{plan['id']}", headers=w.headers).status_code == 204
    response = phone.pull()
    assert response.json()["changes"] == [] and phone.local == before
