"""Follow-ups, the doorstep assessment and arrangements in the priority rules (pure)."""

from __future__ import annotations

from datetime import date, timedelta

from api.agreements.facts import AgreementFacts
from api.planning.priority import (
    BorrowerFacts,
    FollowUpFacts,
    LoanFacts,
    PrioritySettings,
    PromiseFacts,
    candidate,
    held_back,
)
from api.visits import assessment
from models.enums import AgreementStatus, LoanStatus, PromiseStatus

TODAY = date(2026, 11, 23)
PLAN = date(2026, 11, 24)
DEFAULTS = PrioritySettings()


def _loan(dpd: int = 45) -> LoanFacts:
    return LoanFacts("l1", "A0001", dpd, 1_200_000, 8_000_000, LoanStatus.active)


def _facts(**fields: object) -> BorrowerFacts:
    facts = BorrowerFacts(loans=[_loan()], last_contact=TODAY - timedelta(days=5))
    for name, value in fields.items():
        setattr(facts, name, value)
    return facts


def _codes(facts: BorrowerFacts, **kw: object) -> list[str]:
    scored = candidate(facts, today=TODAY, settings=DEFAULTS, plan_date=PLAN, **kw)  # type: ignore[arg-type]
    assert scored is not None
    return [r.code for r in scored.reasons]


def _outcome(action: str, due: date | None, willingness: str = "") -> FollowUpFacts:
    return FollowUpFacts(action, due, TODAY - timedelta(days=5), willingness)


def test_a_revisit_due_by_the_plan_date_is_a_reason_even_after_a_recent_visit() -> None:
    recent = TODAY - timedelta(days=5)
    facts = _facts(last_visit=recent, last_outcome=_outcome("revisit", PLAN))
    scored = candidate(facts, today=TODAY, settings=DEFAULTS, plan_date=PLAN)
    assert scored is not None
    reason = next(r for r in scored.reasons if r.code == "follow_up_due")
    assert reason.points == DEFAULTS.follow_up_due_points
    assert "2026-11-24" in reason.text and "再次上门" in reason.text_zh
    # Not yet due on the plan date: the recent visit leaves the borrower out.
    later = _facts(last_visit=recent, last_outcome=_outcome("revisit", PLAN + timedelta(days=1)))
    assert candidate(later, today=TODAY, settings=DEFAULTS, plan_date=PLAN) is None


def test_a_phone_follow_up_is_not_a_visit_reason() -> None:
    facts = _facts(last_outcome=_outcome("phone_follow_up", PLAN))
    assert "follow_up_due" not in _codes(facts)


def test_a_follow_up_already_planned_is_not_due_again() -> None:
    facts = _facts(
        last_outcome=_outcome("await_payment", TODAY), last_visit=TODAY + timedelta(days=1)
    )
    assert candidate(facts, today=TODAY, settings=DEFAULTS, plan_date=PLAN) is None


def test_a_follow_up_counts_loans_below_the_minimum_dpd() -> None:
    facts = _facts(loans=[_loan(dpd=12)], last_outcome=_outcome("revisit", PLAN))
    assert "follow_up_due" in _codes(facts)
    facts.last_outcome = None
    assert candidate(facts, today=TODAY, settings=DEFAULTS, plan_date=PLAN) is None


def test_willingness_raises_or_lowers_the_score() -> None:
    base = candidate(_facts(), today=TODAY, settings=DEFAULTS, plan_date=PLAN)
    assert base is not None
    for code, points in (("refuses", 25), ("avoids_contact", 15)):
        facts = _facts(last_outcome=_outcome("none", None, code))
        scored = candidate(facts, today=TODAY, settings=DEFAULTS, plan_date=PLAN)
        assert scored is not None and scored.score == base.score + points
        assert scored.reasons[-1].code == code and scored.reasons[-1].text_zh
    # Cooperative alone changes nothing; with an arrangement on track, it lowers (held).
    assert "cooperative" not in _codes(_facts(last_outcome=_outcome("none", None, "cooperative")))
    facts = _facts(
        last_outcome=_outcome("none", None, "cooperative"),
        agreements=[AgreementFacts(AgreementStatus.active)],
    )
    scored = candidate(facts, today=TODAY, settings=DEFAULTS, plan_date=PLAN, include_held=True)
    assert scored is not None
    lowered = next(r for r in scored.reasons if r.code == "cooperative")
    assert lowered.points == -DEFAULTS.cooperative_discount


