"""Which visits and borrowers a user may read: a manager their branch; an officer the
visits they are on the team of, and those visits' borrowers. Rows outside answer 404, as
if they did not exist."""

from __future__ import annotations

import uuid

from sqlalchemy import exists
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from api.errors import NotFound
from api.scoping import branch_statement, get_in_branch
from models import Borrower, Visit, VisitOfficer
from models.enums import Role, VisitStatus
from models.org import User


def team_visit_ids(officer_id: uuid.UUID) -> SelectOfScalar[uuid.UUID]:
    """The ids of the visits an officer is on the team of."""
    return select(VisitOfficer.visit_id).where(VisitOfficer.user_id == officer_id)


def readable_visits(user: User, *, officer_id: uuid.UUID | None = None) -> SelectOfScalar[Visit]:
    """The visits a user may list: an officer's own; a manager's branch, or one officer's
    visits in it when `officer_id` is given."""
    statement = branch_statement(Visit, user.branch_id)
    team_of = user.id if user.role == Role.officer else officer_id
    if team_of is not None:
        statement = statement.where(col(Visit.id).in_(team_visit_ids(team_of)))
    return statement


def officer_has_borrower(session: Session, *, officer: User, borrower_id: uuid.UUID) -> bool:
    """Whether the officer is on the team of a (not cancelled) visit to the borrower."""
    query = select(
        exists().where(
            col(Visit.borrower_id) == borrower_id,
            col(Visit.status) != VisitStatus.cancelled,
            col(Visit.id) == col(VisitOfficer.visit_id),
            col(VisitOfficer.user_id) == officer.id,
        )
    )
    return bool(session.exec(query).one())


def get_readable_borrower(session: Session, *, user: User, borrower_id: uuid.UUID) -> Borrower:
    borrower = get_in_branch(
        session, Borrower, borrower_id, branch_id=user.branch_id, missing="No such borrower."
    )
    if user.role == Role.officer and not officer_has_borrower(
        session, officer=user, borrower_id=borrower_id
    ):
        raise NotFound("No such borrower among your visits.")
    return borrower


def get_readable_visit(session: Session, *, user: User, visit_id: uuid.UUID) -> Visit:
    """A visit of the user's branch; for an officer, one of theirs that is not cancelled."""
    visit = get_in_branch(
        session, Visit, visit_id, branch_id=user.branch_id, missing="No such visit."
    )
    if user.role == Role.officer:
        on_team = session.get(VisitOfficer, (visit_id, user.id))
        if on_team is None or visit.status == VisitStatus.cancelled:
            raise NotFound("No such visit among yours.")
    return visit
