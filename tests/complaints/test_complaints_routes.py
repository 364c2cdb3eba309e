"""Complaints at the console: recorded, listed, resolved; the Review badge counts them;
managers only, their own branch only."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models import AuditEvent, Complaint
from models.enums import Role
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_user
from tests.sync.conftest import World

URL = "/api/v1/complaints"


def _create(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(URL, json=body, headers=headers)


def test_a_manager_records_lists_and_resolves_a_complaint(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    h = auth_headers(world.manager.username)
    visit = world.visits[0]
    r = _create(
        client,
        h,
        borrower_id=str(visit.borrower_id),
        visit_id=str(visit.id),
        channel="phone",
        category="rude",
        text="上门时大声喧哗",
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["status"] == "open" and made["about_officer_id"] == str(world.alice.id)
    assert made["category_zh"] == "态度粗鲁" and made["category_en"] == "Rude behaviour"
    listed = client.get(URL, headers=h).json()["items"]
    assert [c["id"] for c in listed] == [made["id"]]
    day = client.get("/api/v1/day", headers=h)
    if day.status_code == 200:
        assert day.json()["review_waiting"] >= 1
    r = client.post(f"{URL}/{made['id']}/resolve", json={"resolution": "已道歉"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "resolved" and r.json()["resolved_by"] == str(world.manager.id)
    assert client.get(URL, headers=h).json()["items"] == []
    assert len(client.get(URL, params={"status": "all"}, headers=h).json()["items"]) == 1
    again = client.post(f"{URL}/{made['id']}/resolve", json={"resolution": "x"}, headers=h)
    assert again.status_code == 409
    actions = set(session.exec(select(AuditEvent.action).where(AuditEvent.entity == "complaint")))
    assert {"complaint.record", "complaint.resolve"} <= actions


def test_review_badge_counts_open_complaints(
    world: World, client: TestClient, auth_headers: TokenFor
) -> None:
    h = auth_headers(world.manager.username)
    before = client.get("/api/v1/day", headers=h)
    assert before.status_code == 200, before.text
    _create(client, h, borrower_id=str(world.borrowers[0].id), category="threat", text="t")
    after = client.get("/api/v1/day", headers=h).json()["review_waiting"]
    assert after == before.json()["review_waiting"] + 1


def test_officers_may_not_use_the_console_endpoints(
    world: World, client: TestClient, auth_headers: TokenFor
) -> None:
    h = auth_headers(world.alice.username)
    assert client.get(URL, headers=h).status_code == 403
    body = {"borrower_id": str(world.borrowers[0].id), "category": "rude", "text": "x"}
    assert _create(client, h, **body).status_code == 403


def test_another_branchs_borrower_and_complaint_are_not_found(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    other = make_branch(session)
    other_manager = make_user(session, other, role=Role.manager)
    stranger = make_borrower(session, other)
    h = auth_headers(world.manager.username)
    r = _create(client, h, borrower_id=str(stranger.id), category="rude", text="x")
    assert r.status_code == 404
    mine = _create(client, h, borrower_id=str(world.borrowers[0].id), category="rude", text="x")
    oh = auth_headers(other_manager.username)
    cid = mine.json()["id"]
    assert (
        client.post(f"{URL}/{cid}/resolve", json={"resolution": "y"}, headers=oh).status_code == 404
    )
    assert client.get(URL, headers=oh).json()["items"] == []
    missing = client.post(f"{URL}/{uuid.uuid4()}/resolve", json={"resolution": "y"}, headers=h)
    assert missing.status_code == 404


def test_bad_input_is_refused_with_what_to_fix(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    h = auth_headers(world.manager.username)
    b = str(world.borrowers[0].id)
    cases = [
        {"borrower_id": b, "category": "bad", "text": "x"},
        {"borrower_id": b, "category": "rude", "text": "x" * 2001},
        {"borrower_id": b, "category": "rude", "text": ""},
        {"borrower_id": b, "category": "rude", "text": "x", "channel": "email"},
        {"borrower_id": b, "category": "rude", "text": "x", "at": "2099-01-01T00:00:00Z"},
        {"borrower_id": b, "category": "rude", "text": "x", "visit_id": str(world.visits[1].id)},
        {"borrower_id": "nope", "category": "rude", "text": "x"},
    ]
    for body in cases:
        r = _create(client, h, **body)
        assert r.status_code == 422, (body, r.text)
    long = {"resolution": "x" * 1001}
    made = _create(client, h, borrower_id=b, category="rude", text="x").json()
    assert client.post(f"{URL}/{made['id']}/resolve", json=long, headers=h).status_code == 422
    assert client.get(URL, params={"status": "weird"}, headers=h).status_code == 422
    assert len(session.exec(select(Complaint)).all()) == 1
