"""Issue 13, item 3: one agreement stops payment tracking for the branch. A stored agreement
with an instalment due 9999-12-31 (signed before the bounds existed, or edited in the
database) must not make the payments import, `fieldvisit reconcile` or approving it fail."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.agreements.reconciliation import reconcile
from api.agreements.tracking import last_day_of, track_agreement, track_promises
from models import AgreementLine, Promise
from tests.agreements.conftest import PhoneFor, World
from tests.agreements.test_agreements_approval import _beyond_limits
from tests.conftest import FIXED_NOW, TokenFor
from tests.imports.samples import PAYMENT_HEADERS_EN, csv_bytes

API = "/api/v1"
END = date(9999, 12, 31)


def test_tracking_maths_keeps_the_end_of_the_calendar() -> None:
    assert last_day_of(END, 5) == date.max
    assert last_day_of(date(1, 1, 1), -5) == date.min
    track = track_agreement(
        signed_on=date(2026, 11, 23),
        down_payment_fen=0,
        lines=[(1, END, 100)],
        payments=[],
        today=date(2026, 11, 23),
        grace_days=5,
        broken_after=2,
    )
    assert track.target == "active"
    promises = track_promises([], [], today=date(2026, 11, 23), grace_days=5)
    assert promises == {}


def test_an_instalment_due_9999_12_31_stops_nothing(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    session: Session,
    auth_headers: TokenFor,
) -> None:
    phone = phone_for(world.alice)
    args = _beyond_limits(world)
    phone.queue("agreement.sign", **args)
    assert phone.push().json()["results"][0]["status"] == "flagged"  # needs approval
    agreement_id = uuid.UUID(str(args["agreement_id"]))
    last = session.exec(
        select(AgreementLine)
        .where(AgreementLine.agreement_id == agreement_id)
        .order_by(AgreementLine.seq.desc())  # type: ignore[attr-defined]
    ).first()
    assert last is not None
    last.due_date = END  # as stored before the bounds existed
    session.add(last)
    promise = Promise(
        id=uuid.uuid4(),
        visit_id=world.visits[0].id,
        borrower_id=world.borrowers[0].id,
        loan_id=world.loans[0].id,
        officer_id=world.alice.id,
        amount_fen=100,
        due_date=END,
        made_at=FIXED_NOW,
    )
    session.add(promise)
    session.flush()

    manager = auth_headers(world.manager.username)
    data = csv_bytes(
        [
            {
                "account_number": world.loans[0].account_number,
                "reference": "P-1",
                "paid_on": "2026-11-23",
                "amount": "900.00",
            }
        ],
        PAYMENT_HEADERS_EN,
    )
    imported = client.post(
        f"{API}/imports/payments",
        files={"file": ("payments.csv", data, "text/csv")},
        headers=manager,
    )
    assert imported.status_code == 200, imported.text
    report = reconcile(session=session, branch_id=world.branch.id, now=FIXED_NOW)
    assert report.agreements >= 1
    approved = client.post(f"{API}/agreements/{agreement_id}/approve", headers=manager)
    assert approved.status_code == 200, approved.text
