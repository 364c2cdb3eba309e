"""The compliance report: every breach of the policy in a period, by kind; the target of
each count is zero.

A visit's check-in and outcomes were checked against the policy in force when the phone
pushed them, and their flags were stored with the policy version: the report reads those
flags (it does not re-judge old visits by today's policy). Overdue check-outs also count
visits still not checked out past the limit, and the overdue alerts raised for them.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar, get_args
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api.compliance import rules
from api.compliance.policy import Policy
from api.compliance.schemas import (
    Breach,
    BreachKind,
    ComplaintSummary,
    ComplianceReportPublic,
    KindLabel,
)
from api.compliance.service import current_policy
from api.errors import InvalidInput
from api.scoping import branch_statement
from models import (
    Borrower,
    Branch,
    Complaint,
    SafetyAlert,
    User,
    Visit,
    VisitEvent,
    VisitOutcome,
)
from models.enums import VisitEventKind

MAX_DAYS = 366
Seen = TypeVar("Seen", VisitEvent, VisitOutcome)
KINDS: tuple[BreachKind, ...] = get_args(BreachKind)
# Which stored flags put a visit in which kind.
CHECK_IN_KINDS: dict[str, BreachKind] = {
    rules.OUTSIDE_LAWFUL_HOURS: "outside_hours",
    rules.HOLIDAY: "outside_hours",
    rules.BELOW_MIN_STAFF: "single_staff",
    rules.VISIT_FREQUENCY: "frequency",
}
LABELS: dict[BreachKind, KindLabel] = {
    "outside_hours": KindLabel(
        en="Visits outside visiting hours or on a holiday", zh="非合规时间走访"
    ),
    "single_staff": KindLabel(
        en="Visits with fewer staff than the policy asks", zh="人员不足的走访"
    ),
    "frequency": KindLabel(en="Visits more often than the policy allows", zh="超频次走访"),
    "overdue_checkout": KindLabel(en="Check-outs later than the policy allows", zh="签退超时"),
    "third_party": KindLabel(
        en="Possible disclosure of the debt to a third party", zh="可能向第三方透露债务"
    ),
}


def check_period(date_from: date, date_to: date, *, too_long: str) -> None:
    """A period runs forwards and spans fewer than MAX_DAYS days (`too_long` says so)."""
    if date_to < date_from:
        raise InvalidInput("`to` is before `from`: give the period's first day, then its last.")
    if (date_to - date_from).days >= MAX_DAYS:
        raise InvalidInput(too_long)


class Sighting(Protocol):
    """Who saw the breach, when, under which policy version: a check-in or check-out
    event, an outcome, or an `_Overdue` made up for a visit still out."""

    @property
    def officer_id(self) -> uuid.UUID: ...
    @property
    def at(self) -> datetime: ...
    @property
    def policy_version(self) -> int | None: ...


@dataclass(frozen=True)
class _Overdue:
    officer_id: uuid.UUID
    at: datetime
    policy_version: int | None


@dataclass
class ComplianceReport:
    """Breaches by kind, one line per visit and kind (two phones may check in)."""

    date_from: date
    date_to: date
    policy_version: int
    tz: ZoneInfo
    borrowers: dict[uuid.UUID, str] = field(default_factory=dict)
    names: dict[uuid.UUID, str] = field(default_factory=dict)
    items: dict[BreachKind, list[Breach]] = field(default_factory=lambda: {k: [] for k in KINDS})
    complaints: ComplaintSummary = field(default_factory=ComplaintSummary)

    def add(self, kind: BreachKind, visit: Visit, codes: list[str], seen: Sighting) -> None:
        """One line for the visit under `kind`, unless it has one already."""
        if any(b.visit_id == visit.id for b in self.items[kind]):
            return
        officer_id, at = seen.officer_id, seen.at
        self.items[kind].append(
            Breach(
                kind=kind,
                visit_id=visit.id,
                plan_date=visit.plan_date,
                borrower_id=visit.borrower_id,
                borrower_name=self.borrowers.get(visit.borrower_id, ""),
                officer_id=officer_id,
                officer_name=self.names.get(officer_id, ""),
                at=at,
                local_time=f"{at.astimezone(self.tz):%Y-%m-%d %H:%M}" if at else "",
                codes=codes,
                policy_version=seen.policy_version,
            )
        )

    def public(self) -> ComplianceReportPublic:
        counts = {k: len(v) for k, v in self.items.items()}
        return ComplianceReportPublic(
            date_from=self.date_from,
            date_to=self.date_to,
            policy_version=self.policy_version,
            target=0,
            counts=counts,
            total=sum(counts.values()),
            on_target=not any(counts.values()),
            labels=LABELS,
            items=self.items,
            complaints=self.complaints,
        )

    def rows(self) -> list[dict[str, Any]]:
        """One row per breach for the CSV file, the codes joined."""
        return [
            b.model_dump() | {"codes": ", ".join(b.codes)} for k in KINDS for b in self.items[k]
        ]


def _checked_in_visits(
    session: Session, *, branch_id: uuid.UUID, date_from: date, date_to: date
) -> dict[uuid.UUID, Visit]:
    return {
        v.id: v
        for v in session.exec(
            branch_statement(Visit, branch_id).where(
                col(Visit.plan_date) >= date_from,
                col(Visit.plan_date) <= date_to,
                col(Visit.checked_in_at).is_not(None),
            )
        )
    }


def _in_time_order(
    session: Session, model: type[Seen], visits: dict[uuid.UUID, Visit]
) -> Sequence[Seen]:
    """The events or outcomes of `visits`, oldest first (the first one seen makes the line)."""
    return session.exec(
        select(model).where(col(model.visit_id).in_(list(visits))).order_by(col(model.at))
    ).all()


def _event_breaches(
    session: Session, visits: dict[uuid.UUID, Visit], report: ComplianceReport
) -> None:
    """What the check-ins were flagged with, and check-outs flagged as overdue."""
    for event in _in_time_order(session, VisitEvent, visits):
        codes_by_kind: dict[BreachKind, list[str]] = {}
        if event.kind == VisitEventKind.check_in:
            for code in event.flags:
                if code in CHECK_IN_KINDS:
                    codes_by_kind.setdefault(CHECK_IN_KINDS[code], []).append(code)
        elif rules.OVERDUE_CHECKOUT in event.flags:
            codes_by_kind["overdue_checkout"] = [rules.OVERDUE_CHECKOUT]
        for kind, codes in codes_by_kind.items():
            report.add(kind, visits[event.visit_id], codes, event)


def _overdue_breaches(
    session: Session,
    visits: dict[uuid.UUID, Visit],
    report: ComplianceReport,
    *,
    policy: Policy,
    now: datetime,
) -> None:
    """Still out past the limit, or an overdue alert was raised (its visit later closed)."""
    limit = timedelta(minutes=policy.checkout_overdue_minutes)
    alerted = {
        a.visit_id: a
        for a in session.exec(
            select(SafetyAlert).where(
                col(SafetyAlert.visit_id).in_(list(visits)), SafetyAlert.kind == "overdue_checkout"
            )
        )
    }
    for visit in visits.values():
        alert = alerted.get(visit.id)
        checked_in_at = visit.checked_in_at
        assert checked_in_at is not None
        seen: Sighting
        if alert is not None:
            seen = _Overdue(alert.officer_id, alert.at, None)
        elif visit.checked_out_at is None and now - checked_in_at > limit:
            seen = _Overdue(visit.officer_id, checked_in_at, policy.version)
        else:
            continue
        report.add("overdue_checkout", visit, [rules.OVERDUE_CHECKOUT], seen)


def _outcome_breaches(
    session: Session, visits: dict[uuid.UUID, Visit], report: ComplianceReport
) -> None:
    """Outcomes flagged as a possible disclosure to a third party."""
    for outcome in _in_time_order(session, VisitOutcome, visits):
        if rules.THIRD_PARTY_DISCLOSURE in outcome.flags:
            codes = [rules.THIRD_PARTY_DISCLOSURE]
            report.add("third_party", visits[outcome.visit_id], codes, outcome)


def _local_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=tz)


def complaint_summary(
    session: Session, *, branch_id: uuid.UUID, start: datetime, end: datetime
) -> ComplaintSummary:
    """Complaints made from `start` to before `end`: how many, still open, by category, and
    the median hours from complaint to resolution."""
    rows = session.exec(
        select(Complaint).where(
            Complaint.branch_id == branch_id, col(Complaint.at) >= start, col(Complaint.at) < end
        )
    ).all()
    by_category: dict[str, int] = {}
    for row in rows:
        by_category[row.category] = by_category.get(row.category, 0) + 1
    hours = [
        (row.resolved_at - row.at).total_seconds() / 3600
        for row in rows
        if row.resolved_at is not None
    ]
    return ComplaintSummary(
        count=len(rows),
        open=sum(row.status == "open" for row in rows),
        median_hours_to_resolve=round(statistics.median(hours), 1) if hours else None,
        by_category=dict(sorted(by_category.items())),
    )


def compliance_report(
    *, session: Session, branch: Branch, date_from: date, date_to: date, now: datetime
) -> ComplianceReport:
    """Breaches on visits planned from `date_from` to `date_to` (inclusive)."""
    check_period(date_from, date_to, too_long=f"Ask for at most {MAX_DAYS} days at a time.")
    policy = current_policy(session, branch)
    report = ComplianceReport(date_from, date_to, policy.version, ZoneInfo(branch.timezone))
    report.complaints = complaint_summary(
        session,
        branch_id=branch.id,
        start=_local_start(date_from, report.tz),
        end=_local_start(date_to + timedelta(days=1), report.tz),
    )
    visits = _checked_in_visits(session, branch_id=branch.id, date_from=date_from, date_to=date_to)
    if not visits:
        return report
    borrower_ids = {v.borrower_id for v in visits.values()}
    report.borrowers = dict(
        session.exec(
            select(Borrower.id, Borrower.name).where(col(Borrower.id).in_(borrower_ids))
        ).all()
    )
    report.names = {u.id: u.full_name for u in session.exec(branch_statement(User, branch.id))}
    _event_breaches(session, visits, report)
    _overdue_breaches(session, visits, report, policy=policy, now=now)
    _outcome_breaches(session, visits, report)
    for breaches in report.items.values():
        breaches.sort(key=lambda b: (b.plan_date, b.local_time, str(b.visit_id)))
    return report
