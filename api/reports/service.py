"""Gather the facts the KPIs are computed from, for one branch and a date range."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from api.errors import InvalidInput
from api.planning.priority import dpd_bucket
from api.reports.kpis import FeedbackFact, KpiRow, PromiseFact, VisitFact, compute
from api.reports.schemas import HardshipRow
from api.scoping import branch_column, branch_statement
from models import (
    Agreement,
    Borrower,
    Branch,
    FeedbackCall,
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


@dataclass
class _VisitSources:
    """Everything the facts of a set of visits are read from, each in one query."""

    teams: dict[uuid.UUID, list[str]] = field(default_factory=lambda: defaultdict(list))
    met: dict[uuid.UUID, bool] = field(default_factory=dict)
    promised: set[uuid.UUID | None] = field(default_factory=set)
    segments: dict[uuid.UUID, str] = field(default_factory=dict)
    loans: dict[uuid.UUID, Loan] = field(default_factory=dict)
    snapshots: dict[uuid.UUID, list[LoanSnapshot]] = field(
        default_factory=lambda: defaultdict(list)
    )
    payments: dict[uuid.UUID, list[Payment]] = field(default_factory=lambda: defaultdict(list))


def _visit_contacts(session: Session, ids: list[uuid.UUID], sources: _VisitSources) -> None:
    """Who went (team), whether the borrower was met (the latest outcome by `at` wins), and
    whether a promise or an agreement came of it."""
    for link in session.exec(select(VisitOfficer).where(col(VisitOfficer.visit_id).in_(ids))):
        sources.teams[link.visit_id].append(str(link.user_id))
    for outcome in session.exec(
        select(VisitOutcome)
        .where(col(VisitOutcome.visit_id).in_(ids))
        .order_by(col(VisitOutcome.at))
    ):
        sources.met[outcome.visit_id] = outcome.contact == "borrower"
    promises = select(Promise.visit_id).where(col(Promise.visit_id).in_(ids))
    agreements = select(Agreement.visit_id).where(col(Agreement.visit_id).in_(ids))
    sources.promised = set(session.exec(promises)) | set(session.exec(agreements))


def _loan_history(
    session: Session, loan_ids: set[uuid.UUID], *, paid_after: date, paid_by: date
) -> _VisitSources:
    """The loans, their snapshots in date order and their payments in the window."""
    sources = _VisitSources()
    sources.loans = {
        loan.id: loan for loan in session.exec(select(Loan).where(col(Loan.id).in_(loan_ids)))
    }
    for snap in session.exec(
        select(LoanSnapshot)
        .where(col(LoanSnapshot.loan_id).in_(loan_ids))
        .order_by(col(LoanSnapshot.as_of), col(LoanSnapshot.id))
    ):
        sources.snapshots[snap.loan_id].append(snap)
    for payment in session.exec(
        select(Payment).where(
            col(Payment.loan_id).in_(loan_ids),
            col(Payment.paid_on) > paid_after,
            col(Payment.paid_on) <= paid_by,
        )
    ):
        sources.payments[payment.loan_id].append(payment)
    return sources


def _loan_outcomes(
    loans: list[Loan], sources: _VisitSources, *, visited: date, until: date
) -> tuple[int, int, int, int]:
    """Overdue amount and worst DPD of the loans at the visit (their last snapshot before
    it, else the loan as it is), then what was paid and how many loans were cured after."""
    overdue = worst_dpd = recovered = cured = 0
    for loan in loans:
        history = sources.snapshots.get(loan.id, [])
        before = [s for s in history if s.as_of <= visited]
        at_visit = before[-1] if before else loan
        overdue += at_visit.overdue_fen
        worst_dpd = max(worst_dpd, at_visit.dpd)
        payments = sources.payments.get(loan.id, [])
        recovered += sum(p.amount_fen for p in payments if visited < p.paid_on <= until)
        cured += any(s.dpd == 0 and visited < s.as_of <= until for s in history)
    return overdue, worst_dpd, recovered, cured


def _visit_fact(visit: Visit, sources: _VisitSources) -> VisitFact:
    until = visit.plan_date + timedelta(days=AFTER_VISIT_DAYS)
    loans = [sources.loans[uuid.UUID(i)] for i in visit.loan_ids if uuid.UUID(i) in sources.loans]
    overdue, worst_dpd, recovered, cured = _loan_outcomes(
        loans, sources, visited=visit.plan_date, until=until
    )
    return VisitFact(
        visit_id=str(visit.id),
        officer_ids=tuple(sources.teams.get(visit.id, [str(visit.officer_id)])),
        plan_date=visit.plan_date,
        completed=visit.status == VisitStatus.done,
        met=sources.met.get(visit.id, False),
        promised=visit.id in sources.promised,
        bucket=dpd_bucket(worst_dpd),
        segment=str(sources.segments.get(visit.borrower_id, "")),
        overdue_fen=overdue,
        recovered_fen=recovered,
        loans=len(loans),
        cured_loans=cured,
        distance_m=visit.leg_distance_m or 0,
    )


def visit_facts(
    session: Session, *, branch_id: uuid.UUID, date_from: date, date_to: date
) -> list[VisitFact]:
    """One fact per visit planned in the range (cancelled ones left out), with what the
    loans did in the 30 days after it."""
    visits = list(
        session.exec(
            branch_statement(Visit, branch_id).where(
                col(Visit.plan_date) >= date_from,
                col(Visit.plan_date) <= date_to,
                Visit.status != VisitStatus.cancelled,
            )
        )
    )
    if not visits:
        return []
    sources = _loan_history(
        session,
        {uuid.UUID(i) for v in visits for i in v.loan_ids},
        paid_after=date_from,
        paid_by=date_to + timedelta(days=AFTER_VISIT_DAYS),
    )
    _visit_contacts(session, [v.id for v in visits], sources)
    borrower_ids = {v.borrower_id for v in visits}
    sources.segments = dict(
        session.exec(
            select(Borrower.id, Borrower.segment).where(col(Borrower.id).in_(borrower_ids))
        ).all()
    )
    return [_visit_fact(visit, sources) for visit in visits]


def promise_facts(
    session: Session, *, branch_id: uuid.UUID, date_from: date, date_to: date
) -> list[PromiseFact]:
    rows = session.exec(
        select(Promise, Loan.dpd, Borrower.segment)
        .join(Loan, col(Loan.id) == Promise.loan_id)
        .join(Borrower, col(Borrower.id) == Promise.borrower_id)
        .where(
            branch_column(Borrower) == branch_id,
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


def feedback_facts(
    session: Session, *, branch_id: uuid.UUID, date_from: date, date_to: date
) -> list[FeedbackFact]:
    """Answered follow-up calls about the branch's visits planned in the range."""
    rows = session.exec(
        select(FeedbackCall, col(Visit.plan_date))
        .join(Visit, col(Visit.id) == FeedbackCall.visit_id)
        .where(
            FeedbackCall.branch_id == branch_id,
            FeedbackCall.status == "done",
            col(Visit.plan_date) >= date_from,
            col(Visit.plan_date) <= date_to,
        )
    )
    return [
        FeedbackFact(
            officer_id=str(call.officer_id),
            plan_date=plan_date,
            courteous=bool(call.courteous),
            lawful=bool(call.lawful),
            explained=bool(call.explained),
            satisfied=int(call.satisfied or 0),
        )
        for call, plan_date in rows
    ]


