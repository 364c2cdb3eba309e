"""The signed text is the template filled with the terms (issue 13, item 8): the server
renders it as the phone does (`POST /agreements/render`) and refuses a pushed agreement whose
text is anything else (`agreement_text_mismatch`)."""

from __future__ import annotations

import hashlib
import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.agreements.text import TEMPLATE_VERSION
from models import Agreement
from models.enums import AgreementStatus, Role
from tests.agreements.conftest import PhoneFor, World, sign_args
from tests.conftest import TokenFor
from tests.factories import make_branch, make_user

API = "/api/v1"
SCHEDULE = [("2026-12-23", 120_000), ("2027-01-23", 120_000)]
TERMS = {
    "principal_fen": 300_000,
    "down_payment_fen": 60_000,
    "schedule": [{"due_date": d, "amount_fen": a} for d, a in SCHEDULE],
}


def _args(world: World, **extra: object) -> dict[str, object]:
    return sign_args(
        visit=world.visits[0],
        loan=world.loans[0],
        principal_fen=300_000,
        down_payment_fen=60_000,
        schedule=SCHEDULE,
        **extra,  # type: ignore[arg-type]
    )


def test_a_text_that_is_not_the_terms_is_refused(
    world: World, phone_for: PhoneFor, session: Session
) -> None:
    """The reviewer's case: the whole text is "协议", its hash matches."""
    phone = phone_for(world.alice)
    args = _args(world, text="协议")
    assert args["text_sha256"] == hashlib.sha256("协议".encode()).hexdigest()
    phone.queue("agreement.sign", **args)
    [result] = phone.push().json()["results"]
    assert result["status"] == "rejected", result
    assert result["codes"] == ["agreement_text_mismatch"]
    assert "POST /api/v1/agreements/render" in result["reason"]
    assert session.get(Agreement, uuid.UUID(str(args["agreement_id"]))) is None


def test_the_text_must_match_these_terms(world: World, phone_for: PhoneFor) -> None:
    phone = phone_for(world.alice)
    right = _args(world)
    other_amount = _args(world)
    other_amount["terms"]["principal_fen"] = 300_001  # type: ignore[index]
    other_amount["terms"]["schedule"][1]["amount_fen"] = 120_001  # type: ignore[index]
    edited = _args(world)
    edited["text"] = str(edited["text"]).replace("¥600.00", "¥6.00")  # the down payment
    edited["text_sha256"] = hashlib.sha256(str(edited["text"]).encode()).hexdigest()
    for args in (other_amount, edited, right):
        phone.queue("agreement.sign", **args)
    results = phone.push().json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"], results
    assert [r["codes"] for r in results[:2]] == [["agreement_text_mismatch"]] * 2


def test_drafted_before_midnight_signed_after(world: World, phone_for: PhoneFor) -> None:
    """The phone fills in the day when the officer reviews the terms: the day before the
    signing day (in the branch's zone) is accepted too, two days before is not."""
    phone = phone_for(world.alice)
    at = "2026-11-23T16:30:00Z"  # 00:30 on the 24th in Asia/Shanghai
    drafted = _args(world, signed_at=at)
    drafted_text = _args(world, signed_at="2026-11-22T16:30:00Z")["text"]
    drafted["text"] = drafted_text
    drafted["text_sha256"] = hashlib.sha256(str(drafted_text).encode()).hexdigest()
    too_old = _args(world, signed_at=at)
    old_text = _args(world, signed_at="2026-11-21T16:30:00Z")["text"]
    too_old["text"] = old_text
    too_old["text_sha256"] = hashlib.sha256(str(old_text).encode()).hexdigest()
    phone.queue("agreement.sign", **too_old)
    phone.queue("agreement.sign", **drafted)
    results = phone.push().json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied"], results


def test_render_endpoint_gives_the_text_the_server_accepts(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    auth_headers: TokenFor,
    session: Session,
) -> None:
    body = {"loan_id": str(world.loans[0].id), "terms": TERMS, "signed_on": "2026-11-23"}
    response = client.post(
        f"{API}/agreements/render", json=body, headers=auth_headers(world.alice.username)
    )
    assert response.status_code == 200, response.text
    rendered = response.json()
    assert rendered["template_version"] == TEMPLATE_VERSION
    assert rendered["text_sha256"] == hashlib.sha256(rendered["text"].encode()).hexdigest()
    for part in (world.borrowers[0].name, world.loans[0].account_number, "¥3,000.00", "首付"):
        assert part in rendered["text"], part
    assert rendered["text"] == _args(world)["text"]

    phone = phone_for(world.alice)
    args = {**_args(world), "text": rendered["text"], "text_sha256": rendered["text_sha256"]}
    phone.queue("agreement.sign", **args)
    [result] = phone.push().json()["results"]
    assert result["status"] == "applied", result
    stored = session.get(Agreement, uuid.UUID(str(args["agreement_id"])))
    assert stored is not None and stored.status == AgreementStatus.active

    # Today in the branch's zone by default; the manager may name the signing officer.
    manager = auth_headers(world.manager.username)
    default_day = {"loan_id": str(world.loans[0].id), "terms": TERMS}
    as_manager = client.post(f"{API}/agreements/render", json=default_day, headers=manager)
    assert as_manager.status_code == 200, as_manager.text
    assert as_manager.json()["text"] == rendered["text"]  # the test clock's day is the 23rd
    named = client.post(
        f"{API}/agreements/render",
        json={**body, "officer_id": str(world.alice.id)},
        headers=manager,
    )
    assert named.json()["text"] == rendered["text"]


def test_render_endpoint_scope(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    url = f"{API}/agreements/render"
    body = {"loan_id": str(world.loans[0].id), "terms": TERMS}
    assert client.post(url, json=body).status_code == 401
    bob = auth_headers(world.bob.username)  # not on a visit to borrower 0
    not_mine = client.post(url, json=body, headers=bob)
    assert not_mine.status_code == 404 and "your visits" in not_mine.json()["detail"]
    as_other = client.post(url, json={**body, "officer_id": str(world.bob.id)}, headers=bob)
    assert as_other.status_code == 404
    alice = auth_headers(world.alice.username)
    impersonate = client.post(url, json={**body, "officer_id": str(world.bob.id)}, headers=alice)
    assert impersonate.status_code == 404
    elsewhere = make_branch(session)
    other_manager = auth_headers(make_user(session, elsewhere, role=Role.manager).username)
    assert client.post(url, json=body, headers=other_manager).status_code == 404
    unknown = client.post(url, json={**body, "loan_id": str(uuid.uuid4())}, headers=alice)
    assert unknown.status_code == 404
    bad = client.post(url, json={**body, "terms": {**TERMS, "schedule": []}}, headers=alice)
    assert bad.status_code == 422
    huge = {**TERMS, "principal_fen": 2**63}
    assert client.post(url, json={**body, "terms": huge}, headers=alice).status_code == 422
