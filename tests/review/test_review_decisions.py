"""Approving a change request does what it says; declining only records (issue 15, item 5)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.review.effects import agreement_requests
from models import Agreement, AuditEvent, Loan, Promise, Visit
from models.enums import AgreementStatus, LoanStatus, PromiseStatus, Role, VisitStatus
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_branch, make_user, make_visit
from tests.phone import Phone
from tests.sync.conftest import World

TODAY = date(2026, 11, 23)


def _request(phone: Phone, world: World, kind: str, **proposed: Any) -> uuid.UUID:
    request_id = uuid.uuid4()
    phone.queue(
        "visit.request_change",
        request_id=request_id,
        visit_id=world.visits[0].id,
        kind=kind,
        reason="收入季节性下降",
        proposed=proposed,
    )
    phone.sync()
    return request_id


def _decide(
    client: TestClient,
    headers: dict[str, str],
    request_id: uuid.UUID,
    action: str,
    reason: str = "",
) -> Any:
    return client.post(
        f"/api/v1/change-requests/{request_id}/{action}", json={"reason": reason}, headers=headers
    )


def _audited(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def _borrower(phone: Phone, world: World) -> dict[str, Any]:
    data: dict[str, Any] = phone.local[("borrower", str(world.borrowers[0].id))]["data"]
    return data


def test_an_approved_extension_replaces_the_open_promise_and_reaches_the_phone(
    client: TestClient, world: World, phone_for, auth_headers: TokenFor, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    promise_id = uuid.uuid4()
    phone.queue(
        "promise.create",
        promise_id=promise_id,
        visit_id=world.visits[0].id,
        loan_id=world.loans[0].id,
        amount_fen=50_000,
        due_date=str(TODAY + timedelta(days=3)),
    )
    new_date = TODAY + timedelta(days=20)
    request_id = _request(phone, world, "extension", date=str(new_date))
    manager = auth_headers(world.manager.username)

    approved = _decide(client, manager, request_id, "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    old = session.get(Promise, promise_id)
    assert old is not None and old.status == PromiseStatus.cancelled
    (new,) = session.exec(
        select(Promise).where(Promise.status == PromiseStatus.open, Promise.id != promise_id)
    )
    assert (new.due_date, new.amount_fen, new.loan_id) == (new_date, 50_000, world.loans[0].id)
    (moved,) = _audited(session, "promise.extend")
    assert moved.data["replaced_by"] == str(new.id)
    (decision,) = _audited(session, "change_request.approved")
    assert decision.data["effect"]["due_date"] == str(new_date)

    phone.pull()
    assert phone.local[("promise", str(promise_id))]["data"]["status"] == "cancelled"
    assert phone.local[("promise", str(new.id))]["data"]["due_date"] == str(new_date)
    (mine,) = phone.local[("visit", str(world.visits[0].id))]["data"]["change_requests"]
    assert mine["status"] == "approved" and mine["decided_at"] is not None
    # The promise moved: nothing is left to agree at the next visit.
    assert _borrower(phone, world)["agreement_requested"] is None


def test_an_extension_over_an_agreement_asks_for_a_new_version(
    client: TestClient, world: World, phone_for, auth_headers: TokenFor, session: Session
) -> None:
    agreement = Agreement(
        id=uuid.uuid4(),
        loan_id=world.loans[0].id,
        borrower_id=world.borrowers[0].id,
        officer_id=world.alice.id,
        principal_fen=10_000,
        text="t",
        text_sha256="0" * 64,
        borrower_signature="",
        officer_signature="",
        signed_at=FIXED_NOW - timedelta(days=30),
        received_at=FIXED_NOW - timedelta(days=30),
        content_sha256="0" * 64,
        status=AgreementStatus.active,
    )
    session.add(agreement)
    session.flush()
    phone: Phone = phone_for(world.alice)
    phone.pull()
    request_id = _request(phone, world, "extension", date=str(TODAY + timedelta(days=30)))
    manager = auth_headers(world.manager.username)
    assert _decide(client, manager, request_id, "approve").status_code == 200
    # Signed terms never change: the agreement stands, a new version is asked for.
    assert session.get(Agreement, agreement.id).status == AgreementStatus.active  # type: ignore[union-attr]
    phone.pull()
    flag = _borrower(phone, world)["agreement_requested"]
    assert flag["kind"] == "extension" and flag["request_id"] == str(request_id)


def test_an_extension_without_a_usable_date_cannot_be_approved(
    client: TestClient, world: World, phone_for, auth_headers: TokenFor
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    manager = auth_headers(world.manager.username)
    for proposed in ({}, {"date": "soon"}, {"date": str(TODAY)}, {"date": "2028-01-01"}):
        request_id = _request(phone, world, "extension", **proposed)
        refused = _decide(client, manager, request_id, "approve")
        assert refused.status_code == 422 and "decline" in refused.json()["detail"]
        # Still open: the manager can decline it with a reason.
        assert _decide(client, manager, request_id, "decline", "请重新提议日期").status_code == 200


def test_an_approved_legal_request_takes_the_borrower_out_of_planning(
    client: TestClient, world: World, phone_for, auth_headers: TokenFor, session: Session
) -> None:
    manager = auth_headers(world.manager.username)

    def candidate_ids() -> set[str]:
        page = client.get("/api/v1/candidates", params={"limit": 200}, headers=manager).json()
        return {c["borrower_id"] for c in page["items"]}

    phone: Phone = phone_for(world.alice)
    phone.pull()
    request_id = _request(phone, world, "legal")
    assert _decide(client, manager, request_id, "approve").status_code == 200
    loan = session.get(Loan, world.loans[0].id)
    assert loan is not None and loan.status == LoanStatus.legal
    assert [a.entity_id for a in _audited(session, "loan.legal")] == [str(loan.id)]
    phone.pull()
    assert [x["status"] for x in _borrower(phone, world)["loans"]] == ["legal"]

    # The visit is long over (a borrower visited lately or still planned is no candidate):
    # only the legal status keeps the borrower out.
    world.visits[0].status = VisitStatus.done
    world.visits[0].plan_date = TODAY - timedelta(days=10)
    session.add(world.visits[0])
    session.flush()
    assert str(world.borrowers[0].id) not in candidate_ids()
    loan.status = LoanStatus.active
    session.add(loan)
    session.flush()
    assert str(world.borrowers[0].id) in candidate_ids()


def test_an_approved_legal_request_cancels_the_visits_still_planned(
    client: TestClient, world: World, phone_for, auth_headers: TokenFor, session: Session
) -> None:
    """The lawyers take over: a visit planned for tomorrow is not made, and the phone drops
    it; the visit the request came from is left to its officer."""
    tomorrow = make_visit(
        session,
        world.borrowers[0],
        [world.alice],
        plan_date=TODAY + timedelta(days=1),
        loans=[world.loans[0]],
    )
    phone: Phone = phone_for(world.alice)
    phone.pull()
    assert str(tomorrow.id) in phone.ids("visit")
    started = world.visits[0]
    request_id = _request(phone, world, "legal")
    manager = auth_headers(world.manager.username)
    assert _decide(client, manager, request_id, "approve").status_code == 200
    session.expire_all()
    assert session.get(Visit, tomorrow.id).status == VisitStatus.cancelled  # type: ignore[union-attr]
    assert session.get(Visit, started.id).status == VisitStatus.planned  # type: ignore[union-attr]
    cancelled = _audited(session, "visit.cancel")
    assert [(a.entity_id, a.data["reason"]) for a in cancelled] == [(str(tomorrow.id), "legal")]
    phone.pull()
    assert str(tomorrow.id) not in phone.ids("visit")


def test_an_approved_reschedule_asks_for_an_agreement_until_one_is_signed(
    client: TestClient, world: World, phone_for, auth_headers: TokenFor, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    assert _borrower(phone, world)["agreement_requested"] is None
    request_id = _request(phone, world, "reschedule", date=str(TODAY + timedelta(days=7)))
    manager = auth_headers(world.manager.username)
    assert _decide(client, manager, request_id, "approve").status_code == 200
    phone.pull()
    flag = _borrower(phone, world)["agreement_requested"]
    assert flag["kind"] == "reschedule" and flag["proposed_date"] == str(TODAY + timedelta(days=7))
    assert [a.entity_id for a in _audited(session, "change_request.approved")] == [str(request_id)]
    # An agreement received after the decision answers the request.
    session.add(
        Agreement(
            id=uuid.uuid4(),
            loan_id=world.loans[0].id,
            borrower_id=world.borrowers[0].id,
            officer_id=world.alice.id,
            principal_fen=10_000,
            text="t",
            text_sha256="0" * 64,
            borrower_signature="",
            officer_signature="",
            signed_at=FIXED_NOW + timedelta(hours=1),
            received_at=FIXED_NOW + timedelta(hours=1),
            content_sha256="0" * 64,
        )
    )
    session.flush()
    assert agreement_requests(session, [world.borrowers[0].id]) == {}


def test_a_decline_changes_nothing_but_the_request(
    client: TestClient, world: World, phone_for, auth_headers: TokenFor, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    request_id = _request(phone, world, "legal")
    manager = auth_headers(world.manager.username)
    assert _decide(client, manager, request_id, "decline", "先电话跟进").status_code == 200
    loan = session.get(Loan, world.loans[0].id)
    assert loan is not None and loan.status == LoanStatus.active
    assert _audited(session, "loan.legal") == []
    (decision,) = _audited(session, "change_request.declined")
    assert decision.data["effect"] == {}
    phone.pull()
    (mine,) = phone.local[("visit", str(world.visits[0].id))]["data"]["change_requests"]
    assert mine["status"] == "declined" and mine["decision_reason"] == "先电话跟进"
    assert _borrower(phone, world)["agreement_requested"] is None


def test_an_officer_cannot_decide_nor_a_manager_of_another_branch(
    client: TestClient, world: World, phone_for, auth_headers: TokenFor, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    phone.pull()
    request_id = _request(phone, world, "legal")
    officer = auth_headers(world.alice.username)
    assert _decide(client, officer, request_id, "approve").status_code == 403
    other = make_user(session, make_branch(session), role=Role.manager)
    assert _decide(client, auth_headers(other.username), request_id, "approve").status_code == 404
    assert session.exec(select(Loan).where(col(Loan.status) == LoanStatus.legal)).first() is None