def _promise(due: date, status: PromiseStatus = PromiseStatus.open) -> PromiseFacts:
    return PromiseFacts(due_date=due, status=status, amount_fen=100_000)


def test_an_open_promise_not_yet_due_holds_the_borrower_back() -> None:
    facts = _facts(promises=[_promise(PLAN + timedelta(days=3))])
    assert candidate(facts, today=TODAY, settings=DEFAULTS, plan_date=PLAN) is None
    scored = candidate(facts, today=TODAY, settings=DEFAULTS, plan_date=PLAN, include_held=True)
    assert scored is not None and scored.held
    held = scored.reasons[-1]
    assert (held.code, held.points) == ("arrangement_on_track", 0)
    assert "2026-11-27" in held.text and "尚未到期" in held.text_zh
    # Due on the plan date: still held; due before it and unpaid: back, not kept.
    assert held_back(_facts(promises=[_promise(PLAN)]), on=PLAN) is not None
    back = _facts(promises=[_promise(PLAN - timedelta(days=1))])
    assert held_back(back, on=PLAN) is None
    assert "promise_not_kept" in _codes(back)


def test_an_agreement_on_track_holds_and_a_missed_instalment_brings_back() -> None:
    on_track = _facts(agreements=[AgreementFacts(AgreementStatus.active)])
    assert candidate(on_track, today=TODAY, settings=DEFAULTS, plan_date=PLAN) is None
    missed = _facts(agreements=[AgreementFacts(AgreementStatus.active, missed_lines=1)])
    assert held_back(missed, on=PLAN) is None
    assert "missed_instalments" in _codes(missed)


def test_a_promise_broken_since_the_last_meeting_brings_back_at_once() -> None:
    agreement = AgreementFacts(AgreementStatus.signed)
    broken_since = _promise(TODAY - timedelta(days=2), PromiseStatus.broken)
    facts = _facts(agreements=[agreement], promises=[broken_since])
    assert held_back(facts, on=PLAN) is None
    assert "broken_promises" in _codes(facts)
    # Broken before the borrower was last met (and discussed): the new agreement holds.
    broken_before = _promise(TODAY - timedelta(days=30), PromiseStatus.broken)
    assert held_back(_facts(agreements=[agreement], promises=[broken_before]), on=PLAN)


def test_the_cadence_defaults_per_action_and_bucket() -> None:
    settings = assessment.FollowUpSettings()
    on = TODAY
    expect = {("revisit", 10): 7, ("revisit", 45): 5, ("revisit", 75): 3, ("revisit", 200): 3}
    expect |= {("phone_follow_up", 45): 3, ("await_payment", 45): 7}
    for (action, dpd), days in expect.items():
        got = assessment.default_follow_up(settings, next_action=action, dpd=dpd, visited_on=on)
        assert got == on + timedelta(days=days), (action, dpd)
    for action in ("none", "legal", "restructure", "", "dance"):
        assert (
            assessment.default_follow_up(settings, next_action=action, dpd=45, visited_on=on)
            is None
        )


def test_a_bad_stored_cadence_falls_back_to_the_defaults() -> None:
    merged = assessment.merge_follow_up(
        {"revisit": {"m1": 0}, "nonsense": 1, "await_payment": {"m2": 2}}
    )
    assert merged.revisit.m1 == 7
    assert merged.await_payment.m2 == 2


def test_assessment_codes_are_the_contract_lists() -> None:
    data = assessment.reference_data()
    assert data["kind"] == "assessment_codes"
    assert [i["code"] for i in data["willingness"]] == [
        "cooperative",
        "hesitant",
        "avoids_contact",
        "refuses",
    ]
    assert {i["code"] for i in data["income_source"]} >= {"farming", "small_business", "trading"}
    assert all(
        i["label_zh"] and i["label_en"]
        for items in data.values()
        if isinstance(items, list)
        for i in items
    )
    assert assessment.unknown_codes({"income_source": "farming", "willingness": "maybe"}) == [
        "willingness=maybe"
    ]


def test_a_default_follow_up_visit_waits_for_the_policy_frequency() -> None:
    settings = assessment.FollowUpSettings()
    got = assessment.default_follow_up(
        settings, next_action="revisit", dpd=200, visited_on=TODAY, min_visit_days=7
    )
    assert got == TODAY + timedelta(days=7)
    phone = assessment.default_follow_up(
        settings, next_action="phone_follow_up", dpd=200, visited_on=TODAY, min_visit_days=7
    )
    assert phone == TODAY + timedelta(days=3)  # a call is not a visit