def kpi_report(
    *, session: Session, branch: Branch, date_from: date, date_to: date, group_by: str
) -> list[KpiRow]:
    """Every KPI of each group over the branch's visits and promises in the range."""
    _check_range(date_from, date_to)
    cost = int(
        (branch.settings.get("reports") or {}).get("cost_per_km_fen", DEFAULT_COST_PER_KM_FEN)
    )
    try:
        return compute(
            visit_facts(session, branch_id=branch.id, date_from=date_from, date_to=date_to),
            promise_facts(session, branch_id=branch.id, date_from=date_from, date_to=date_to),
            group_by=group_by,
            cost_per_km_fen=cost,
            feedback=feedback_facts(
                session, branch_id=branch.id, date_from=date_from, date_to=date_to
            ),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def group_labels(session: Session, *, branch_id: uuid.UUID, group_by: str) -> dict[str, str]:
    """Readable names for officer ids; other groupings are already readable."""
    if group_by != "officer":
        return {}
    return {str(u.id): u.full_name for u in session.exec(branch_statement(User, branch_id))}


def hardship_breakdown(
    *, session: Session, branch_id: uuid.UUID, date_from: date, date_to: date
) -> list[HardshipRow]:
    """How often each hardship reason was recorded on the branch's visits in the range."""
    _check_range(date_from, date_to)
    counts: dict[str, int] = defaultdict(int)
    for reasons in session.exec(
        select(VisitOutcome.hardship_reasons)
        .join(Visit, col(Visit.id) == VisitOutcome.visit_id)
        .where(
            branch_column(Visit) == branch_id,
            col(Visit.plan_date) >= date_from,
            col(Visit.plan_date) <= date_to,
        )
    ):
        for code in reasons or []:
            counts[code] += 1
    labels = {r.code: r for r in session.exec(select(HardshipReason))}
    total = sum(counts.values())
    return [
        HardshipRow(
            code=code,
            label_zh=labels[code].label_zh if code in labels else code,
            label_en=labels[code].label_en if code in labels else code,
            count=count,
            share=count / total if total else None,
        )
        for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
