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
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.agreements.facts import RUNNING_AGREEMENTS, AgreementFacts
from api.settings_merge import merge_model
from api.visits.assessment import VISIT_FOLLOW_UPS
from models.enums import AgreementStatus, LoanStatus, PromiseStatus

Bucket = Literal["M0", "M1", "M2", "M3", "M3+"]
BUCKETS: tuple[Bucket, ...] = ("M1", "M2", "M3", "M3+")
HELD = "arrangement_on_track"
# Next actions whose due date brings the borrower back for a visit (en, zh-CN).
FOLLOW_UP_ACTIONS = {
    "revisit": ("revisit", "再次上门"),
    "await_payment": ("check payment", "核实还款"),
}
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
    skipped_points: int = Field(
        10, ge=0, le=1000, description="The last visit could not be made (skipped)."
    )
    repeated_absence_points: int = Field(
        20, ge=0, le=1000, description="Absent at 2 or more skipped visits in the window."
    )
    repeated_absence_days: int = Field(
        30, ge=1, le=365, description="Window (days) in which repeated absence counts."
    )
    follow_up_due_points: int = Field(
        30, ge=0, le=1000, description="A revisit or payment check the officer asked for is due."
    )
    refuses_points: int = Field(
        25, ge=0, le=1000, description="The last assessment found the borrower refuses to pay."
    )
    avoids_contact_points: int = Field(
        15, ge=0, le=1000, description="The last assessment found the borrower avoids contact."
    )
    cooperative_discount: int = Field(
        15,
        ge=0,
        le=1000,
        description="Points taken off a cooperative borrower with a promise or agreement.",
    )

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
        return asdict(self)


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
class SkipFacts:
    """A visit closed as skipped: its day, reason code and the phrase for the reason
    ("absent at the last visit", "上次走访借款人不在家")."""

    day: date
    reason: str
    phrase: str
    phrase_zh: str


@dataclass(frozen=True)
class FollowUpFacts:
    """The borrower's latest outcome: its next action, when it is due, and the day of its
    visit (a visit planned after that day means the follow-up is already in hand)."""

    action: str
    due: date | None
    visit_day: date
    willingness: str = ""


@dataclass
class BorrowerFacts:
    loans: list[LoanFacts]
    promises: list[PromiseFacts] = field(default_factory=list)
    agreements: list[AgreementFacts] = field(default_factory=list)
    last_contact: date | None = None  # last day the borrower was met in a visit
    last_visit: date | None = None  # last visit of any kind that was not cancelled
    skips: list[SkipFacts] = field(default_factory=list)  # skipped visits, any order
    last_outcome: FollowUpFacts | None = None


@dataclass(frozen=True)
class Scored:
    score: int
    reasons: list[Reason]
    loans: list[LoanFacts]  # the loans the visit is about, worst first
    overdue_fen: int
    outstanding_fen: int
    dpd: int
    bucket: Bucket
    held: bool = False  # held back by an arrangement on track (shown only when asked)


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
    plan_date: date | None = None,
) -> Scored:
    """Score a borrower over `loans` (default: the eligible loans) and say why; follow-ups
    and arrangements are read as of `plan_date` (default today)."""
    on = plan_date or today
    chosen = sorted(
        eligible_loans(facts.loans, settings) if loans is None else loans,
        key=lambda loan: (-loan.dpd, -loan.overdue_fen, loan.account_number),
    )
    dpd = chosen[0].dpd if chosen else 0
    overdue = sum(loan.overdue_fen for loan in chosen)
    bucket = dpd_bucket(dpd)
    since = today - timedelta(days=settings.promise_lookback_days)
    reasons = [
        *_lateness(dpd, bucket, settings),
        *_overdue(overdue, len(chosen), settings),
        *_promises(facts.promises, today=on, since=since, settings=settings),
        *_agreements(facts.agreements, since=since, settings=settings),
        *_contact(facts.last_contact, today=today, settings=settings),
        *_skipped(facts, today=today, settings=settings),
        *_follow_up(facts, on=on, settings=settings),
        *_willingness(facts, on=on, settings=settings),
    ]
    return Scored(
        score=sum(r.points for r in reasons),
        reasons=reasons,
        loans=chosen,
        overdue_fen=overdue,
        outstanding_fen=sum(loan.outstanding_fen for loan in chosen),
        dpd=dpd,
        bucket=bucket,
    )


# The rules: each gives the reasons (often none) one kind of fact is worth.


def _counted(code: str, n: int, noun: str, text_zh: str, each: int) -> list[Reason]:
    """A reason such as "2 broken promises": `n` things worth `each` points (none if 0)."""
    if not n or not each:
        return []
    return [Reason(code, f"{n} {noun}{'s' if n > 1 else ''}", text_zh, n * each)]


