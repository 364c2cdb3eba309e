"""Visit priority that explains itself. Pure: no FastAPI, no database.

A borrower's score is the sum of the points of its reasons, and every reason says in plain
words (English and Chinese) why it counts: "M2, 45 days", "overdue 38,000 CNY",
"2 broken promises", "no contact for 21 days", "promise due 2026-11-20 not kept",
"1 broken agreement", "2 missed instalments".

One candidate per borrower: a borrower with several overdue loans is visited once, so the
overdue amounts are summed, the DPD is the worst loan's and every eligible loan is listed.
Weights and rules are branch settings (`Branch.settings["priority"]`) merged over the defaults
of `PrioritySettings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.planning.schedule import merge_model
from models.enums import AgreementStatus, LoanStatus, PromiseStatus

Bucket = Literal["M0", "M1", "M2", "M3", "M3+"]
BUCKETS: tuple[Bucket, ...] = ("M1", "M2", "M3", "M3+")
EXCLUDED_LOAN_STATUSES = frozenset({LoanStatus.legal, LoanStatus.closed})


class PrioritySettings(BaseModel):
    """Rules and weights of a branch. Unknown keys are refused so a typo is reported."""

    model_config = ConfigDict(extra="forbid")

    min_dpd: int = Field(31, ge=1, le=3650, description="Visit loans at least this late (days).")
    recent_visit_days: int = Field(
        7,
        ge=0,
        le=365,
        description="Leave out borrowers visited (done, checked in or planned) this recently.",
    )
    m1_points: int = Field(0, ge=0, le=1000, description="Points for DPD 1-30.")
    m2_points: int = Field(20, ge=0, le=1000, description="Points for DPD 31-60.")
    m3_points: int = Field(35, ge=0, le=1000, description="Points for DPD 61-90.")
    m3plus_points: int = Field(50, ge=0, le=1000, description="Points for DPD over 90.")
    dpd_points_per_day: float = Field(0.2, ge=0, le=100, allow_inf_nan=False)
    dpd_points_cap: int = Field(60, ge=0, le=1000, description="Most points from days late.")
    overdue_points_per_10k_cny: float = Field(5.0, ge=0, le=1000, allow_inf_nan=False)
    overdue_points_cap: int = Field(50, ge=0, le=1000)
    broken_promise_points: int = Field(15, ge=0, le=1000, description="Per broken promise.")
    promise_lookback_days: int = Field(
        180, ge=1, le=3650, description="Broken promises older than this no longer count."
    )
    promise_not_kept_points: int = Field(
        20, ge=0, le=1000, description="Per open promise whose date has passed unpaid."
    )
    broken_agreement_points: int = Field(
        25,
        ge=0,
        le=1000,
        description="Per broken instalment agreement (within the promise look-back).",
    )
    missed_instalment_points: int = Field(
        10, ge=0, le=1000, description="Per missed instalment of an agreement still running."
    )
    no_contact_days: int = Field(
        14, ge=1, le=3650, description="Days without meeting the borrower before it counts."
    )
    no_contact_points_per_day: float = Field(1.0, ge=0, le=100, allow_inf_nan=False)
    no_contact_points_cap: int = Field(30, ge=0, le=1000)
    never_met_points: int = Field(20, ge=0, le=1000, description="Borrower never met in a visit.")

    def bucket_points(self, bucket: Bucket) -> int:
        return {
            "M0": 0,
            "M1": self.m1_points,
            "M2": self.m2_points,
            "M3": self.m3_points,
            "M3+": self.m3plus_points,
        }[bucket]


def merge_settings(stored: Any) -> PrioritySettings:
    """The stored dict over the defaults. Unknown keys and invalid values are ignored (the
    default applies), so a bad stored setting never stops planning."""
    return merge_model(PrioritySettings, stored)


def dpd_bucket(dpd: int) -> Bucket:
    if dpd <= 0:
        return "M0"
    if dpd <= 30:
        return "M1"
    if dpd <= 60:
        return "M2"
    if dpd <= 90:
        return "M3"
    return "M3+"


def format_yuan(fen: int) -> str:
    """3800050 -> "38,000.50"; whole yuan without decimals ("38,000")."""
    yuan, cents = divmod(abs(fen), 100)
    sign = "-" if fen < 0 else ""
    return f"{sign}{yuan:,}" + (f".{cents:02d}" if cents else "")


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    text_zh: str
    points: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "text_zh": self.text_zh,
            "points": self.points,
        }


@dataclass(frozen=True)
class LoanFacts:
    id: str
    account_number: str
    dpd: int
    overdue_fen: int
    outstanding_fen: int
    status: LoanStatus


@dataclass(frozen=True)
class PromiseFacts:
    due_date: date
    status: PromiseStatus
    amount_fen: int
    paid_fen: int = 0


@dataclass(frozen=True)
class AgreementFacts:
    status: AgreementStatus
    missed_lines: int = 0  # schedule lines (and down payment) not paid in time
    status_changed_on: date | None = None  # for a broken agreement: the day it broke


# Agreements still running: their missed instalments count until the agreement breaks.
RUNNING_AGREEMENTS = frozenset({AgreementStatus.signed, AgreementStatus.active})


@dataclass
class BorrowerFacts:
    loans: list[LoanFacts]
    promises: list[PromiseFacts] = field(default_factory=list)
    agreements: list[AgreementFacts] = field(default_factory=list)
    last_contact: date | None = None  # last day the borrower was met in a visit
    last_visit: date | None = None  # last visit of any kind that was not cancelled


@dataclass(frozen=True)
class Scored:
    score: int
    reasons: list[Reason]
    loans: list[LoanFacts]  # the loans the visit is about, worst first
    overdue_fen: int
    outstanding_fen: int
    dpd: int
    bucket: Bucket


def eligible_loans(loans: Iterable[LoanFacts], settings: PrioritySettings) -> list[LoanFacts]:
    """Loans that call for a home visit: late enough, not closed, not with the lawyers."""
    return [
        loan
        for loan in loans
        if loan.status not in EXCLUDED_LOAN_STATUSES and loan.dpd >= settings.min_dpd
    ]


def overdue_loans(loans: Iterable[LoanFacts]) -> list[LoanFacts]:
    """Loans with anything overdue (for borrowers a manager picks by hand)."""
    return [
        loan
        for loan in loans
        if loan.status not in EXCLUDED_LOAN_STATUSES and (loan.dpd > 0 or loan.overdue_fen > 0)
    ]


def recently_visited(last_visit: date | None, *, today: date, settings: PrioritySettings) -> bool:
    return last_visit is not None and last_visit >= today - timedelta(
        days=settings.recent_visit_days
    )


def score(
    facts: BorrowerFacts,
    *,
    today: date,
    settings: PrioritySettings,
    loans: Sequence[LoanFacts] | None = None,
) -> Scored:
    """Score a borrower over `loans` (default: the eligible loans) and say why."""
    chosen = sorted(
        eligible_loans(facts.loans, settings) if loans is None else loans,
        key=lambda loan: (-loan.dpd, -loan.overdue_fen, loan.account_number),
    )
    reasons: list[Reason] = []
    dpd = chosen[0].dpd if chosen else 0
    overdue = sum(loan.overdue_fen for loan in chosen)
    bucket = dpd_bucket(dpd)
    if dpd > 0:
        points = settings.bucket_points(bucket) + min(
            settings.dpd_points_cap, round(dpd * settings.dpd_points_per_day)
        )
        reasons.append(Reason("dpd", f"{bucket}, {dpd} days", f"{bucket}，逾期{dpd}天", points))
    if overdue > 0:
        per_10k = settings.overdue_points_per_10k_cny
        points = min(settings.overdue_points_cap, round(overdue * per_10k / 1_000_000))
        amount = format_yuan(overdue)
        loans_note = f" on {len(chosen)} loans" if len(chosen) > 1 else ""
        loans_note_zh = f"（{len(chosen)}笔贷款）" if len(chosen) > 1 else ""
        reasons.append(
            Reason(
                "overdue",
                f"overdue {amount} CNY{loans_note}",
                f"逾期金额{amount}元{loans_note_zh}",
                points,
            )
        )
    since = today - timedelta(days=settings.promise_lookback_days)
    broken = [p for p in facts.promises if p.status == PromiseStatus.broken and p.due_date >= since]
    if broken and settings.broken_promise_points:
        n = len(broken)
        reasons.append(
            Reason(
                "broken_promises",
                f"{n} broken promise{'s' if n > 1 else ''}",
                f"{n}次承诺还款未兑现",
                n * settings.broken_promise_points,
            )
        )
    not_kept = sorted(
        (
            p
            for p in facts.promises
            if p.status == PromiseStatus.open and p.due_date < today and p.paid_fen < p.amount_fen
        ),
        key=lambda p: p.due_date,
    )
    for promise in not_kept:
        day = promise.due_date.isoformat()
        reasons.append(
            Reason(
                "promise_not_kept",
                f"promise due {day} not kept",
                f"承诺{day}还款未兑现",
                settings.promise_not_kept_points,
            )
        )
    broken_agreements = [
        a
        for a in facts.agreements
        if a.status == AgreementStatus.broken
        and (a.status_changed_on is None or a.status_changed_on >= since)
    ]
    if broken_agreements and settings.broken_agreement_points:
        n = len(broken_agreements)
        reasons.append(
            Reason(
                "broken_agreements",
                f"{n} broken agreement{'s' if n > 1 else ''}",
                f"{n}份分期还款协议已违约",
                n * settings.broken_agreement_points,
            )
        )
    missed = sum(a.missed_lines for a in facts.agreements if a.status in RUNNING_AGREEMENTS)
    if missed and settings.missed_instalment_points:
        reasons.append(
            Reason(
                "missed_instalments",
                f"{missed} missed instalment{'s' if missed > 1 else ''}",
                f"{missed}期分期还款未按期偿还",
                missed * settings.missed_instalment_points,
            )
        )
    if facts.last_contact is None:
        if settings.never_met_points:
            reasons.append(
                Reason(
                    "never_met",
                    "never met in person",
                    "从未当面见到借款人",
                    settings.never_met_points,
                )
            )
    else:
        days = (today - facts.last_contact).days
        if days >= settings.no_contact_days:
            points = min(
                settings.no_contact_points_cap, round(days * settings.no_contact_points_per_day)
            )
            reasons.append(
                Reason("no_contact", f"no contact for {days} days", f"{days}天未见到借款人", points)
            )
    return Scored(
        score=sum(r.points for r in reasons),
        reasons=reasons,
        loans=chosen,
        overdue_fen=overdue,
        outstanding_fen=sum(loan.outstanding_fen for loan in chosen),
        dpd=dpd,
        bucket=bucket,
    )


def candidate(facts: BorrowerFacts, *, today: date, settings: PrioritySettings) -> Scored | None:
    """The borrower's score, or None when the rules say not to visit (no eligible loan, or
    visited recently)."""
    if recently_visited(facts.last_visit, today=today, settings=settings):
        return None
    if not eligible_loans(facts.loans, settings):
        return None
    return score(facts, today=today, settings=settings)
