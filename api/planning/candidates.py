"""Candidates: the borrowers of a branch worth a visit, best first, each with the reasons
for its priority.

The facts the priority rules read (loans, promises, agreements, last contact, last visit)
are gathered for the whole branch in a handful of queries; scoring is pure
(`priority.py`); the policy's frequency rule leaves out borrowers visited too recently.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, not_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from api.agreements.service import agreement_facts
from api.compliance import rules as compliance
from api.compliance.policy import Policy
from api.compliance.service import current_policy
from api.errors import InvalidInput, NotFound
from api.planning import priority
from api.planning.repository import of_branch, replaceable_visit
from api.planning.schemas import CandidateFilters, CandidatePublic, ReasonPublic
from api.planning.settings import branch_zone, priority_settings
from api.public import from_record
from api.scoping import get_branch
from api.visits.assessment import VISIT_FOLLOW_UPS
from api.visits.contacts import SKIP_PHRASES
from models import (
    Borrower,
    Branch,
    ContactLog,
    Loan,
    Promise,
    User,
    Visit,
    VisitOfficer,
    VisitOutcome,
)
from models.enums import Contact, LoanStatus, PromiseStatus, VisitStatus

# Visits that count as "visited" for the priority rules and the frequency rule.
COUNTS_AS_VISITED = (VisitStatus.done, VisitStatus.checked_in, VisitStatus.planned)
MAX_PLAN_AHEAD_DAYS = 366


@dataclass
class Candidate:
    borrower: Borrower
    scored: priority.Scored
    last_visit: date | None
    last_contact: date | None

    @property
    def clerk_key(self) -> tuple[str, str]:
        """Import order as a clerk sees it: the core-banking export lists accounts in order."""
        accounts = sorted(loan.account_number for loan in self.scored.loans)
        return (accounts[0] if accounts else "~", str(self.borrower.id))


@dataclass
class _Facts:
    borrower: Borrower
    facts: priority.BorrowerFacts

    def candidate(self, scored: priority.Scored) -> Candidate:
        return Candidate(self.borrower, scored, self.facts.last_visit, self.facts.last_contact)


Found = dict[uuid.UUID, _Facts]


# ---------------------------------------------------------------------------------------------
# Facts


def gather_facts(
    session: Session,
    *,
    branch: Branch,
    settings: priority.PrioritySettings,
    today: date,
    borrower_ids: Sequence[uuid.UUID] | None = None,
) -> Found:
    """Everything the priority rules read, in a handful of queries for the whole branch:
    borrowers with a loan late enough (or the `borrower_ids` given, late or not)."""
    found = _with_loans(session, branch_id=branch.id, settings=settings, borrower_ids=borrower_ids)
    if not found:
        return found
    zone = branch_zone(branch)
    in_branch = select(Borrower.id).where(of_branch(Borrower, branch.id))
    scope: Any = list(borrower_ids) if borrower_ids is not None else in_branch
    since = today - timedelta(days=settings.promise_lookback_days)
    _add_promises(session, found, scope=scope, since=since)
    agreements = agreement_facts(session=session, borrower_ids=scope, zone=zone, since=since)
    for borrower_id, facts in agreements.items():
        if borrower_id in found:
            found[borrower_id].facts.agreements = facts
    _add_last_contacts(session, found, branch_id=branch.id, scope=scope, zone=zone)
    _add_last_visits(session, found, branch_id=branch.id, scope=scope)
    _add_calls(session, found, scope=scope, zone=zone)
    _add_skips(session, found, branch_id=branch.id, scope=scope, since=since)
    _add_last_outcomes(session, found, branch_id=branch.id, scope=scope)
    return found


def _latest_outcomes(branch_id: uuid.UUID, scope: Any) -> Any:
    """Each borrower's latest outcome (by when it was recorded), as a subquery."""
    return (
        sa_select(
            col(Visit.borrower_id).label("borrower_id"),
            col(Visit.plan_date).label("visit_day"),
            col(VisitOutcome.next_action).label("action"),
            col(VisitOutcome.follow_up_on).label("due"),
            col(VisitOutcome.willingness).label("willingness"),
            func.row_number()
            .over(
                partition_by=col(Visit.borrower_id),
                order_by=(col(VisitOutcome.at).desc(), col(VisitOutcome.id).desc()),
            )
            .label("rank"),
        )
        .join(Visit, col(Visit.id) == col(VisitOutcome.visit_id))
        .where(of_branch(Visit, branch_id), col(Visit.borrower_id).in_(scope))
        .subquery()
    )


