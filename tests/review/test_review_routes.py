from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.conftest import TokenFor
from tests.phone import Phone
from tests.sync.conftest import World


def test_a_declined_change_request_reaches_the_phone(
    client: TestClient,
    world: World,
    phone_for,
    auth_headers: TokenFor,
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    request_id = uuid.uuid4()
    phone.queue(
        "visit.request_change",
        request_id=request_id,
        visit_id=world.visits[0].id,
        kind="restructure",
        reason="收入减半",
        proposed={"months": 24},
    )
    phone.sync()
    mine = phone.local[("visit", str(world.visits[0].id))]["data"]["change_requests"]
    assert [(r["kind"], r["status"]) for r in mine] == [("restructure", "open")]

    manager = auth_headers(world.manager.username)
    review = client.get("/api/v1/review", headers=manager).json()
    assert [r["id"] for r in review["change_requests"]] == [str(request_id)]
    empty_reason = client.post(
        f"/api/v1/change-requests/{request_id}/decline", json={}, headers=manager
    )
    assert empty_reason.status_code == 422 and "Say why" in empty_reason.json()["detail"]
    declined = client.post(
        f"/api/v1/change-requests/{request_id}/decline",
        json={"reason": "请先提供收入证明"},
        headers=manager,
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = client.post(f"/api/v1/change-requests/{request_id}/approve", json={}, headers=manager)
    assert again.status_code == 409

    changes = phone.pull().json()["changes"]
    # The visit carries the decision; the borrower's file on the phone records it too.
    assert sorted((c["entity"], c["id"]) for c in changes) == [
        ("history", str(world.borrowers[0].id)),
        ("visit", str(world.visits[0].id)),
    ]
    (request,) = phone.local[("visit", str(world.visits[0].id))]["data"]["change_requests"]
    assert request["status"] == "declined" and request["decision_reason"] == "请先提供收入证明"
    assert client.get("/api/v1/review", headers=manager).json()["change_requests"] == []


def test_flagged_entries_are_resolved_once(
    client: TestClient,
    world: World,
    phone_for,
    auth_headers: TokenFor,
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.queue("visit.check_in", visit_id=world.visits[0].id, at="2026-11-23T14:30:00Z")
    phone.push()
    manager = auth_headers(world.manager.username)
    (entry,) = client.get("/api/v1/review", headers=manager).json()["mutations"]
    assert entry["status"] == "flagged" and "outside_lawful_hours" in entry["reason"]
    done = client.post(
        f"/api/v1/review/entries/{entry['id']}/resolve",
        json={"note": "已电话核实: 借款人晚归"},
        headers=manager,
    )
    assert done.status_code == 200 and done.json()["review_note"] == "已电话核实: 借款人晚归"
    assert (
        client.post(
            f"/api/v1/review/entries/{entry['id']}/resolve", json={}, headers=manager
        ).status_code
        == 409
    )
    assert client.get("/api/v1/review", headers=manager).json()["mutations"] == []
    officer = client.post(
        f"/api/v1/review/entries/{entry['id']}/resolve",
        json={},
        headers=auth_headers(world.alice.username),
    )
    assert officer.status_code == 403
