"""Read models for visits and borrowers (what the phone records: writes.py; plans: planning)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from api.audit import record_audit
from api.scoping import branch_statement
from api.visits.repository import get_readable_borrower, get_readable_visit, readable_visits
from models import Borrower, HardshipReason, Loan, User, Visit, VisitOfficer


def team_ids(session: Session, visit_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    teams: dict[uuid.UUID, list[uuid.UUID]] = {v: [] for v in visit_ids}
    if not visit_ids:
        return teams
    rows = session.exec(
        select(VisitOfficer)
        .where(col(VisitOfficer.visit_id).in_(visit_ids))
        .order_by(col(VisitOfficer.is_lead).desc())
    )
    for link in rows:
        teams[link.visit_id].append(link.user_id)
    return teams


def list_visits(
    *,
    session: Session,
    user: User,
    plan_date: date | None = None,
    officer_id: uuid.UUID | None = None,
) -> list[tuple[Visit, list[uuid.UUID]]]:
    """An officer's own visits, or a manager's whole branch, in route order."""
    query = readable_visits(user, officer_id=officer_id)
    if plan_date is not None:
        query = query.where(Visit.plan_date == plan_date)
    visits = list(
        session.exec(
            query.order_by(col(Visit.plan_date), col(Visit.officer_id), col(Visit.route_position))
        )
    )
    teams = team_ids(session, [v.id for v in visits])
    return [(v, teams[v.id]) for v in visits]


def get_visit(
    *, session: Session, user: User, visit_id: uuid.UUID
) -> tuple[Visit, list[uuid.UUID]]:
    visit = get_readable_visit(session, user=user, visit_id=visit_id)
    return visit, team_ids(session, [visit.id])[visit.id]


def get_borrower(
    *,
    session: Session,
    user: User,
    borrower_id: uuid.UUID,
    now: datetime,
    device_id: uuid.UUID | None = None,
    client_address: str | None = None,
    location: tuple[float, float] | None = None,
) -> tuple[Borrower, list[Loan]]:
    """A borrower's full record. Every view is audited: who, which device, when, where."""
    borrower = get_readable_borrower(session, user=user, borrower_id=borrower_id)
    record_audit(
        session,
        at=now,
        action="borrower.view",
        entity="borrower",
        entity_id=borrower.id,
        actor_id=user.id,
        device_id=device_id,
        branch_id=borrower.branch_id,
        data={"client_address": client_address} if client_address else {},
        lat=location[0] if location else None,
        lon=location[1] if location else None,
    )
    loans = list(
        session.exec(
            select(Loan).where(Loan.borrower_id == borrower.id).order_by(col(Loan.dpd).desc())
        )
    )
    return borrower, loans


def list_hardship_reasons(*, session: Session, include_inactive: bool = False) -> list[Any]:
    query = select(HardshipReason).order_by(col(HardshipReason.sort_order))
    if not include_inactive:
        query = query.where(HardshipReason.active == True)  # noqa: E712
    return list(session.exec(query))


def list_branch_users(*, session: Session, manager: User) -> list[User]:
    return list(
        session.exec(branch_statement(User, manager.branch_id).order_by(col(User.username)))
    )
