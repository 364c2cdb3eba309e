"""GET /api/v1/feedback-calls draws and lists the sample; POST records the short form;
managers only, their own branch only."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.feedback.sample import in_sample
from models import AuditEvent, FeedbackCall
from models.enums import Role, VisitStatus
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_user, make_visit
from tests.sync.conftest import World

URL = "/api/v1/feedback-calls"
TODAY = date(2026, 11, 23)
DONE = {"status": "done", "courteous": True, "lawful": True, "explained": False, "satisfied": 4}


def _done_visits(session: Session, world: World, n: int, days_ago: int = 1) -> list[Any]:
    visits = []
    for _ in range(n):
        b = make_borrower(session, world.branch, phone="13800000000")
        visits.append(
            make_visit(
                session,
                b,
                [world.alice],
                plan_date=TODAY - timedelta(days=days_ago),
                status=VisitStatus.done,
            )
        )
    return visits


def _everyone(session: Session, world: World) -> None:
    world.branch.settings = {**world.branch.settings, "feedback_share": 1.0}
    session.add(world.branch)
    session.flush()


def test_listing_draws_the_share_once_and_deterministically(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    world.branch.settings = {**world.branch.settings, "feedback_share": 0.5}
    session.add(world.branch)
    visits = _done_visits(session, world, 20)
    old = _done_visits(session, world, 3, days_ago=20)  # outside the 14 days
    h = auth_headers(world.manager.username)
    first = client.get(URL, headers=h)
    assert first.status_code == 200, first.text
    assert first.json()["share"] == 0.5
    drawn = {i["visit_id"] for i in first.json()["items"]}
    assert drawn == {str(v.id) for v in visits if in_sample(v.id, 0.5)}
    assert not drawn & {str(v.id) for v in old}
    second = client.get(URL, headers=h).json()["items"]
    assert {i["visit_id"] for i in second} == drawn
    assert len(session.exec(select(FeedbackCall)).all()) == len(drawn)


def test_the_default_share_is_ten_percent(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    visits = _done_visits(session, world, 30)
    items = client.get(URL, headers=auth_headers(world.manager.username)).json()["items"]
    assert len(items) == sum(in_sample(v.id, 0.10) for v in visits)


def test_a_call_is_recorded_once_with_the_short_form(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    _everyone(session, world)
    [visit] = _done_visits(session, world, 1)
    h = auth_headers(world.manager.username)
    [item] = client.get(URL, headers=h).json()["items"]
    assert item["phone"] == "13800000000" and item["officer_id"] == str(world.alice.id)
    r = client.post(f"{URL}/{item['id']}", json=DONE, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "done" and r.json()["satisfied"] == 4
    assert r.json()["called_by"] == str(world.manager.id)
    assert client.get(URL, headers=h).json()["items"] == []
    done = client.get(URL, params={"status": "done"}, headers=h).json()["items"]
    assert [d["visit_id"] for d in done] == [str(visit.id)]
    assert client.post(f"{URL}/{item['id']}", json=DONE, headers=h).status_code == 409
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "feedback_call"))
    assert list(actions) == ["feedback.record"]


def test_bad_forms_are_refused_with_what_to_fix(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    _everyone(session, world)
    _done_visits(session, world, 1)
    h = auth_headers(world.manager.username)
    [item] = client.get(URL, headers=h).json()["items"]
    cases = [
        {"status": "done"},
        DONE | {"satisfied": 6},
        DONE | {"satisfied": 0},
        DONE | {"note": "x" * 501},
        {"status": "unreachable", "satisfied": 3},
        {"status": "sampled"},
        DONE | {"extra": 1},
    ]
    for body in cases:
        r = client.post(f"{URL}/{item['id']}", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
    assert (
        "courteous" in client.post(f"{URL}/{item['id']}", json={"status": "done"}, headers=h).text
    )
    ok = client.post(f"{URL}/{item['id']}", json={"status": "unreachable"}, headers=h)
    assert ok.status_code == 200 and ok.json()["satisfied"] is None
    assert client.get(URL, params={"status": "x"}, headers=h).status_code == 422


def test_officers_and_other_branches_are_kept_out(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    _everyone(session, world)
    _done_visits(session, world, 1)
    h = auth_headers(world.manager.username)
    [item] = client.get(URL, headers=h).json()["items"]
    officer = auth_headers(world.alice.username)
    assert client.get(URL, headers=officer).status_code == 403
    assert client.post(f"{URL}/{item['id']}", json=DONE, headers=officer).status_code == 403
    other = make_user(session, make_branch(session), role=Role.manager)
    oh = auth_headers(other.username)
    assert client.get(URL, headers=oh).json()["items"] == []
    assert client.post(f"{URL}/{item['id']}", json=DONE, headers=oh).status_code == 404
    assert client.post(f"{URL}/{uuid.uuid4()}", json=DONE, headers=h).status_code == 404
