"""`visit.record_outcome`: the doorstep assessment and the follow-up date."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import Session

from models import Loan, VisitOutcome
from tests.phone import Phone
from tests.sync.conftest import World

AT = "2026-11-23T02:10:00Z"  # 10:10 on Monday 2026-11-23 in Asia/Shanghai
VISITED_ON = date(2026, 11, 23)


def _record(phone: Phone, world: World, **args: Any) -> tuple[dict[str, Any], uuid.UUID]:
    outcome_id = uuid.uuid4()
    phone.queue(
        "visit.record_outcome",
        outcome_id=outcome_id,
        visit_id=world.visits[0].id,
        contact="borrower",
        at=AT,
        **args,
    )
    response = phone.push()
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][-1]
    return result, outcome_id


def test_the_assessment_is_stored_with_the_outcome(
    world: World, phone_for: Any, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    result, outcome_id = _record(
        phone,
        world,
        income_source="livestock",
        business_condition="seasonal_low",
        willingness="hesitant",
        next_action="revisit",
        follow_up_on="2026-12-01",
    )
    assert result["status"] == "applied", result
    outcome = session.get(VisitOutcome, outcome_id)
    assert outcome is not None
    assert (outcome.income_source, outcome.business_condition, outcome.willingness) == (
        "livestock",
        "seasonal_low",
        "hesitant",
    )
    assert outcome.follow_up_on == date(2026, 12, 1)


def test_the_assessment_is_optional(world: World, phone_for: Any, session: Session) -> None:
    result, outcome_id = _record(phone_for(world.alice), world, next_action="none")
    assert result["status"] == "applied", result
    outcome = session.get(VisitOutcome, outcome_id)
    assert outcome is not None
    assert (outcome.income_source, outcome.willingness, outcome.follow_up_on) == ("", "", None)


def test_unknown_assessment_codes_are_refused_with_the_field(
    world: World, phone_for: Any, session: Session
) -> None:
    result, outcome_id = _record(
        phone_for(world.alice), world, income_source="lottery", willingness="cooperative"
    )
    assert result["status"] == "rejected"
    assert "income_source=lottery" in result["reason"]
    assert session.get(VisitOutcome, outcome_id) is None


def test_a_follow_up_date_outside_1_to_90_days_is_refused(
    world: World, phone_for: Any, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    for day in ("2026-11-23", "2026-11-20", "2027-02-22"):
        result, outcome_id = _record(phone, world, next_action="revisit", follow_up_on=day)
        assert result["status"] == "rejected", day
        assert "1 to 90 days after the visit" in result["reason"]
        assert session.get(VisitOutcome, outcome_id) is None
    result, _ = _record(phone, world, next_action="revisit", follow_up_on="2027-02-21")
    assert result["status"] != "rejected"


def _loan_dpd(session: Session, loan: Loan, dpd: int) -> None:
    loan.dpd = dpd
    session.add(loan)
    session.flush()


def test_the_follow_up_date_defaults_to_the_branch_cadence(
    world: World, phone_for: Any, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    expected = {
        # M1 7 days; M2 5 and M3+ 3 days, but the policy allows one visit in 7 days.
        (20, "revisit"): date(2026, 11, 30),
        (45, "revisit"): date(2026, 11, 30),
        (120, "revisit"): date(2026, 11, 30),
        (45, "phone_follow_up"): date(2026, 11, 26),
        (45, "await_payment"): date(2026, 11, 30),
        (45, "none"): None,
        (45, "legal"): None,
        (45, ""): None,
    }
    for (dpd, action), day in expected.items():
        _loan_dpd(session, world.loans[0], dpd)
        result, outcome_id = _record(phone, world, next_action=action)
        assert result["status"] != "rejected", result
        outcome = session.get(VisitOutcome, outcome_id)
        assert outcome is not None and outcome.follow_up_on == day, (dpd, action)


def test_the_branch_sets_its_own_cadence(world: World, phone_for: Any, session: Session) -> None:
    world.branch.settings = {
        **world.branch.settings,
        "follow_up": {"phone_follow_up": {"m1": 10, "m2": 2, "m3": 2, "m3plus": 1}},
    }
    session.add(world.branch)
    session.flush()
    result, outcome_id = _record(phone_for(world.alice), world, next_action="phone_follow_up")
    assert result["status"] != "rejected"
    outcome = session.get(VisitOutcome, outcome_id)
    assert outcome is not None and outcome.follow_up_on == date(2026, 11, 25)
