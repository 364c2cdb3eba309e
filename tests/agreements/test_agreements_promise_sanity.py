"""Issue 13, item 13: a promise beyond what the borrower owes on the loan is refused; beyond
the overdue amount it is flagged; a second open promise on the loan is flagged, naming it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from models import Promise
from tests.agreements.conftest import PhoneFor, World
from tests.phone import Phone

AT = "2026-11-23T02:10:00Z"


def _promise(phone: Phone, world: World, amount_fen: int, *, i: int = 0) -> uuid.UUID:
    promise_id = uuid.uuid4()
    phone.queue(
        "promise.create",
        promise_id=promise_id,
        visit_id=world.visits[i].id,
        loan_id=world.loans[i].id,
        amount_fen=amount_fen,
        due_date="2026-11-30",
        at=AT,
    )
    return promise_id


def _results(phone: Phone) -> list[dict[str, Any]]:
    response = phone.push()
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_a_promise_beyond_the_outstanding_balance_is_refused(
    world: World, phone_for: PhoneFor, session: Session
) -> None:
    """The reviewer's attack: 2^63-1 fen, and one fen more than the loan's balance."""
    phone = phone_for(world.alice)
    loan = world.loans[0]  # 80,000.00 outstanding, 12,000.00 overdue
    huge = _promise(phone, world, 2**63 - 1)
    over = _promise(phone, world, loan.outstanding_fen + 1)
    results = _results(phone)
    # (2^63-1 may also be refused by the argument bounds, as invalid_args.)
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert results[1]["codes"] == ["promise_above_outstanding"]
    assert "¥80,000.00" in results[1]["reason"]
    assert session.get(Promise, huge) is None and session.get(Promise, over) is None


def test_a_promise_beyond_the_overdue_amount_is_flagged(
    world: World, phone_for: PhoneFor, session: Session
) -> None:
    phone = phone_for(world.alice)
    loan = world.loans[0]
    whole = _promise(phone, world, loan.outstanding_fen)  # pays the loan off: allowed
    results = _results(phone)
    assert results[0]["status"] == "flagged"
    assert results[0]["codes"] == ["promise_above_overdue"]
    assert "¥12,000.00" in results[0]["reason"]
    assert session.get(Promise, whole) is not None


def test_a_second_open_promise_on_the_loan_is_flagged_naming_the_first(
    world: World, phone_for: PhoneFor, session: Session
) -> None:
    phone = phone_for(world.alice)
    first = _promise(phone, world, 100_000)
    assert [r["status"] for r in _results(phone)] == ["applied"]
    second = _promise(phone, world, 200_000)
    third = _promise(phone, world, 300_000)  # same push: sees the second, queued
    other_loan = _promise(phone, world, 100_000, i=1)
    results = _results(phone)
    assert [(r["status"], r["codes"]) for r in results] == [
        ("flagged", ["second_promise"]),
        ("flagged", ["second_promise"]),
        ("applied", []),
    ]
    assert str(first) in results[0]["reason"] and "¥1,000.00" in results[0]["reason"]
    assert str(first) in results[1]["reason"] and str(second) in results[1]["reason"]
    for promise_id in (first, second, third, other_loan):
        assert session.get(Promise, promise_id) is not None
