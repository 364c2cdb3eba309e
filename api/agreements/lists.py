"""The manager's lists of agreements and promises, with their filters, and the row of one
agreement as the detail view and the printed copy show it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import exists
from sqlmodel import Session, col
from sqlmodel.sql.expression import Select

from api.agreements import repository
from models import Agreement, AgreementLine, Borrower, Loan, Promise, User
from models.enums import ScheduleLineStatus


@dataclass(frozen=True)
class Filters:
    status: list[str] = field(default_factory=list)
    officer_id: uuid.UUID | None = None
    borrower_id: uuid.UUID | None = None
    due_from: date | None = None
    due_to: date | None = None


@dataclass
class AgreementRow:
    agreement: Agreement
    borrower_name: str
    national_id_masked: str
    account_number: str
    officer_name: str
    lines: list[AgreementLine]

    @property
    def paid_fen(self) -> int:
        return self.agreement.down_payment_paid_fen + sum(line.paid_fen for line in self.lines)

    @property
    def missed_lines(self) -> int:
        return sum(1 for line in self.lines if line.status == ScheduleLineStatus.missed)

    @property
    def next_due_date(self) -> date | None:
        due = [line.due_date for line in self.lines if line.status != ScheduleLineStatus.paid]
        return min(due) if due else None


@dataclass
class PromiseRow:
    promise: Promise
    borrower_name: str
    account_number: str
    officer_name: str


Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def _shared_filters(query: Query, model: type[Agreement | Promise], filters: Filters) -> Query:
    """Status, officer and borrower: the filters both lists take the same way."""
    if filters.status:
        query = query.where(col(model.status).in_(filters.status))
    if filters.officer_id is not None:
        query = query.where(col(model.officer_id) == filters.officer_id)
    if filters.borrower_id is not None:
        query = query.where(col(model.borrower_id) == filters.borrower_id)
    return query


def list_agreements(
    *, session: Session, branch_id: uuid.UUID, filters: Filters
) -> list[AgreementRow]:
    """The branch's agreements, newest first. `due_from`/`due_to` keep agreements with a
    schedule line due in that range."""
    query = _shared_filters(repository.agreement_rows(branch_id), Agreement, filters)
    if filters.due_from is not None or filters.due_to is not None:
        line_due = [col(AgreementLine.agreement_id) == col(Agreement.id)]
        if filters.due_from is not None:
            line_due.append(col(AgreementLine.due_date) >= filters.due_from)
        if filters.due_to is not None:
            line_due.append(col(AgreementLine.due_date) <= filters.due_to)
        query = query.where(exists().where(*line_due))
    rows = session.exec(query).all()
    lines = repository.lines_of(session, [row[0].id for row in rows])
    return [
        AgreementRow(
            agreement,
            borrower.name,
            borrower.national_id_masked,
            account,
            officer,
            lines.get(agreement.id, []),
        )
        for agreement, borrower, account, officer in rows
    ]


def list_promises(*, session: Session, branch_id: uuid.UUID, filters: Filters) -> list[PromiseRow]:
    """The branch's promises to pay, by due date."""
    query = _shared_filters(repository.promise_rows(branch_id), Promise, filters)
    if filters.due_from is not None:
        query = query.where(col(Promise.due_date) >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(col(Promise.due_date) <= filters.due_to)
    return [PromiseRow(*row) for row in session.exec(query).all()]


def agreement_row(session: Session, agreement: Agreement) -> AgreementRow:
    """One agreement (already read through `repository.get_agreement`) with its names and
    schedule."""
    borrower = session.get(Borrower, agreement.borrower_id)
    loan = session.get(Loan, agreement.loan_id)
    officer = session.get(User, agreement.officer_id)
    return AgreementRow(
        agreement,
        borrower.name if borrower else "",
        borrower.national_id_masked if borrower else "",
        loan.account_number if loan else "",
        officer.full_name if officer else "",
        repository.agreement_lines(session, agreement.id),
    )
