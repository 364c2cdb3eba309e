"""Issue 15's week at the branch, compressed into one run: visits with assessments and next
actions, a follow-up coming due, an on-track agreement holding a borrower back until a
missed instalment brings them back, an approved legal request, a call logged; the manager
reads it all in the borrowers' files. (Complaints are not built yet.)"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.agreements.reconciliation import reconcile
from models import Agreement, AgreementLine, Borrower, Loan
from models.enums import AgreementStatus, LoanStatus, ScheduleLineStatus
from tests.conftest import Clock, TokenFor
from tests.factories import make_visit
from tests.phone import Phone
from tests.planning.world import World, make_world

MONDAY = date(2026, 11, 23)  # the tests' clock: 10:00 in Shanghai
FRIDAY = date(2026, 11, 27)
AT = "2026-11-23T02:30:00Z"


def _agreement_due_monday(w: World, borrower: Borrower, loan: Loan) -> None:
    agreement = Agreement(
        id=uuid.uuid4(),
        loan_id=loan.id,
        borrower_id=borrower.id,
        officer_id=w.officers[0].id,
        principal_fen=600_000,
        text="协议",
        text_sha256="0" * 64,
        borrower_signature="sig",
        officer_signature="sig",
        signed_at=datetime(2026, 11, 2, tzinfo=UTC),
        content_sha256="0" * 64,
        status=AgreementStatus.active,
    )
    w.session.add(agreement)
    w.session.flush()
    w.session.add(
        AgreementLine(
            agreement_id=agreement.id,
            seq=1,
            due_date=MONDAY,  # missed once the 3 grace days have passed
            amount_fen=200_000,
            status=ScheduleLineStatus.due,
        )
    )
    w.session.flush()


def _candidates(client: TestClient, w: World, **params: Any) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/candidates", params=params, headers=w.headers)
    assert response.status_code == 200, response.text
    return {c["borrower_id"]: c for c in response.json()["items"]}


def _codes(candidate: dict[str, Any]) -> set[str]:
    return {r["code"] for r in candidate["reasons"]}


def _file(client: TestClient, w: World, borrower: Borrower) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/borrowers/{borrower.id}/history", headers=w.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_week_of_follow_ups_arrangements_decisions_and_calls(
    client: TestClient, session: Session, clock: Clock, auth_headers: TokenFor
) -> None:
    w = make_world(session, officers=2, policy={"visit_frequency_days": 3})
    w.headers = auth_headers(w.manager.username)
    revisit, (revisit_loan,) = w.borrower(dpd=45)
    arranged, (arranged_loan,) = w.borrower(dpd=45)
    _agreement_due_monday(w, arranged, arranged_loan)
    legal, (legal_loan,) = w.borrower(dpd=200)
    called, (called_loan,) = w.borrower(dpd=45)
    officer = w.officers[0]
    visits = {
        b.id: make_visit(session, b, [officer], plan_date=MONDAY, loans=[loan], position=k)
        for k, (b, loan) in enumerate(
            [(revisit, revisit_loan), (legal, legal_loan), (called, called_loan)], start=1
        )
    }

    # Monday, at the doors: an assessment and a revisit for Friday; a legal request; a call.
    phone = Phone(client, officer.username, now=clock).sign_in()
    phone.pull()
    first = visits[revisit.id].id
    phone.queue("visit.check_in", visit_id=first, at=AT, co_visitor_ids=[])
    phone.queue(
        "visit.record_outcome",
        outcome_id=uuid.uuid4(),
        visit_id=first,
        contact="borrower",
        hardship_reasons=[],
        income_source="farming",
        business_condition="seasonal_low",
        willingness="hesitant",
        next_action="revisit",
        follow_up_on=FRIDAY.isoformat(),
        at=AT,
    )
    phone.queue("visit.check_out", visit_id=first, at=AT)
    request_id = uuid.uuid4()
    phone.queue(
        "visit.request_change",
        request_id=request_id,
        visit_id=visits[legal.id].id,
        kind="legal",
        reason="借款人明确拒绝还款，建议起诉",
        at=AT,
    )
    phone.queue(
        "contact.log",
        id=uuid.uuid4(),
        borrower_id=called.id,
        visit_id=None,
        channel="call",
        answered_by="borrower",
        result="will_pay_later",
        note="答应周五前还一部分",
        at=AT,
    )
    phone.sync()
    assert set(phone.results.values()) <= {"applied", "flagged"}, phone.results

    # The manager approves the legal request: its loan goes to legal, out of planning.
    approved = client.post(
        f"/api/v1/change-requests/{request_id}/approve",
        json={"reason": "同意转法务"},
        headers=w.headers,
    )
    assert approved.status_code == 200, approved.text
    session.refresh(legal_loan)
    assert legal_loan.status == LoanStatus.legal

    # Planning Tuesday: the on-track agreement holds its borrower back (shown when asked).
    tuesday = _candidates(client, w, plan_date="2026-11-24")
    assert str(arranged.id) not in tuesday and str(legal.id) not in tuesday
    assert str(revisit.id) not in tuesday  # visited Monday, follow-up due Friday
    held = _candidates(client, w, plan_date="2026-11-24", include_held="true")
    assert held[str(arranged.id)]["held"] is True
    assert "arrangement_on_track" in _codes(held[str(arranged.id)])

    # Friday: the revisit is due; Monday's instalment is still unpaid after its grace days,
    # so reconciliation marks it missed and the borrower is back at once.
    clock.now = clock.now + timedelta(days=4)
    w.headers = auth_headers(w.manager.username)  # a new day, a new sign-in
    reconcile(session=session, branch_id=w.branch.id, now=clock.now)
    friday = _candidates(client, w, plan_date=FRIDAY.isoformat())
    assert "follow_up_due" in _codes(friday[str(revisit.id)])
    assert "missed_instalments" in _codes(friday[str(arranged.id)])
    assert str(legal.id) not in _candidates(client, w, plan_date=FRIDAY.isoformat())

    # The files tell the week.
    (visit_item,) = [i for i in _file(client, w, revisit) if i["kind"] == "visit"]
    outcome = visit_item["data"]
    assert outcome["willingness"]["label_zh"] == "犹豫"
    assert outcome["income_source"]["label_en"] == "Farming"
    assert outcome["follow_up_on"] == FRIDAY.isoformat()
    assert "2026-11-27" in visit_item["summary"] and visit_item["summary_zh"]
    kinds = {i["kind"]: i for i in _file(client, w, legal)}
    assert kinds["change_request"]["data"]["status"]["code"] == "approved"
    (call,) = [i for i in _file(client, w, called) if i["kind"] == "call"]
    assert call["data"]["result"]["code"] == "will_pay_later"
    assert "agreement" in {i["kind"] for i in _file(client, w, arranged)}
