"""Which agreements and promises a caller may read: the statements every query starts from.

People read by the borrower's branch: a manager reads the branch's agreements and promises;
an officer reads an agreement as they read its visit (on its team now, visit not cancelled),
whoever signed it. Anything else answers 404, as if it did not exist. Tracking against
payments reads by the loan's branch, as payments are imported per loan.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import exists
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from api.errors import NotFound
from api.scoping import branch_column
from models import (
    Agreement,
    AgreementLine,
    Borrower,
    Loan,
    Promise,
    User,
    Visit,
    VisitOfficer,
)
from models.enums import Role, VisitStatus

CHUNK = 500  # ids per IN (...) query

K = TypeVar("K")


def chunks(values: Sequence[K], size: int = CHUNK) -> Iterable[Sequence[K]]:
    """`values` in slices small enough for one `IN (...)` each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- read by people (the borrower's branch) ---------------------------------------------


def branch_agreements(branch_id: uuid.UUID) -> SelectOfScalar[Agreement]:
    """The agreements of the branch's borrowers."""
    return (
        select(Agreement)
        .join(Borrower, col(Borrower.id) == col(Agreement.borrower_id))
        .where(branch_column(Borrower) == branch_id)
    )


def _visit_readable(officer: User) -> Any:
    """The agreement's visit is one the officer may read (api.visits.repository): they are
    on its team now and it is not cancelled. Having signed it is not enough: an officer
    the visit was taken from reads it no more than the visit."""
    return exists().where(
        col(VisitOfficer.visit_id) == col(Agreement.visit_id),
        col(VisitOfficer.user_id) == officer.id,
        col(Visit.id) == col(Agreement.visit_id),
        col(Visit.status) != VisitStatus.cancelled,
    )


def readable_agreements(user: User) -> SelectOfScalar[Agreement]:
    """The agreements `user` may read: a manager the branch's, an officer those of the
    visits they may read."""
    statement = branch_agreements(user.branch_id)
    if user.role == Role.officer:
        statement = statement.where(_visit_readable(user))
    return statement


def get_agreement(
    *, session: Session, user: User, agreement_id: uuid.UUID, lock: bool = False
) -> Agreement:
    """The agreement if `user` may read it (locked for a decision with `lock`), else 404."""
    statement = readable_agreements(user).where(col(Agreement.id) == agreement_id)
    if lock:
        statement = statement.with_for_update(of=Agreement)
    agreement = session.exec(statement).first()
    if agreement is None:
        raise NotFound(_not_found(session, user, agreement_id))
    return agreement


def _not_found(session: Session, user: User, agreement_id: uuid.UUID) -> str:
    # An officer asking for an agreement of the branch that is not theirs is told so.
    in_branch = (
        user.role == Role.officer
        and session.exec(
            branch_agreements(user.branch_id).where(col(Agreement.id) == agreement_id)
        ).first()
        is not None
    )
    return "No such agreement among your visits." if in_branch else "No such agreement."


def agreement_rows(branch_id: uuid.UUID) -> Select[Agreement, Borrower, str, str]:
    """The branch's agreements with the borrower, account number and officer name, newest
    first."""
    return (
        select(Agreement, Borrower, Loan.account_number, User.full_name)
        .join(Borrower, col(Borrower.id) == col(Agreement.borrower_id))
        .join(Loan, col(Loan.id) == col(Agreement.loan_id))
        .join(User, col(User.id) == col(Agreement.officer_id))
        .where(branch_column(Borrower) == branch_id)
        .order_by(col(Agreement.signed_at).desc(), col(Agreement.id))
    )


def promise_rows(branch_id: uuid.UUID) -> Select[Promise, str, str, str]:
    """The branch's promises with the borrower, account number and officer names, by due
    date."""
    return (
        select(Promise, Borrower.name, Loan.account_number, User.full_name)
        .join(Borrower, col(Borrower.id) == col(Promise.borrower_id))
        .join(Loan, col(Loan.id) == col(Promise.loan_id))
        .join(User, col(User.id) == col(Promise.officer_id))
        .where(branch_column(Borrower) == branch_id)
        .order_by(col(Promise.due_date), col(Promise.made_at), col(Promise.id))
    )


# --- read for tracking (the loan's branch) ----------------------------------------------


def loan_branch_promises(branch_id: uuid.UUID) -> SelectOfScalar[Promise]:
    """The promises on loans of the branch."""
    return (
        select(Promise)
        .join(Loan, col(Loan.id) == col(Promise.loan_id))
        .where(branch_column(Loan) == branch_id)
    )


def loan_branch_agreements(branch_id: uuid.UUID) -> SelectOfScalar[Agreement]:
    """The agreements on loans of the branch."""
    return (
        select(Agreement)
        .join(Loan, col(Loan.id) == col(Agreement.loan_id))
        .where(branch_column(Loan) == branch_id)
    )


# --- what belongs to an agreement -------------------------------------------------------


def agreement_lines(session: Session, agreement_id: uuid.UUID) -> list[AgreementLine]:
    """The schedule of one agreement, in order."""
    return list(
        session.exec(
            select(AgreementLine)
            .where(AgreementLine.agreement_id == agreement_id)
            .order_by(col(AgreementLine.seq))
        )
    )


def lines_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[AgreementLine]]:
    """The schedules of many agreements, each in order."""
    found: dict[uuid.UUID, list[AgreementLine]] = defaultdict(list)
    for chunk in chunks(list(ids)):
        for line in session.exec(
            select(AgreementLine)
            .where(col(AgreementLine.agreement_id).in_(chunk))
            .order_by(col(AgreementLine.agreement_id), col(AgreementLine.seq))
        ):
            found[line.agreement_id].append(line)
    return found


def superseded_by(session: Session, agreement_id: uuid.UUID) -> uuid.UUID | None:
    """The newest agreement that names this one in `supersedes_id`."""
    return session.exec(
        select(Agreement.id)
        .where(Agreement.supersedes_id == agreement_id)
        .order_by(col(Agreement.signed_at).desc())
    ).first()
