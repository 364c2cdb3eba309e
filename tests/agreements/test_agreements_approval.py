"""Beyond the branch limits: signed subject to approval, on the manager's list, approved or
declined, and the decision on the officer's phone at the next pull."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models import Agreement, AuditEvent
from models.enums import AgreementStatus
from tests.agreements.conftest import PhoneFor, World, sign_args
from tests.conftest import TokenFor
from tests.phone import Phone

API = "/api/v1"


def _beyond_limits(world: World, *, visit: int = 0) -> dict[str, object]:
    """18 monthly instalments and a 4.8 % down payment: beyond the default limits."""
    months = [f"{2026 + (11 + i) // 12}-{(11 + i) % 12 + 1:02d}-15" for i in range(18)]
    return sign_args(
        visit=world.visits[visit],
        loan=world.loans[visit],
        principal_fen=1_800_000 + 90_000,
        down_payment_fen=90_000,
        schedule=[(day, 100_000) for day in months],
    )


def _within_limits(world: World, *, visit: int = 0, **extra: object) -> dict[str, object]:
    return sign_args(
        visit=world.visits[visit],
        loan=world.loans[visit],
        principal_fen=300_000,
        down_payment_fen=60_000,
        schedule=[("2026-12-23", 120_000), ("2027-01-23", 120_000)],
        **extra,  # type: ignore[arg-type]
    )


def _status(phone: Phone, agreement_id: object) -> dict[str, object]:
    record = phone.local[("agreement", str(agreement_id))]
    return {"version": record["version"], **record["data"]}


def test_beyond_limits_is_flagged_pending_and_approved(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    session: Session,
    auth_headers: TokenFor,
) -> None:
    phone = phone_for(world.alice)
    args = _beyond_limits(world)
    phone.queue("agreement.sign", **args)
    result = phone.push().json()["results"][0]
    assert result["status"] == "flagged"
    assert "needs_approval" in result["reason"]
    assert "18 instalments" in result["reason"] and "4.8% of the amount" in result["reason"]
    phone.pull()
    before = _status(phone, args["agreement_id"])
    assert before["status"] == "pending_approval"

    manager = auth_headers(world.manager.username)
    listed = client.get(
        f"{API}/agreements", params={"status": "pending_approval"}, headers=manager
    ).json()
    assert [a["id"] for a in listed] == [args["agreement_id"]]
    assert [r["code"] for r in listed[0]["approval_reasons"]] == [
        "max_instalments",
        "min_down_payment",
        "max_term",
    ]
    # Officers neither list nor decide.
    officer = auth_headers(world.alice.username)
    assert client.get(f"{API}/agreements", headers=officer).status_code == 403
    denied = client.post(f"{API}/agreements/{args['agreement_id']}/approve", headers=officer)
    assert denied.status_code == 403

    approved = client.post(
        f"{API}/agreements/{args['agreement_id']}/approve",
        json={"note": "家庭困难，同意延长期限"},
        headers=manager,
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "active" and body["allowed_actions"] == ["cancel"]
    assert body["decision_reason"] == "家庭困难，同意延长期限"
    again = client.post(f"{API}/agreements/{args['agreement_id']}/approve", headers=manager)
    assert again.status_code == 409
    assert again.json()["error"] == "IllegalTransition"
    assert "From active you can: cancel" in again.json()["detail"]

    phone.pull()
    after = _status(phone, args["agreement_id"])
    assert after["status"] == "active"
    assert after["decision_reason"] == "家庭困难，同意延长期限"
    assert after["version"] != before["version"]
    audit = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_id == str(args["agreement_id"]),
            AuditEvent.action == "agreement.approve",
        )
    ).one()
    assert audit.actor_id == world.manager.id and audit.data["to"] == "active"


def test_declined_with_a_reason_the_phone_shows(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    auth_headers: TokenFor,
) -> None:
    phone = phone_for(world.alice)
    args = _beyond_limits(world)
    phone.queue("agreement.sign", **args)
    phone.sync()
    manager = auth_headers(world.manager.username)
    url = f"{API}/agreements/{args['agreement_id']}"
    no_reason = client.post(f"{url}/decline", json={"reason": "  "}, headers=manager)
    assert no_reason.status_code == 422
    declined = client.post(
        f"{url}/decline", json={"reason": "首付过低，请重新协商"}, headers=manager
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    phone.pull()
    record = _status(phone, args["agreement_id"])
    assert record["status"] == "declined" and record["decision_reason"] == "首付过低，请重新协商"
    # Declined is final.
    cancel = client.post(f"{url}/cancel", json={"reason": "x"}, headers=manager)
    assert cancel.status_code == 409 and "final" in cancel.json()["detail"]


def test_cancel_an_active_agreement(
    world: World, phone_for: PhoneFor, client: TestClient, auth_headers: TokenFor
) -> None:
    phone = phone_for(world.alice)
    args = _within_limits(world)
    phone.queue("agreement.sign", **args)
    phone.sync()
    assert _status(phone, args["agreement_id"])["status"] == "active"
    manager = auth_headers(world.manager.username)
    url = f"{API}/agreements/{args['agreement_id']}"
    assert client.post(f"{url}/decline", json={"reason": "x"}, headers=manager).status_code == 409
    response = client.post(f"{url}/cancel", json={"reason": "借款人已一次性结清"}, headers=manager)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    phone.pull()
    assert _status(phone, args["agreement_id"])["decision_reason"] == "借款人已一次性结清"


def test_a_new_agreement_supersedes_the_one_it_names(
    world: World, phone_for: PhoneFor, session: Session
) -> None:
    phone = phone_for(world.alice)
    first = _within_limits(world)
    phone.queue("agreement.sign", **first)
    phone.sync()
    first_version = _status(phone, first["agreement_id"])["version"]
    # The borrower's situation changed: a new plan that names the first one.
    second = _within_limits(
        world, signed_at="2026-11-23T05:00:00Z", supersedes_id=uuid.UUID(str(first["agreement_id"]))
    )
    # And one that names nothing while the loan has an open agreement: the manager decides.
    third = _within_limits(world, signed_at="2026-11-23T06:00:00Z")
    phone.queue("agreement.sign", **second)
    phone.queue("agreement.sign", **third)
    results = phone.push().json()["results"]
    assert [r["status"] for r in results] == ["applied", "flagged"]
    assert "second_agreement" in results[1]["reason"]
    phone.pull()
    old = _status(phone, first["agreement_id"])
    assert old["status"] == "superseded" and old["version"] != first_version
    assert _status(phone, second["agreement_id"])["status"] == "active"
    assert _status(phone, third["agreement_id"])["status"] == "pending_approval"
    stored = session.get(Agreement, uuid.UUID(str(second["agreement_id"])))
    assert stored is not None and stored.supersedes_id == uuid.UUID(str(first["agreement_id"]))


def test_sign_and_replace_in_one_push(
    world: World, phone_for: PhoneFor, client: TestClient, auth_headers: TokenFor
) -> None:
    """Both signed offline: the replaced one is still in the same batch."""
    phone = phone_for(world.alice)
    first = _within_limits(world)
    second = _within_limits(world, supersedes_id=uuid.UUID(str(first["agreement_id"])))
    phone.queue("agreement.sign", **first)
    phone.queue("agreement.sign", **second)
    assert [r["status"] for r in phone.push().json()["results"]] == ["applied", "applied"]
    manager = auth_headers(world.manager.username)
    got = client.get(f"{API}/agreements/{first['agreement_id']}", headers=manager).json()
    assert got["status"] == "superseded" and got["superseded_by"] == second["agreement_id"]


def test_approving_the_second_agreement_supersedes_the_older_one(
    world: World, phone_for: PhoneFor, client: TestClient, auth_headers: TokenFor
) -> None:
    phone = phone_for(world.alice)
    first = _within_limits(world)
    second = _within_limits(world, signed_at="2026-11-23T05:00:00Z")
    phone.queue("agreement.sign", **first)
    phone.queue("agreement.sign", **second)
    phone.sync()
    assert _status(phone, second["agreement_id"])["status"] == "pending_approval"
    manager = auth_headers(world.manager.username)
    ok = client.post(f"{API}/agreements/{second['agreement_id']}/approve", headers=manager)
    assert ok.status_code == 200, ok.text
    phone.pull()
    assert _status(phone, first["agreement_id"])["status"] == "superseded"
    assert _status(phone, second["agreement_id"])["status"] == "active"


def test_another_branch_cannot_reach_the_agreement(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    session: Session,
    auth_headers: TokenFor,
) -> None:
    from models.enums import Role
    from tests.factories import make_branch, make_user

    phone = phone_for(world.alice)
    args = _beyond_limits(world)
    phone.queue("agreement.sign", **args)
    phone.sync()
    elsewhere = make_user(session, make_branch(session), role=Role.manager)
    headers = auth_headers(elsewhere.username)
    url = f"{API}/agreements/{args['agreement_id']}"
    for method, path in [
        ("GET", url),
        ("GET", f"{url}.pdf"),
        ("GET", f"{url}/verify"),
        ("POST", f"{url}/approve"),
        ("POST", f"{url}/decline"),
    ]:
        response = client.request(
            method, path, headers=headers, json={} if method == "POST" else None
        )
        assert response.status_code == 404, (method, path, response.status_code)
    assert client.get(f"{API}/agreements", headers=headers).json() == []
    stored = session.get(Agreement, uuid.UUID(str(args["agreement_id"])))
    assert stored is not None and stored.status == AgreementStatus.pending_approval


def test_approving_an_older_agreement_over_a_newer_active_one_is_a_conflict(
    world: World, phone_for: PhoneFor, client: TestClient, auth_headers: TokenFor
) -> None:
    phone = phone_for(world.alice)
    older = _beyond_limits(world)  # 03:00, pending approval
    newer = _within_limits(world, signed_at="2026-11-23T05:00:00Z")  # pending: second agreement
    phone.queue("agreement.sign", **older)
    phone.queue("agreement.sign", **newer)
    phone.sync()
    manager = auth_headers(world.manager.username)
    ok = client.post(f"{API}/agreements/{newer['agreement_id']}/approve", headers=manager)
    assert ok.status_code == 200 and ok.json()["status"] == "active"
    # The older one was not named and is not running: it still waits for a decision.
    phone.pull()
    assert _status(phone, older["agreement_id"])["status"] == "pending_approval"
    conflict = client.post(f"{API}/agreements/{older['agreement_id']}/approve", headers=manager)
    assert conflict.status_code == 409
    assert "newer agreement" in conflict.json()["detail"]
    assert conflict.json()["agreement_id"] == newer["agreement_id"]
    declined = client.post(
        f"{API}/agreements/{older['agreement_id']}/decline",
        json={"reason": "已签订新协议"},
        headers=manager,
    )
    assert declined.json()["status"] == "declined"
