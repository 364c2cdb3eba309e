"""Writing imports: upserts, idempotence, branch isolation, batched lookups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import event
from sqlmodel import Session, col, select

from api.imports import service
from api.imports.parse import parse_loans, parse_payments
from models import AuditEvent, Borrower, Loan, Payment
from models.enums import LoanStatus, Role, Segment
from tests.conftest import FIXED_NOW
from tests.factories import make_branch, make_user
from tests.imports.samples import (
    LOAN_HEADERS_EN,
    PAYMENT_HEADERS_EN,
    bulk_loan_rows,
    csv_bytes,
    loan_row,
    payment_row,
)

KEY = "test-key"


def _import(
    session: Session,
    branch_id: UUID,
    rows: list[dict[str, Any]],
    headers: Sequence[str] = LOAN_HEADERS_EN,
) -> service.ImportReport:
    parsed = parse_loans(csv_bytes(rows, headers), id_key=KEY)
    return service.import_loans(
        session=session, branch_id=branch_id, actor_id=None, rows=parsed, now=FIXED_NOW
    )


def _versions(session: Session, branch_id: UUID) -> dict[str, int]:
    session.expire_all()
    loans = session.exec(select(Loan).where(Loan.branch_id == branch_id)).all()
    borrowers = session.exec(select(Borrower).where(Borrower.branch_id == branch_id)).all()
    return {f"loan:{x.account_number}": x.version for x in loans} | {
        f"borrower:{x.id}": x.version for x in borrowers
    }


def test_first_import_creates_and_reimport_changes_nothing(session: Session) -> None:
    branch = make_branch(session)
    rows = [loan_row(1), loan_row(2), loan_row(2, account_number="62100777"), loan_row(3)]
    report = _import(session, branch.id, rows)
    assert (report.created, report.updated, report.unchanged, report.failed) == (4, 0, 0, 0)
    borrowers = session.exec(select(Borrower).where(Borrower.branch_id == branch.id)).all()
    assert len(borrowers) == 3  # the second loan of borrower 2 shares the borrower
    before = _versions(session, branch.id)

    again = _import(session, branch.id, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert _versions(session, branch.id) == before


def test_changed_rows_update_only_what_changed(session: Session) -> None:
    branch = make_branch(session)
    _import(session, branch.id, [loan_row(1), loan_row(2)])
    before = _versions(session, branch.id)
    changed = [loan_row(1, dpd="75", overdue_amount="40,000"), loan_row(2, phone="13912345678")]
    report = _import(session, branch.id, changed)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
    after = _versions(session, branch.id)
    loan1 = session.exec(
        select(Loan).where(Loan.account_number == loan_row(1)["account_number"])
    ).one()
    assert loan1.dpd == 75 and loan1.overdue_fen == 4_000_000
    assert after[f"loan:{loan1.account_number}"] == before[f"loan:{loan1.account_number}"] + 1
    loan2 = session.exec(
        select(Loan).where(Loan.account_number == loan_row(2)["account_number"])
    ).one()
    borrower2 = session.get(Borrower, loan2.borrower_id)
    assert borrower2 is not None and borrower2.phone == "13912345678"
    assert after[f"loan:{loan2.account_number}"] == before[f"loan:{loan2.account_number}"]
    assert after[f"borrower:{borrower2.id}"] == before[f"borrower:{borrower2.id}"] + 1


def test_columns_missing_from_the_file_keep_stored_values(session: Session) -> None:
    branch = make_branch(session)
    _import(session, branch.id, [loan_row(1, segment="小微企业主")])
    headers = [h for h in LOAN_HEADERS_EN if h not in ("village", "lat", "lon", "segment")]
    report = _import(session, branch.id, [loan_row(1)], headers=headers)
    assert report.unchanged == 1
    borrower = session.exec(select(Borrower).where(Borrower.branch_id == branch.id)).one()
    assert borrower.segment == Segment.small_business
    assert borrower.lat is not None and borrower.village == loan_row(1)["village"]


def test_an_account_of_another_branch_is_a_row_error_and_untouched(session: Session) -> None:
    mine, theirs = make_branch(session), make_branch(session)
    _import(session, theirs.id, [loan_row(1)])
    before = _versions(session, theirs.id)
    report = _import(session, mine.id, [loan_row(1, dpd="99"), loan_row(2)])
    assert report.created == 1 and report.failed == 1
    error = report.errors[0]
    assert error.row == 2 and error.column == "account_number"
    assert "another branch" in error.message
    assert _versions(session, theirs.id) == before
    # The borrower with the same ID number in another branch is a different record.
    assert (
        session.exec(select(Borrower).where(Borrower.branch_id == mine.id)).all()[0].name
        == "借款人2"
    )


def test_status_follows_the_balance_but_legal_is_kept(session: Session) -> None:
    branch = make_branch(session)
    _import(session, branch.id, [loan_row(1), loan_row(2)])
    legal = session.exec(
        select(Loan).where(Loan.account_number == loan_row(2)["account_number"])
    ).one()
    legal.status = LoanStatus.legal
    session.flush()
    _import(
        session,
        branch.id,
        [loan_row(1, outstanding="0", overdue_amount="0"), loan_row(2, dpd="50")],
    )
    session.expire_all()
    statuses = {
        loan.account_number: loan.status
        for loan in session.exec(select(Loan).where(Loan.branch_id == branch.id))
    }
    assert statuses[loan_row(1)["account_number"]] == LoanStatus.closed
    assert statuses[loan_row(2)["account_number"]] == LoanStatus.legal


def test_import_writes_one_audit_event(session: Session) -> None:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    parsed = parse_loans(csv_bytes([loan_row(1)]), id_key=KEY)
    service.import_loans(
        session=session,
        branch_id=branch.id,
        actor_id=manager.id,
        rows=parsed,
        now=FIXED_NOW,
        source="a.csv",
    )
    events = session.exec(select(AuditEvent).where(AuditEvent.branch_id == branch.id)).all()
    assert [(e.action, e.actor_id, e.data["created"], e.data["source"]) for e in events] == [
        ("import.loans", manager.id, 1, "a.csv")
    ]


def test_lookups_are_batched_not_per_row(session: Session) -> None:
    branch = make_branch(session)
    rows = bulk_loan_rows(1500)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        first = _import(session, branch.id, rows)
        again = _import(session, branch.id, rows)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert first.created == 1500 and again.unchanged == 1500
    assert len(statements) < 20, statements[:30]


def _pay(session: Session, branch_id: UUID, rows: list[dict[str, Any]]) -> service.ImportReport:
    parsed = parse_payments(csv_bytes(rows, PAYMENT_HEADERS_EN))
    return service.import_payments(
        session=session, branch_id=branch_id, actor_id=None, rows=parsed, now=FIXED_NOW
    )


def test_payments_are_idempotent_by_reference(session: Session) -> None:
    branch = make_branch(session)
    _import(session, branch.id, [loan_row(1), loan_row(2)])
    a1, a2 = loan_row(1)["account_number"], loan_row(2)["account_number"]
    rows = [payment_row(1, a1), payment_row(2, a2, amount="20.05"), payment_row(3, a1)]
    first = _pay(session, branch.id, rows)
    assert (first.created, first.unchanged, first.failed) == (3, 0, 0)
    again = _pay(session, branch.id, [*rows, payment_row(4, a2)])
    assert (again.created, again.unchanged, again.failed) == (1, 3, 0)
    payments = session.exec(
        select(Payment).where(col(Payment.reference).in_([r["reference"] for r in rows]))
    ).all()
    assert sorted(p.amount_fen for p in payments) == [2005, 150_000, 150_000]


def test_payment_row_errors_from_the_database(session: Session) -> None:
    branch, other = make_branch(session), make_branch(session)
    _import(session, branch.id, [loan_row(1)])
    _import(session, other.id, [loan_row(2)])
    a1, a2 = loan_row(1)["account_number"], loan_row(2)["account_number"]
    _pay(session, branch.id, [payment_row(1, a1)])
    future = (FIXED_NOW.date() + timedelta(days=5)).isoformat()
    report = _pay(
        session,
        branch.id,
        [
            payment_row(1, a1, amount="99"),  # the same reference, different amount
            payment_row(2, "NO-SUCH"),  # unknown account
            payment_row(3, a2),  # another branch's account
            payment_row(4, a1, paid_on=future),
            payment_row(5, a1, paid_on=date(2026, 11, 1).isoformat()),
        ],
    )
    assert report.created == 1 and report.unchanged == 0
    assert [(e.row, e.column) for e in sorted(report.errors, key=lambda e: e.row)] == [
        (2, "reference"),
        (3, "account_number"),
        (4, "account_number"),
        (5, "paid_on"),
    ]
    assert "1,500 CNY" in report.errors[0].message


def test_rows_of_one_borrower_that_disagree_do_not_flip_on_reimport(session: Session) -> None:
    branch = make_branch(session)
    rows = [
        loan_row(1, segment="农户"),
        loan_row(1, account_number="62100888", segment="个体工商户"),
    ]
    _import(session, branch.id, rows)
    before = _versions(session, branch.id)
    again = _import(session, branch.id, rows)
    assert again.unchanged == 2 and _versions(session, branch.id) == before
    borrower = session.exec(select(Borrower).where(Borrower.branch_id == branch.id)).one()
    assert borrower.segment == Segment.farmer  # the first row describes the borrower