def _add_last_outcomes(session: Session, found: Found, *, branch_id: uuid.UUID, scope: Any) -> None:
    """The next action, follow-up date and willingness of each borrower's latest outcome."""
    latest = _latest_outcomes(branch_id, scope)
    rows = session.execute(
        sa_select(
            latest.c.borrower_id,
            latest.c.action,
            latest.c.due,
            latest.c.visit_day,
            latest.c.willingness,
        ).where(latest.c.rank == 1)
    ).all()
    for borrower_id, action, due, visit_day, willingness in rows:
        if borrower_id in found:
            found[borrower_id].facts.last_outcome = priority.FollowUpFacts(
                action=action, due=due, visit_day=visit_day, willingness=willingness
            )


def follow_ups_due(session: Session, *, branch_id: uuid.UUID, day: date) -> set[uuid.UUID]:
    """Borrowers whose latest outcome asks for a revisit or payment check due by `day`
    (found whatever their DPD: the officer asked)."""
    in_branch = select(Borrower.id).where(of_branch(Borrower, branch_id))
    latest = _latest_outcomes(branch_id, in_branch)
    rows = session.execute(
        sa_select(latest.c.borrower_id).where(
            latest.c.rank == 1,
            latest.c.due <= day,
            latest.c.action.in_(sorted(VISIT_FOLLOW_UPS)),
        )
    ).scalars()
    return set(rows)


def _with_loans(
    session: Session,
    *,
    branch_id: uuid.UUID,
    settings: priority.PrioritySettings,
    borrower_ids: Sequence[uuid.UUID] | None,
) -> Found:
    """The borrowers and their open loans (not with the lawyers, not closed)."""
    query = (
        select(Loan, Borrower)
        .join(Borrower, col(Borrower.id) == col(Loan.borrower_id))
        .where(
            of_branch(Loan, branch_id),
            col(Loan.status).not_in([LoanStatus.legal, LoanStatus.closed]),
        )
    )
    if borrower_ids is None:
        query = query.where(Loan.dpd >= settings.min_dpd)
    else:
        query = query.where(col(Loan.borrower_id).in_(list(borrower_ids)))
    found: Found = {}
    for loan, borrower in session.exec(query):
        _entry(found, borrower).facts.loans.append(_loan_facts(loan))
    if borrower_ids is not None:
        # Borrowers picked by hand are scored even without an open loan.
        for borrower in session.exec(
            select(Borrower).where(
                col(Borrower.id).in_(list(borrower_ids)), of_branch(Borrower, branch_id)
            )
        ):
            _entry(found, borrower)
    return found


def _entry(found: Found, borrower: Borrower) -> _Facts:
    return found.setdefault(
        borrower.id, _Facts(borrower=borrower, facts=priority.BorrowerFacts(loans=[]))
    )


def _loan_facts(loan: Loan) -> priority.LoanFacts:
    return priority.LoanFacts(
        id=str(loan.id),
        account_number=loan.account_number,
        dpd=loan.dpd,
        overdue_fen=loan.overdue_fen,
        outstanding_fen=loan.outstanding_fen,
        status=loan.status,
    )


def _add_promises(session: Session, found: Found, *, scope: Any, since: date) -> None:
    """Open promises, and promises broken since `since`."""
    promises = session.exec(
        select(Promise).where(
            col(Promise.borrower_id).in_(scope),
            or_(
                col(Promise.status) == PromiseStatus.open,
                and_(col(Promise.status) == PromiseStatus.broken, col(Promise.due_date) >= since),
            ),
        )
    )
    for promise in promises:
        if promise.borrower_id in found:
            found[promise.borrower_id].facts.promises.append(
                priority.PromiseFacts(
                    due_date=promise.due_date,
                    status=promise.status,
                    amount_fen=promise.amount_fen,
                    paid_fen=promise.paid_fen,
                )
            )


def _add_last_contacts(
    session: Session, found: Found, *, branch_id: uuid.UUID, scope: Any, zone: ZoneInfo
) -> None:
    """The last day each borrower was met in a visit (in the branch's time zone)."""
    contacts = session.exec(
        select(Visit.borrower_id, func.max(VisitOutcome.at))
        .join(Visit, col(Visit.id) == col(VisitOutcome.visit_id))
        .where(
            of_branch(Visit, branch_id),
            col(Visit.borrower_id).in_(scope),
            VisitOutcome.contact == Contact.borrower,
        )
        .group_by(col(Visit.borrower_id))
    )
    for borrower_id, at in contacts:
        if borrower_id in found and at is not None:
            found[borrower_id].facts.last_contact = at.astimezone(zone).date()


def _add_last_visits(session: Session, found: Found, *, branch_id: uuid.UUID, scope: Any) -> None:
    """The day of each borrower's latest visit that counts (not cancelled or skipped)."""
    visits = session.exec(
        select(Visit.borrower_id, func.max(Visit.plan_date))
        .where(
            of_branch(Visit, branch_id),
            col(Visit.borrower_id).in_(scope),
            col(Visit.status).in_(COUNTS_AS_VISITED),
        )
        .group_by(col(Visit.borrower_id))
    )
    for borrower_id, day in visits:
        if borrower_id in found:
            found[borrower_id].facts.last_visit = day


