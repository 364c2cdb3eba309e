"""The compliance report: every breach of the policy in a period, by kind; the target of
each count is zero.

A visit's check-in and outcomes were checked against the policy in force when the phone
pushed them, and their flags were stored with the policy version: the report reads those
flags (it does not re-judge old visits by today's policy). Overdue check-outs also count
visits still not checked out past the limit, and the overdue alerts raised for them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api.compliance import rules
from api.compliance.service import current_policy
from api.errors import InvalidInput, NotFound
from models import Borrower, Branch, SafetyAlert, User, Visit, VisitEvent, VisitOutcome
from models.enums import VisitEventKind

MAX_DAYS = 366
KINDS = ("outside_hours", "single_staff", "frequency", "overdue_checkout", "third_party")
# Which stored flags put a visit in which kind.
CHECK_IN_KINDS = {
    rules.OUTSIDE_LAWFUL_HOURS: "outside_hours",
    rules.HOLIDAY: "outside_hours",
    rules.BELOW_MIN_STAFF: "single_staff",
    rules.VISIT_FREQUENCY: "frequency",
}
LABELS = {
    "outside_hours": ("Visits outside visiting hours or on a holiday", "非合规时间走访"),
    "single_staff": ("Visits with fewer staff than the policy asks", "人员不足的走访"),
    "frequency": ("Visits more often than the policy allows", "超频次走访"),
    "overdue_checkout": ("Check-outs later than the policy allows", "签退超时"),
    "third_party": ("Possible disclosure of the debt to a third party", "可能向第三方透露债务"),
}


@dataclass
class Breach:
    kind: str
    visit_id: uuid.UUID
    plan_date: date
    borrower_id: uuid.UUID
    borrower_name: str
    officer_id: uuid.UUID
    officer_name: str
    at: datetime | None
    local_time: str
    codes: list[str]
    policy_version: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "visit_id": self.visit_id,
            "plan_date": self.plan_date,
            "borrower_id": self.borrower_id,
            "borrower_name": self.borrower_name,
            "officer_id": self.officer_id,
            "officer_name": self.officer_name,
            "at": self.at,
            "local_time": self.local_time,
            "codes": self.codes,
            "policy_version": self.policy_version,
        }


@dataclass
class ComplianceReport:
    date_from: date
    date_to: date
    policy_version: int
    items: dict[str, list[Breach]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def as_dict(self) -> dict[str, Any]:
        counts = {k: len(v) for k, v in self.items.items()}
        return {
            "from": self.date_from,
            "to": self.date_to,
            "policy_version": self.policy_version,
            "target": 0,
            "counts": counts,
            "total": sum(counts.values()),
            "on_target": not any(counts.values()),
            "labels": {k: {"en": en, "zh": zh} for k, (en, zh) in LABELS.items()},
            "items": {k: [b.as_dict() for b in v] for k, v in self.items.items()},
        }

    def rows(self) -> list[dict[str, Any]]:
        return [b.as_dict() | {"codes": ", ".join(b.codes)} for k in KINDS for b in self.items[k]]


def compliance_report(
    *, session: Session, manager: User, date_from: date, date_to: date, now: datetime
) -> ComplianceReport:
    """Breaches on visits planned from `date_from` to `date_to` (inclusive)."""
    if date_to < date_from:
        raise InvalidInput("`to` is before `from`: give the period's first day, then its last.")
    if (date_to - date_from).days >= MAX_DAYS:
        raise InvalidInput(f"Ask for at most {MAX_DAYS} days at a time.")
    branch = session.get(Branch, manager.branch_id)
    if branch is None:
        raise NotFound("Your branch no longer exists.")
    policy = current_policy(session, branch)
    tz = ZoneInfo(branch.timezone)
    report = ComplianceReport(date_from, date_to, policy.version)
    visits = {
        v.id: v
        for v in session.exec(
            select(Visit).where(
                Visit.branch_id == branch.id,
                col(Visit.plan_date) >= date_from,
                col(Visit.plan_date) <= date_to,
                col(Visit.checked_in_at).is_not(None),
            )
        )
    }
    if not visits:
        return report
    ids = list(visits)
    borrowers = dict(
        session.exec(
            select(Borrower.id, Borrower.name).where(
                col(Borrower.id).in_({v.borrower_id for v in visits.values()})
            )
        ).all()
    )
    names = dict(
        session.exec(select(User.id, User.full_name).where(User.branch_id == branch.id)).all()
    )

    def add(
        kind: str,
        visit: Visit,
        officer_id: uuid.UUID,
        at: datetime | None,
        codes: list[str],
        version: int | None,
    ) -> None:
        if any(b.visit_id == visit.id for b in report.items[kind]):
            return  # one line per visit and kind (two phones may check in)
        report.items[kind].append(
            Breach(
                kind=kind,
                visit_id=visit.id,
                plan_date=visit.plan_date,
                borrower_id=visit.borrower_id,
                borrower_name=borrowers.get(visit.borrower_id, ""),
                officer_id=officer_id,
                officer_name=names.get(officer_id, ""),
                at=at,
                local_time=f"{at.astimezone(tz):%Y-%m-%d %H:%M}" if at else "",
                codes=codes,
                policy_version=version,
            )
        )

    events = session.exec(
        select(VisitEvent).where(col(VisitEvent.visit_id).in_(ids)).order_by(col(VisitEvent.at))
    ).all()
    for event in events:
        visit = visits[event.visit_id]
        if event.kind == VisitEventKind.check_in:
            by_kind: dict[str, list[str]] = {}
            for code in event.flags:
                if code in CHECK_IN_KINDS:
                    by_kind.setdefault(CHECK_IN_KINDS[code], []).append(code)
            for kind, codes in by_kind.items():
                add(kind, visit, event.officer_id, event.at, codes, event.policy_version)
        elif rules.OVERDUE_CHECKOUT in event.flags:
            add(
                "overdue_checkout",
                visit,
                event.officer_id,
                event.at,
                [rules.OVERDUE_CHECKOUT],
                event.policy_version,
            )
    # Still out past the limit, or an overdue alert was raised (its visit later closed).
    limit = timedelta(minutes=policy.checkout_overdue_minutes)
    alerted = {
        a.visit_id: a
        for a in session.exec(
            select(SafetyAlert).where(
                col(SafetyAlert.visit_id).in_(ids), SafetyAlert.kind == "overdue_checkout"
            )
        )
    }
    for visit in visits.values():
        alert = alerted.get(visit.id)
        checked_in_at = visit.checked_in_at
        assert checked_in_at is not None
        if alert is not None:
            add(
                "overdue_checkout",
                visit,
                alert.officer_id,
                alert.at,
                [rules.OVERDUE_CHECKOUT],
                None,
            )
        elif visit.checked_out_at is None and now - checked_in_at > limit:
            add(
                "overdue_checkout",
                visit,
                visit.officer_id,
                checked_in_at,
                [rules.OVERDUE_CHECKOUT],
                policy.version,
            )
    for outcome in session.exec(
        select(VisitOutcome)
        .where(col(VisitOutcome.visit_id).in_(ids))
        .order_by(col(VisitOutcome.at))
    ):
        if rules.THIRD_PARTY_DISCLOSURE in outcome.flags:
            add(
                "third_party",
                visits[outcome.visit_id],
                outcome.officer_id,
                outcome.at,
                [rules.THIRD_PARTY_DISCLOSURE],
                outcome.policy_version,
            )
    for breaches in report.items.values():
        breaches.sort(key=lambda b: (b.plan_date, b.local_time, str(b.visit_id)))
    return report
