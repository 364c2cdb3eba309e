"""Priority rules (pure): points, reasons in two languages, exclusions, settings merge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from api.planning.priority import (
    BorrowerFacts,
    LoanFacts,
    PrioritySettings,
    PromiseFacts,
    candidate,
    dpd_bucket,
    format_yuan,
    merge_settings,
    score,
)
from models.enums import LoanStatus, PromiseStatus

TODAY = date(2026, 11, 23)
DEFAULTS = PrioritySettings()


def loan(
    n: int = 1, dpd: int = 45, overdue_fen: int = 3_800_000, status: LoanStatus = LoanStatus.active
) -> LoanFacts:
    return LoanFacts(
        id=f"loan-{n}",
        account_number=f"A{n:04d}",
        dpd=dpd,
        overdue_fen=overdue_fen,
        outstanding_fen=8_000_000,
        status=status,
    )


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [(0, "M0"), (1, "M1"), (30, "M1"), (31, "M2"), (60, "M2"), (61, "M3"), (90, "M3"), (91, "M3+")],
)
def test_buckets(dpd: int, bucket: str) -> None:
    assert dpd_bucket(dpd) == bucket


def test_reasons_explain_every_point() -> None:
    facts = BorrowerFacts(
        loans=[loan(dpd=45, overdue_fen=3_800_000)],
        promises=[
            PromiseFacts(date(2026, 10, 1), PromiseStatus.broken, 100_000),
            PromiseFacts(date(2026, 11, 1), PromiseStatus.broken, 100_000),
            PromiseFacts(date(2026, 11, 20), PromiseStatus.open, 200_000),
            PromiseFacts(date(2026, 11, 30), PromiseStatus.open, 200_000),  # not due yet
            PromiseFacts(date(2026, 11, 10), PromiseStatus.kept, 200_000, 200_000),
        ],
        last_contact=TODAY - timedelta(days=21),
    )
    result = score(facts, today=TODAY, settings=DEFAULTS)
    reasons = {r.code: r for r in result.reasons}
    assert reasons["dpd"].text == "M2, 45 days" and reasons["dpd"].text_zh == "M2，逾期45天"
    assert reasons["dpd"].points == 20 + 9  # bucket + 45 days × 0.2
    assert reasons["overdue"].text == "overdue 38,000 CNY"
    assert reasons["overdue"].points == 19  # 3.8 × 5 per 10,000 CNY
    assert reasons["broken_promises"].text == "2 broken promises"
    assert reasons["broken_promises"].points == 30
    assert reasons["promise_not_kept"].text == "promise due 2026-11-20 not kept"
    assert reasons["promise_not_kept"].text_zh == "承诺2026-11-20还款未兑现"
    assert reasons["no_contact"].text == "no contact for 21 days"
    assert reasons["no_contact"].points == 21
    assert result.score == sum(r.points for r in result.reasons) == 29 + 19 + 30 + 20 + 21
    assert all(r.text and r.text_zh for r in result.reasons)


def test_several_loans_sum_overdue_and_take_the_worst_dpd() -> None:
    facts = BorrowerFacts(
        loans=[
            loan(1, dpd=40, overdue_fen=1_000_050),
            loan(2, dpd=100, overdue_fen=2_000_000),
            loan(3, dpd=10, overdue_fen=500_000),  # below the minimum: not part of the visit
            loan(4, dpd=200, overdue_fen=9_000_000, status=LoanStatus.legal),
        ],
        last_contact=TODAY,
    )
    result = score(facts, today=TODAY, settings=DEFAULTS)
    assert [x.id for x in result.loans] == ["loan-2", "loan-1"]
    assert result.dpd == 100 and result.bucket == "M3+"
    assert result.overdue_fen == 3_000_050
    overdue = next(r for r in result.reasons if r.code == "overdue")
    assert overdue.text == "overdue 30,000.50 CNY on 2 loans"


def test_never_met_and_old_broken_promises() -> None:
    facts = BorrowerFacts(
        loans=[loan()],
        promises=[PromiseFacts(TODAY - timedelta(days=400), PromiseStatus.broken, 1)],
    )
    codes = [r.code for r in score(facts, today=TODAY, settings=DEFAULTS).reasons]
    assert "never_met" in codes and "broken_promises" not in codes


def test_caps_limit_points() -> None:
    facts = BorrowerFacts(loans=[loan(dpd=2000, overdue_fen=10**12)], last_contact=TODAY)
    reasons = {r.code: r.points for r in score(facts, today=TODAY, settings=DEFAULTS).reasons}
    assert reasons["dpd"] == DEFAULTS.m3plus_points + DEFAULTS.dpd_points_cap
    assert reasons["overdue"] == DEFAULTS.overdue_points_cap


def test_exclusions() -> None:
    def facts(**kw: object) -> BorrowerFacts:
        return BorrowerFacts(**{"loans": [loan()], "last_contact": TODAY, **kw})  # type: ignore[arg-type]

    assert candidate(facts(), today=TODAY, settings=DEFAULTS) is not None
    assert candidate(facts(loans=[loan(dpd=30)]), today=TODAY, settings=DEFAULTS) is None
    assert (
        candidate(facts(loans=[loan(status=LoanStatus.legal)]), today=TODAY, settings=DEFAULTS)
        is None
    )
    assert (
        candidate(facts(loans=[loan(status=LoanStatus.closed)]), today=TODAY, settings=DEFAULTS)
        is None
    )
    recent = facts(last_visit=TODAY - timedelta(days=7))
    assert candidate(recent, today=TODAY, settings=DEFAULTS) is None
    older = facts(last_visit=TODAY - timedelta(days=8))
    assert candidate(older, today=TODAY, settings=DEFAULTS) is not None
    planned_later = facts(last_visit=TODAY + timedelta(days=3))
    assert candidate(planned_later, today=TODAY, settings=DEFAULTS) is None
    relaxed = PrioritySettings(min_dpd=1, recent_visit_days=0)
    assert candidate(facts(loans=[loan(dpd=5)]), today=TODAY, settings=relaxed) is not None


def test_branch_settings_merge_over_defaults() -> None:
    merged = merge_settings({"min_dpd": 61, "m2_points": "oops", "unknown": 1})
    assert merged.min_dpd == 61
    assert merged.m2_points == DEFAULTS.m2_points
    assert merge_settings(None) == DEFAULTS
    assert merge_settings([1, 2]) == DEFAULTS


def test_settings_validation_refuses_nonsense() -> None:
    with pytest.raises(ValidationError):
        PrioritySettings.model_validate({"min_dpd": 0})
    with pytest.raises(ValidationError):
        PrioritySettings.model_validate({"broken_promise_points": -1})
    with pytest.raises(ValidationError):
        PrioritySettings.model_validate({"speling": 1})


@pytest.mark.parametrize(
    ("fen", "text"), [(3_800_000, "38,000"), (3_800_050, "38,000.50"), (5, "0.05"), (0, "0")]
)
def test_format_yuan(fen: int, text: str) -> None:
    assert format_yuan(fen) == text