def _add_calls(session: Session, found: Found, *, scope: Any, zone: ZoneInfo) -> None:
    """A call the borrower answered is a contact too: the later of it and the last meeting."""
    calls = session.exec(
        select(ContactLog.borrower_id, func.max(ContactLog.at))
        .where(col(ContactLog.borrower_id).in_(scope), ContactLog.answered_by == Contact.borrower)
        .group_by(col(ContactLog.borrower_id))
    )
    for borrower_id, at in calls:
        if borrower_id in found and at is not None:
            facts = found[borrower_id].facts
            day = at.astimezone(zone).date()
            facts.last_contact = max(day, facts.last_contact or day)


def _add_skips(
    session: Session, found: Found, *, branch_id: uuid.UUID, scope: Any, since: date
) -> None:
    """Visits closed as skipped since `since` (the reason `skipped_<reason>`, repeated
    absence)."""
    rows = session.exec(
        select(col(Visit.borrower_id), col(Visit.plan_date), col(Visit.skip_reason)).where(
            of_branch(Visit, branch_id),
            col(Visit.borrower_id).in_(scope),
            Visit.status == VisitStatus.skipped,
            col(Visit.plan_date) >= since,
        )
    )
    for borrower_id, day, reason in rows:
        if borrower_id in found:
            phrase, phrase_zh = SKIP_PHRASES.get(reason, SKIP_PHRASES["other"])
            found[borrower_id].facts.skips.append(
                priority.SkipFacts(
                    day=day, reason=reason or "other", phrase=phrase, phrase_zh=phrase_zh
                )
            )


def visit_days(
    session: Session,
    *,
    branch_id: uuid.UUID,
    day: date,
    days: int,
    borrower_ids: Sequence[uuid.UUID] | None = None,
    replacing: bool = False,
) -> dict[uuid.UUID, tuple[date, ...]]:
    """Days of each borrower's visits (planned, checked in or done) less than `days` days
    from `day`, in one query: what the policy's frequency rule looks at. With `replacing`
    (a new plan for `day`), that day's visits a publish would replace do not count."""
    if days <= 0:
        return {}
    query = select(col(Visit.borrower_id), col(Visit.plan_date)).where(
        of_branch(Visit, branch_id),
        col(Visit.status).in_(COUNTS_AS_VISITED),
        col(Visit.plan_date) > day - timedelta(days=days),
        col(Visit.plan_date) < day + timedelta(days=days),
    )
    if replacing:
        query = query.where(not_(and_(col(Visit.plan_date) == day, replaceable_visit())))
    if borrower_ids is not None:
        query = query.where(col(Visit.borrower_id).in_(list(borrower_ids)))
    found: dict[uuid.UUID, set[date]] = {}
    for borrower_id, other in session.exec(query):
        found.setdefault(borrower_id, set()).add(other)
    return {b: tuple(sorted(d)) for b, d in found.items()}


def frequency_breach(
    policy: Policy, branch: Branch, day: date, other_days: tuple[date, ...]
) -> compliance.Violation | None:
    """The policy's frequency rule on a visit `day`, given the borrower's other visit days."""
    return compliance.visit_frequency(
        compliance.Context(
            policy=policy, tz=branch_zone(branch), day=day, other_visit_days=other_days
        )
    )


def _last_visited_with(
    session: Session, *, branch_id: uuid.UUID, officer_id: uuid.UUID
) -> set[uuid.UUID]:
    """Borrowers whose latest visit (not cancelled) had this officer on the team."""
    ranked = (
        select(
            col(Visit.id).label("visit_id"),
            col(Visit.borrower_id).label("borrower_id"),
            func.row_number()
            .over(
                partition_by=col(Visit.borrower_id),
                order_by=(col(Visit.plan_date).desc(), col(Visit.created_at).desc()),
            )
            .label("rank"),
        )
        .where(of_branch(Visit, branch_id), Visit.status != VisitStatus.cancelled)
        .subquery()
    )
    rows = session.exec(
        select(ranked.c.borrower_id)
        .join(VisitOfficer, col(VisitOfficer.visit_id) == ranked.c.visit_id)
        .where(ranked.c.rank == 1, VisitOfficer.user_id == officer_id)
    )
    return set(rows)


# ---------------------------------------------------------------------------------------------
# Candidates


