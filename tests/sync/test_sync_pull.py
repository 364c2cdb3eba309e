from __future__ import annotations

import gzip
import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from models import Loan
from models.enums import VisitStatus
from tests.conftest import Clock
from tests.phone import Phone
from tests.sync.conftest import World


def _ids(objs: list) -> set[str]:  # type: ignore[type-arg]
    return {str(o.id) for o in objs}


def test_first_pull_holds_exactly_the_officers_scope(world: World, phone_for) -> None:
    phone: Phone = phone_for(world.alice)
    response = phone.pull()
    body = response.json()
    assert body["reset"] is True and body["has_more"] is False and body["control"] is None
    assert phone.ids("visit") == _ids(world.visits[:3])
    assert phone.ids("borrower") == _ids(world.borrowers[:3])
    assert phone.ids("officer") == {str(world.alice.id)}
    assert phone.ids("branch") == {str(world.branch.id)} == phone.ids("policy")
    assert len(phone.ids("hardship_reason")) == 8
    kinds = {phone.local[("reference", i)]["data"]["kind"] for i in phone.ids("reference")}
    assert {
        "contact_codes",
        "agreement_template",
        "assessment_codes",
        "skip_reasons",
        "contact_results",
    } <= kinds
    borrower = phone.local[("borrower", str(world.borrowers[0].id))]["data"]
    assert borrower["national_id_masked"].count("*") >= 8
    assert borrower["loans"][0]["overdue_fen"] == world.loans[0].overdue_fen
    visit = phone.local[("visit", str(world.visits[2].id))]["data"]
    assert visit["officer_ids"] == [str(world.alice.id), str(world.bob.id)]
    policy = phone.local[("policy", str(world.branch.id))]["data"]
    assert policy["visiting_hours"] == {"start": "08:00", "end": "21:00"}


def test_empty_delta_pull_is_small_and_keeps_cookie(world: World, phone_for) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    cookie = phone.cookie
    again = phone.pull().json()
    assert again["changes"] == [] and again["reset"] is False and again["cookie"] == cookie


def test_changes_and_access_loss_arrive_as_puts_and_dels(
    world: World,
    phone_for,
    session: Session,
    client: TestClient,
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    loan = session.get(Loan, world.loans[0].id)
    assert loan is not None
    loan.overdue_fen += 10_000
    session.add(loan)
    cancelled = world.visits[1]
    cancelled.status = VisitStatus.cancelled
    session.add(cancelled)
    session.flush()
    changes = phone.pull().json()["changes"]
    ops = {(c["op"], c["entity"], c["id"]) for c in changes}
    assert ops == {
        ("put", "borrower", str(world.borrowers[0].id)),
        ("del", "visit", str(cancelled.id)),
        ("del", "borrower", str(world.borrowers[1].id)),
        ("del", "history", str(world.borrowers[1].id)),  # the file goes with the borrower
    }
    assert (
        phone.local[("borrower", str(world.borrowers[0].id))]["data"]["loans"][0]["overdue_fen"]
        == world.loans[0].overdue_fen
    )


def test_unknown_or_foreign_cookie_resets(world: World, phone_for) -> None:
    alice: Phone = phone_for(world.alice)
    bob: Phone = phone_for(world.bob)
    alice.pull()
    bob.cookie = alice.cookie  # another device's cookie is unknown to this one
    assert bob.pull().json()["reset"] is True
    alice.cookie = "not-a-cookie"
    assert alice.pull().json()["reset"] is True
    assert alice.ids("visit") == _ids(world.visits[:3])


def test_older_cookie_still_works_after_a_lost_answer(
    world: World,
    phone_for,
    session: Session,
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    kept = phone.cookie
    world.visits[0].priority = 99
    session.add(world.visits[0])
    session.flush()
    phone.pull()  # answer "lost": the phone keeps its old cookie and local copy
    phone.cookie = kept
    changes = phone.pull().json()["changes"]
    assert [(c["op"], c["id"]) for c in changes] == [("put", str(world.visits[0].id))]


def test_expires_at_follows_policy(world: World, phone_for, clock: Clock) -> None:
    phone: Phone = phone_for(world.alice)
    body = phone.pull().json()
    assert body["expires_at"].startswith(
        (clock.now + timedelta(hours=72)).strftime("%Y-%m-%dT%H:%M")
    )


def test_protocol_and_device_checks(world: World, phone_for, client: TestClient) -> None:
    phone: Phone = phone_for(world.alice)
    old = client.post(
        "/api/v1/sync/pull",
        json={"protocol": 0, "device_id": phone.device_id},
        headers=phone.headers,
    )
    assert old.status_code == 426 and "Update the app" in old.json()["detail"]
    bob: Phone = phone_for(world.bob)
    stolen = client.post(
        "/api/v1/sync/pull",
        json={"protocol": 1, "device_id": bob.device_id},
        headers={"Authorization": phone.headers["Authorization"]},
    )
    assert stolen.status_code == 403


def test_retired_device_wipes_after_pushing(
    world: World,
    phone_for,
    client: TestClient,
    auth_headers,
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    phone.queue(
        "note.add",
        note_id="7d8a3f0e-0d43-4c3f-9d55-4a1f4d3c0001",
        borrower_id=world.borrowers[0].id,
        text="借款人说下周还款",
        at="2026-11-23T02:30:00Z",
    )
    manager = auth_headers(world.manager.username)
    assert (
        client.post(f"/api/v1/devices/{phone.device_id}/retire", headers=manager).status_code == 200
    )
    pushed = phone.push()
    assert pushed.status_code == 200 and pushed.json()["results"][0]["status"] == "applied"
    body = phone.pull().json()
    assert body["control"] == "wipe" and phone.wiped and phone.local == {}


def test_revoked_device_gets_401_wipe_everywhere(
    world: World,
    phone_for,
    client: TestClient,
    auth_headers,
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    manager = auth_headers(world.manager.username)
    client.post(f"/api/v1/devices/{phone.device_id}/revoke", headers=manager)
    for url in ("/api/v1/sync/pull", "/api/v1/sync/push", "/api/v1/visits"):
        response = (
            client.post(
                url,
                json={"protocol": 1, "device_id": phone.device_id, "mutations": []},
                headers=phone.headers,
            )
            if url != "/api/v1/visits"
            else client.get(url, headers=phone.headers)
        )
        assert response.status_code == 401, url
        assert response.json()["error"] == "DeviceRevoked" and response.json()["wipe"] is True


def test_responses_are_gzip_compressed(world: World, phone_for, client: TestClient) -> None:
    phone: Phone = phone_for(world.alice)
    raw = gzip.compress(
        json.dumps({"protocol": 1, "device_id": phone.device_id, "cookie": None}).encode()
    )
    response = client.post(
        "/api/v1/sync/pull",
        content=raw,
        headers={
            **phone.headers,
            "Content-Encoding": "gzip",
            "Content-Type": "application/json",
            "Accept-Encoding": "gzip",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["changes"]) > 10