def _lateness(dpd: int, bucket: Bucket, settings: PrioritySettings) -> list[Reason]:
    if dpd <= 0:
        return []
    points = settings.bucket_points(bucket) + min(
        settings.dpd_points_cap, round(dpd * settings.dpd_points_per_day)
    )
    return [Reason("dpd", f"{bucket}, {dpd} days", f"{bucket}，逾期{dpd}天", points)]


def _overdue(overdue: int, n_loans: int, settings: PrioritySettings) -> list[Reason]:
    if overdue <= 0:
        return []
    per_10k = settings.overdue_points_per_10k_cny
    points = min(settings.overdue_points_cap, round(overdue * per_10k / 1_000_000))
    amount = format_yuan(overdue)
    loans_note = f" on {n_loans} loans" if n_loans > 1 else ""
    loans_note_zh = f"（{n_loans}笔贷款）" if n_loans > 1 else ""
    return [
        Reason(
            "overdue",
            f"overdue {amount} CNY{loans_note}",
            f"逾期金额{amount}元{loans_note_zh}",
            points,
        )
    ]


def _promises(
    promises: Sequence[PromiseFacts], *, today: date, since: date, settings: PrioritySettings
) -> list[Reason]:
    """Broken promises within the look-back, then each open promise past due and unpaid."""
    n = sum(1 for p in promises if p.status == PromiseStatus.broken and p.due_date >= since)
    reasons = _counted(
        "broken_promises",
        n,
        "broken promise",
        f"{n}次承诺还款未兑现",
        settings.broken_promise_points,
    )
    not_kept = sorted(
        (
            p
            for p in promises
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
    return reasons


def _agreements(
    agreements: Sequence[AgreementFacts], *, since: date, settings: PrioritySettings
) -> list[Reason]:
    """Agreements broken within the look-back; missed instalments of those still running."""
    broken = sum(
        1
        for a in agreements
        if a.status == AgreementStatus.broken
        and (a.status_changed_on is None or a.status_changed_on >= since)
    )
    missed = sum(a.missed_lines for a in agreements if a.status in RUNNING_AGREEMENTS)
    return [
        *_counted(
            "broken_agreements",
            broken,
            "broken agreement",
            f"{broken}份分期还款协议已违约",
            settings.broken_agreement_points,
        ),
        *_counted(
            "missed_instalments",
            missed,
            "missed instalment",
            f"{missed}期分期还款未按期偿还",
            settings.missed_instalment_points,
        ),
    ]


def _contact(last_contact: date | None, *, today: date, settings: PrioritySettings) -> list[Reason]:
    """Never met, or not met for a while."""
    if last_contact is None:
        if not settings.never_met_points:
            return []
        return [
            Reason(
                "never_met", "never met in person", "从未当面见到借款人", settings.never_met_points
            )
        ]
    days = (today - last_contact).days
    if days < settings.no_contact_days:
        return []
    points = min(settings.no_contact_points_cap, round(days * settings.no_contact_points_per_day))
    return [Reason("no_contact", f"no contact for {days} days", f"{days}天未见到借款人", points)]


def _skipped(facts: BorrowerFacts, *, today: date, settings: PrioritySettings) -> list[Reason]:
    """The latest visit was skipped (no visit counted since): `skipped_<reason>`; absent at
    two or more skipped visits in `repeated_absence_days`: `repeated_absence`."""
    if not facts.skips:
        return []
    latest = max(facts.skips, key=lambda s: s.day)
    reasons = []
    if facts.last_visit is None or facts.last_visit <= latest.day:
        day = latest.day.isoformat()
        reasons.append(
            Reason(
                f"skipped_{latest.reason}",
                f"{latest.phrase} ({day})",
                f"{latest.phrase_zh}（{day}）",
                settings.skipped_points,
            )
        )
    since = today - timedelta(days=settings.repeated_absence_days)
    absent = sum(1 for s in facts.skips if s.reason == "absent" and s.day >= since)
    if absent >= 2 and settings.repeated_absence_points:
        reasons.append(
            Reason(
                "repeated_absence",
                f"absent at {absent} visits in {settings.repeated_absence_days} days",
                f"{settings.repeated_absence_days}天内{absent}次走访借款人不在家",
                settings.repeated_absence_points,
            )
        )
    return reasons


def follow_up_due(facts: BorrowerFacts, *, on: date) -> FollowUpFacts | None:
    """The latest outcome's revisit or payment check when due by `on` and no visit was
    planned since (phone follow-ups are call tasks, not visits)."""
    last = facts.last_outcome
    if last is None or last.due is None or last.action not in VISIT_FOLLOW_UPS:
        return None
    if last.due > on or (facts.last_visit is not None and facts.last_visit > last.visit_day):
        return None
    return last


def _follow_up(facts: BorrowerFacts, *, on: date, settings: PrioritySettings) -> list[Reason]:
    due = follow_up_due(facts, on=on)
    if due is None or due.due is None:
        return []
    en, zh = FOLLOW_UP_ACTIONS[due.action]
    day = due.due.isoformat()
    return [
        Reason(
            "follow_up_due",
            f"follow-up due {day}: {en}",
            f"{day}应跟进：{zh}",
            settings.follow_up_due_points,
        )
    ]


def _willingness(facts: BorrowerFacts, *, on: date, settings: PrioritySettings) -> list[Reason]:
    """What the last assessment found: refusal and avoidance raise; a cooperative borrower
    keeping an arrangement lowers."""
    willingness = facts.last_outcome.willingness if facts.last_outcome else ""
    if willingness == "refuses" and settings.refuses_points:
        return [Reason("refuses", "refuses to pay", "拒绝还款", settings.refuses_points)]
    if willingness == "avoids_contact" and settings.avoids_contact_points:
        return [
            Reason("avoids_contact", "avoids contact", "回避联系", settings.avoids_contact_points)
        ]
    if (
        willingness == "cooperative"
        and settings.cooperative_discount
        and arrangement_on_track(facts, on=on) is not None
    ):
        return [
            Reason(
                "cooperative",
                "cooperative, keeping an arrangement",
                "配合还款，正在履行承诺或协议",
                -settings.cooperative_discount,
            )
        ]
    return []


def arrangement_on_track(facts: BorrowerFacts, *, on: date) -> Reason | None:
    """An open promise not yet due on `on`, or a running agreement with no missed
    instalment: the reason `arrangement_on_track` (no points), else None."""
    promises = sorted(
        p.due_date
        for p in facts.promises
        if p.status == PromiseStatus.open and p.due_date >= on and p.paid_fen < p.amount_fen
    )
    if promises:
        day = promises[0].isoformat()
        return Reason(HELD, f"promise due {day} open", f"承诺{day}还款，尚未到期", 0)
    if any(a.status in RUNNING_AGREEMENTS and not a.missed_lines for a in facts.agreements):
        return Reason(HELD, "instalment agreement on track", "分期还款协议正常履行", 0)
    return None


def _broken_since_met(facts: BorrowerFacts, *, on: date) -> bool:
    """A promise or agreement broken (or an instalment missed, or an open promise past due)
    since the borrower was last met: brings them back at once."""
    met = facts.last_contact
    return (
        any(
            (p.status == PromiseStatus.open and p.due_date < on and p.paid_fen < p.amount_fen)
            or (p.status == PromiseStatus.broken and (met is None or p.due_date >= met))
            for p in facts.promises
        )
        or any(a.status in RUNNING_AGREEMENTS and a.missed_lines for a in facts.agreements)
        or any(
            a.status == AgreementStatus.broken
            and (met is None or a.status_changed_on is None or a.status_changed_on >= met)
            for a in facts.agreements
        )
    )


def held_back(facts: BorrowerFacts, *, on: date) -> Reason | None:
    """Why the borrower is not visited on `on` (an arrangement on track), or None."""
    if _broken_since_met(facts, on=on):
        return None
    return arrangement_on_track(facts, on=on)


def candidate(
    facts: BorrowerFacts,
    *,
    today: date,
    settings: PrioritySettings,
    plan_date: date | None = None,
    include_held: bool = False,
) -> Scored | None:
    """The borrower's score for a visit on `plan_date` (default today), or None when the
    rules say not to visit: no eligible loan, visited recently (unless a follow-up is due),
    or an arrangement on track (unless `include_held`: then marked held, with the reason)."""
    on = plan_date or today
    due = follow_up_due(facts, on=on)
    if due is None and recently_visited(facts.last_visit, today=today, settings=settings):
        return None
    # A follow-up the officer asked for counts any overdue loan, even below min_dpd.
    loans = eligible_loans(facts.loans, settings) or (
        overdue_loans(facts.loans) if due is not None else []
    )
    if not loans:
        return None
    scored = score(facts, today=today, settings=settings, loans=loans, plan_date=on)
    hold = held_back(facts, on=on)
    if hold is None:
        return scored
    if not include_held:
        return None
    return replace(scored, held=True, reasons=[*scored.reasons, hold])
