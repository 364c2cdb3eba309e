"""Who may see what: an officer sees the borrowers of visits assigned to them; a manager
sees their branch. Other branches' rows answer 404, as if they did not exist."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select

from api.errors import NotFound
from models import Borrower, Visit, VisitOfficer
from models.enums import Role, VisitStatus
from models.org import User


def visible_visit_ids_query(officer: User) -> Any:
    return select(VisitOfficer.visit_id).where(VisitOfficer.user_id == officer.id)


def officer_has_borrower(session: Session, *, officer: User, borrower_id: uuid.UUID) -> bool:
    query = select(
        exists().where(
            col(Visit.borrower_id) == borrower_id,
            col(Visit.status) != VisitStatus.cancelled,
            col(Visit.id) == col(VisitOfficer.visit_id),
            col(VisitOfficer.user_id) == officer.id,
        )
    )
    return bool(session.exec(query).one())


def get_visible_borrower(session: Session, *, user: User, borrower_id: uuid.UUID) -> Borrower:
    borrower = session.get(Borrower, borrower_id)
    if borrower is None or borrower.branch_id != user.branch_id:
        raise NotFound("No such borrower.")
    if user.role == Role.officer and not officer_has_borrower(
        session, officer=user, borrower_id=borrower_id
    ):
        raise NotFound("No such borrower among your visits.")
    return borrower


def get_visible_visit(session: Session, *, user: User, visit_id: uuid.UUID) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None or visit.branch_id != user.branch_id:
        raise NotFound("No such visit.")
    if user.role == Role.officer:
        on_team = session.get(VisitOfficer, (visit_id, user.id))
        if on_team is None or visit.status == VisitStatus.cancelled:
            raise NotFound("No such visit among yours.")
    return visit
