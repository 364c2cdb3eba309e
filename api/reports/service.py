"""Gather the facts the KPIs are computed from, for one branch and a date range."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from api.errors import InvalidInput
from api.planning.priority import dpd_bucket
from api.reports.kpis import KpiRow, PromiseFact, VisitFact, compute
from models import (
    Agreement,
    Borrower,
    Branch,
    HardshipReason,
    Loan,
    LoanSnapshot,
    Payment,
    Promise,
    User,
    Visit,
    VisitOfficer,
    VisitOutcome,
)
from models.enums import PromiseStatus, VisitStatus

AFTER_VISIT_DAYS = 30
MAX_RANGE_DAYS = 366
DEFAULT_COST_PER_KM_FEN = 150


def _check_range(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise InvalidInput("`to` is before `from`: swap the dates.")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"Report at most {MAX_RANGE_DAYS} days at once.")


def visit_facts(
    session: Session, *, branch_id: uuid.UUID, date_from: date, date_to: date
) -> list[VisitFact]:
    visits = list(
        session.exec(
            select(Visit).where(
                Visit.branch_id == branch_id,
                col(Visit.plan_date) >= date_from,
                col(Visit.plan_date) <= date_to,
                Visit.status != VisitStatus.cancelled,
            )
        )
    )
    if not visits:
        return []
    ids = [v.id for v in visits]
    teams: dict[uuid.UUID, list[str]] = defaultdict(list)
    for link in session.exec(select(VisitOfficer).where(col(VisitOfficer.visit_id).in_(ids))):
        teams[link.visit_id].append(str(link.user_id))
    met: dict[uuid.UUID, bool] = {}
    for outcome in session.exec(
        select(VisitOutcome)
        .where(col(VisitOutcome.visit_id).in_(ids))
        .order_by(col(VisitOutcome.at))
    ):
        met[outcome.visit_id] = outcome.contact == "borrower"  # the latest by `at` wins
    promised = set(
        session.exec(select(Promise.visit_id).where(col(Promise.visit_id).in_(ids)))
    ) | set(session.exec(select(Agreement.visit_id).where(col(Agreement.visit_id).in_(ids))))
    segments = dict(
        session.exec(
            select(Borrower.id, Borrower.segment).where(
                col(Borrower.id).in_({v.borrower_id for v in visits})
            )
        ).all()
    )
    loan_ids = {uuid.UUID(i) for v in visits for i in v.loan_ids}
    loans = {loan.id: loan for loan in session.exec(select(Loan).where(col(Loan.id).in_(loan_ids)))}
    snapshots: dict[uuid.UUID, list[LoanSnapshot]] = defaultdict(list)
    for snap in session.exec(
        select(LoanSnapshot)
        .where(col(LoanSnapshot.loan_id).in_(loan_ids))
        .order_by(col(LoanSnapshot.as_of), col(LoanSnapshot.id))
    ):
        snapshots[snap.loan_id].append(snap)
    payments: dict[uuid.UUID, list[Payment]] = defaultdict(list)
    for payment in session.exec(
        select(Payment).where(
            col(Payment.loan_id).in_(loan_ids),
            col(Payment.paid_on) > date_from,
            col(Payment.paid_on) <= date_to + timedelta(days=AFTER_VISIT_DAYS),
        )
    ):
        payments[payment.loan_id].append(payment)

    facts = []
    for visit in visits:
        window_end = visit.plan_date + timedelta(days=AFTER_VISIT_DAYS)
        overdue = recovered = cured = worst_dpd = 0
        mine = [loans[uuid.UUID(i)] for i in visit.loan_ids if uuid.UUID(i) in loans]
        for loan in mine:
            history = snapshots.get(loan.id, [])
            before = [s for s in history if s.as_of <= visit.plan_date]
            at_visit = (
                (before[-1].overdue_fen, before[-1].dpd)
                if before
                else (
                    loan.overdue_fen,
                    loan.dpd,
                )
            )
            overdue += at_visit[0]
            worst_dpd = max(worst_dpd, at_visit[1])
            recovered += sum(
                p.amount_fen
                for p in payments.get(loan.id, [])
                if visit.plan_date < p.paid_on <= window_end
            )
            cured += any(s.dpd == 0 and visit.plan_date < s.as_of <= window_end for s in history)
        facts.append(
            VisitFact(
                visit_id=str(visit.id),
                officer_ids=tuple(teams.get(visit.id, [str(visit.officer_id)])),
                plan_date=visit.plan_date,
                completed=visit.status == VisitStatus.done,
                met=met.get(visit.id, False),
                promised=visit.id in promised,
                bucket=dpd_bucket(worst_dpd),
                segment=str(segments.get(visit.borrower_id, "")),
                overdue_fen=overdue,
                recovered_fen=recovered,
                loans=len(mine),
                cured_loans=cured,
                distance_m=visit.leg_distance_m or 0,
            )
        )
    return facts


def promise_facts(
    session: Session, *, branch_id: uuid.UUID, date_from: date, date_to: date
) -> list[PromiseFact]:
    rows = session.exec(
        select(Promise, Loan.dpd, Borrower.segment)
        .join(Loan, col(Loan.id) == Promise.loan_id)
        .join(Borrower, col(Borrower.id) == Promise.borrower_id)
        .where(
            Borrower.branch_id == branch_id,
            col(Promise.due_date) >= date_from,
            col(Promise.due_date) <= date_to,
            col(Promise.status).in_([PromiseStatus.kept, PromiseStatus.broken]),
        )
    )
    return [
        PromiseFact(
            officer_id=str(promise.officer_id),
            bucket=dpd_bucket(dpd),
            segment=str(segment),
            due_date=promise.due_date,
            kept=promise.status == PromiseStatus.kept,
        )
        for promise, dpd, segment in rows
    ]


def kpi_report(
    *,
    session: Session,
    manager: User,
    date_from: date,
    date_to: date,
    group_by: str,
) -> list[KpiRow]:
    _check_range(date_from, date_to)
    branch = session.get(Branch, manager.branch_id)
    cost = int(
        ((branch.settings if branch else {}).get("reports") or {}).get(
            "cost_per_km_fen", DEFAULT_COST_PER_KM_FEN
        )
    )
    try:
        return compute(
            visit_facts(session, branch_id=manager.branch_id, date_from=date_from, date_to=date_to),
            promise_facts(
                session, branch_id=manager.branch_id, date_from=date_from, date_to=date_to
            ),
            group_by=group_by,
            cost_per_km_fen=cost,
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def group_labels(session: Session, *, manager: User, group_by: str) -> dict[str, str]:
    """Readable names for officer ids; other groupings are already readable."""
    if group_by != "officer":
        return {}
    return {
        str(u.id): u.full_name
        for u in session.exec(select(User).where(User.branch_id == manager.branch_id))
    }


def hardship_breakdown(
    *, session: Session, manager: User, date_from: date, date_to: date
) -> list[dict[str, Any]]:
    """How often each hardship reason was recorded on the branch's visits in the range."""
    _check_range(date_from, date_to)
    counts: dict[str, int] = defaultdict(int)
    for reasons in session.exec(
        select(VisitOutcome.hardship_reasons)
        .join(Visit, col(Visit.id) == VisitOutcome.visit_id)
        .where(
            Visit.branch_id == manager.branch_id,
            col(Visit.plan_date) >= date_from,
            col(Visit.plan_date) <= date_to,
        )
    ):
        for code in reasons or []:
            counts[code] += 1
    labels = {r.code: r for r in session.exec(select(HardshipReason))}
    total = sum(counts.values())
    return [
        {
            "code": code,
            "label_zh": labels[code].label_zh if code in labels else code,
            "label_en": labels[code].label_en if code in labels else code,
            "count": count,
            "share": count / total if total else None,
        }
        for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
