"""Issue 13, item 3 ("money within the loan's scale"): an agreement's terms are checked
against its loan. A principal beyond the loan's outstanding balance is refused
(`agreement_above_outstanding`); a down payment at or above the principal, or a schedule that
does not add up to principal minus down payment, is refused by the existing `schedule_sum`
rule (the same push goes on)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from models import Agreement
from tests.agreements.conftest import PhoneFor, World, sign_args
from tests.phone import Phone


def _sign(
    phone: Phone,
    world: World,
    principal_fen: int,
    down_payment_fen: int,
    schedule: list[tuple[str, int]],
) -> uuid.UUID:
    args = sign_args(
        visit=world.visits[0],
        loan=world.loans[0],
        principal_fen=principal_fen,
        down_payment_fen=down_payment_fen,
        schedule=schedule,
    )
    phone.queue("agreement.sign", **args)
    return uuid.UUID(args["agreement_id"])


def _split(rest: int) -> list[tuple[str, int]]:
    """Three monthly lines summing to `rest` exactly (the remainder on the last)."""
    base = rest // 3
    return [("2026-12-23", base), ("2027-01-23", base), ("2027-02-23", rest - 2 * base)]


def _results(phone: Phone) -> list[dict[str, Any]]:
    response = phone.push()
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_an_agreement_above_the_outstanding_balance_is_refused(
    world: World, phone_for: PhoneFor, session: Session
) -> None:
    """One fen more than the loan's balance is refused, naming the balance; the whole
    balance is agreed (the next entry of the same push applies)."""
    phone = phone_for(world.alice)
    loan = world.loans[0]  # 80,000.00 outstanding
    over_principal = loan.outstanding_fen + 1
    over = _sign(phone, world, over_principal, 1_000_000, _split(over_principal - 1_000_000))
    whole_principal = loan.outstanding_fen
    whole = _sign(phone, world, whole_principal, 1_000_000, _split(whole_principal - 1_000_000))
    results = _results(phone)
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert results[0]["codes"] == ["agreement_above_outstanding"]
    assert "¥80,000.01" in results[0]["reason"] and "¥80,000.00" in results[0]["reason"]
    assert session.get(Agreement, over) is None
    assert session.get(Agreement, whole) is not None


def test_a_down_payment_at_or_above_the_principal_is_refused(
    world: World, phone_for: PhoneFor, session: Session
) -> None:
    """The schedule must then sum to zero or less, which no schedule of positive lines
    does: `schedule_sum`, before the loan is looked at."""
    phone = phone_for(world.alice)
    above = _sign(phone, world, 300_000, 300_001, [("2026-12-23", 1)])
    equal = _sign(phone, world, 300_000, 300_000, [("2026-12-23", 1)])
    results = _results(phone)
    assert [(r["status"], r["codes"]) for r in results] == [
        ("rejected", ["schedule_sum"]),
        ("rejected", ["schedule_sum"]),
    ]
    assert "must be equal" in results[0]["reason"]
    assert session.get(Agreement, above) is None and session.get(Agreement, equal) is None


def test_a_schedule_that_does_not_add_up_is_refused(
    world: World, phone_for: PhoneFor, session: Session
) -> None:
    """One fen short, one fen over: refused `schedule_sum`; the exact one applies."""
    phone = phone_for(world.alice)
    short = _sign(phone, world, 300_000, 60_000, _split(240_000 - 1))
    over = _sign(phone, world, 300_000, 60_000, _split(240_000 + 1))
    exact = _sign(phone, world, 300_000, 60_000, _split(240_000))
    results = _results(phone)
    assert [(r["status"], r["codes"]) for r in results] == [
        ("rejected", ["schedule_sum"]),
        ("rejected", ["schedule_sum"]),
        ("applied", []),
    ]
    assert "must be equal" in results[0]["reason"]
    assert session.get(Agreement, short) is None and session.get(Agreement, over) is None
    assert session.get(Agreement, exact) is not None