def ranked_candidates(
    session: Session,
    *,
    branch: Branch,
    today: date,
    settings: priority.PrioritySettings,
    policy: Policy,
    day: date | None = None,
    replacing: bool = False,
    include_held: bool = False,
) -> list[Candidate]:
    """Borrowers to visit on `day` (default today), best first. Borrowers the priority rules
    leave out and those the policy's frequency rule forbids that day are not candidates
    (`replacing`: see `visit_days`); those an arrangement holds back are listed, marked
    held, only with `include_held`."""
    day = day or today
    found = gather_facts(session, branch=branch, settings=settings, today=today)
    extra = follow_ups_due(session, branch_id=branch.id, day=day) - found.keys()
    if extra:
        found.update(
            gather_facts(
                session, branch=branch, settings=settings, today=today, borrower_ids=sorted(extra)
            )
        )
    near = visit_days(
        session,
        branch_id=branch.id,
        day=day,
        days=policy.visit_frequency_days,
        replacing=replacing,
    )
    out: list[Candidate] = []
    for entry in found.values():
        other_days = near.get(entry.borrower.id, ())
        if other_days and frequency_breach(policy, branch, day, other_days):
            continue
        scored = priority.candidate(
            entry.facts, today=today, settings=settings, plan_date=day, include_held=include_held
        )
        if scored is not None:
            out.append(entry.candidate(scored))
    out.sort(
        key=lambda c: (-c.scored.score, -c.scored.overdue_fen, c.borrower.name, str(c.borrower.id))
    )
    return out


def picked_candidates(
    session: Session,
    *,
    branch: Branch,
    today: date,
    settings: priority.PrioritySettings,
    borrower_ids: Sequence[uuid.UUID],
) -> list[Candidate]:
    """Borrowers a manager picked by hand, in their order, scored over every loan with
    anything overdue; an id not in the branch answers 404."""
    wanted = list(dict.fromkeys(borrower_ids))
    found = gather_facts(
        session, branch=branch, settings=settings, today=today, borrower_ids=wanted
    )
    picks: list[Candidate] = []
    for borrower_id in wanted:
        entry = found.get(borrower_id)
        if entry is None:
            raise NotFound(f"No borrower {borrower_id} in your branch.")
        loans = priority.overdue_loans(entry.facts.loans)
        picks.append(
            entry.candidate(
                priority.score(entry.facts, today=today, settings=settings, loans=loans)
            )
        )
    return picks


def list_candidates(
    *, session: Session, manager: User, filters: CandidateFilters, now: datetime
) -> tuple[int, list[Candidate]]:
    """Borrowers of the branch that should be visited on the plan date (default: the next
    working day), best first: (total, page)."""
    branch = get_branch(session, manager.branch_id)
    today = now.astimezone(branch_zone(branch)).date()
    policy = current_policy(session, branch)
    day = filters.plan_date or next_working_day(today, policy)
    if not today <= day <= today + timedelta(days=MAX_PLAN_AHEAD_DAYS):
        raise InvalidInput(
            f"plan_date {day} must be from today ({today}) to {MAX_PLAN_AHEAD_DAYS} days ahead."
        )
    rows = ranked_candidates(
        session,
        branch=branch,
        today=today,
        settings=priority_settings(branch),
        policy=policy,
        day=day,
        include_held=filters.include_held,
    )
    rows = [c for c in rows if _matches(c, filters)]
    if filters.officer_id is not None:
        theirs = _last_visited_with(session, branch_id=branch.id, officer_id=filters.officer_id)
        rows = [c for c in rows if c.borrower.id in theirs]
    return len(rows), rows[filters.offset : filters.offset + filters.limit]


def next_working_day(today: date, policy: Policy) -> date:
    """The first day after `today` that is not one of the branch's holidays."""
    day = today + timedelta(days=1)
    while day in policy.holidays:
        day += timedelta(days=1)
    return day


def _matches(c: Candidate, filters: CandidateFilters) -> bool:
    """The filters other than the officer (which needs a query)."""
    overdue = c.scored.overdue_fen
    village = (filters.village or "").strip().lower()
    return (
        (filters.bucket is None or c.scored.bucket == filters.bucket)
        and (filters.min_overdue_fen is None or overdue >= filters.min_overdue_fen)
        and (filters.max_overdue_fen is None or overdue <= filters.max_overdue_fen)
        and (filters.segment is None or c.borrower.segment == filters.segment)
        and village in c.borrower.village.lower()
    )


def candidate_public(c: Candidate) -> CandidatePublic:
    """The borrower's own columns, with how their loans scored."""
    scored = c.scored
    return from_record(
        CandidatePublic,
        c.borrower,
        borrower_id=c.borrower.id,
        loan_ids=[uuid.UUID(loan.id) for loan in scored.loans],
        account_numbers=[loan.account_number for loan in scored.loans],
        overdue_fen=scored.overdue_fen,
        outstanding_fen=scored.outstanding_fen,
        dpd=scored.dpd,
        bucket=scored.bucket,
        score=scored.score,
        reasons=[ReasonPublic.model_validate(r.as_dict()) for r in scored.reasons],
        last_visit_on=c.last_visit,
        last_contact_on=c.last_contact,
        held=scored.held,
    )
