"""Write imported loans, borrowers and payments: upserts by natural key, in one transaction.

Lookups are batched (the branch's loans and borrowers in one query each), so a 20,000-row
file needs a handful of queries, not one per row. A row is only written when something in it
changed, so importing the same file again changes nothing (versions stay as they are).
Services flush; the caller (the request, or the CLI) commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api.audit import record_audit
from api.imports.parse import LoanRow, ParseResult, PaymentRow, RowError, format_yuan
from models import Borrower, Branch, Loan, Payment
from models.enums import LoanStatus, Segment

LOOKUP_CHUNK = 500  # keys per IN (...) query: far below SQLite's and PostgreSQL's limits
FLUSH_EVERY = 2000  # rows per flush: bounded memory and a progress bar that moves

Progress = Callable[[int], None]
K = TypeVar("K")


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Rows not imported because something in them is wrong."""
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "errors": [e.as_dict() for e in sorted(self.errors, key=lambda e: e.row)],
        }


def _chunks(values: Sequence[K], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[K]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set only the attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _loan_status(current: LoanStatus | None, outstanding_fen: int) -> LoanStatus:
    """Nothing outstanding closes a loan; a closed loan with a balance is active again. A loan
    in legal proceedings stays there until it is closed (the bank decides, not the export)."""
    if outstanding_fen == 0:
        return LoanStatus.closed
    if current is None or current == LoanStatus.closed:
        return LoanStatus.active
    return current


def import_loans(
    *,
    session: Session,
    branch_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    rows: ParseResult[LoanRow],
    now: datetime,
    source: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Upsert loans by account number and borrowers by national-ID hash within the branch.

    An account that belongs to another branch is a row error and is never touched. Borrower
    fields missing from the file (village, location, segment) keep their stored values.
    """
    report = ImportReport(rows=rows.total, errors=list(rows.errors))
    loans = {
        loan.account_number: loan
        for loan in session.exec(select(Loan).where(Loan.branch_id == branch_id))
    }
    borrowers = {
        b.national_id_hash: b
        for b in session.exec(select(Borrower).where(Borrower.branch_id == branch_id))
    }
    unknown = [r.account_number for r in rows.rows if r.account_number not in loans]
    elsewhere: set[str] = set()
    for chunk in _chunks(unknown):
        elsewhere.update(
            session.exec(
                select(Loan.account_number).where(
                    col(Loan.account_number).in_(chunk), Loan.branch_id != branch_id
                )
            )
        )

    new_loans: list[Loan] = []
    changed_borrowers: set[uuid.UUID] = set()
    seen_borrowers: set[str] = set()
    pending = 0
    for row in rows.rows:
        if row.account_number in elsewhere:
            report.errors.append(
                RowError(
                    row.row,
                    rows.column("account_number"),
                    f"account {row.account_number} belongs to another branch; it was not "
                    "imported. Remove the row or ask that branch.",
                )
            )
            if progress:
                progress(1)
            continue
        borrower = borrowers.get(row.national_id_hash)
        borrower_changed = False
        if borrower is None:
            borrower = Borrower(
                branch_id=branch_id,
                national_id_hash=row.national_id_hash,
                national_id_masked=row.national_id_masked,
                name=row.borrower_name,
                phone=row.phone,
                address=row.address,
                village=row.village or "",
                lat=row.lat if row.has_location else None,
                lon=row.lon if row.has_location else None,
                segment=row.segment or Segment.individual_trader,
                created_at=now,
                updated_at=now,
            )
            session.add(borrower)
            borrowers[row.national_id_hash] = borrower
            changed_borrowers.add(borrower.id)
        elif row.national_id_hash not in seen_borrowers:
            # Only the borrower's first row in the file describes them, so rows that disagree
            # (a phone, a segment) cannot flip the borrower back and forth on every import.
            values: dict[str, Any] = {
                "name": row.borrower_name,
                "phone": row.phone,
                "address": row.address,
                "national_id_masked": row.national_id_masked,
            }
            if row.village is not None:
                values["village"] = row.village
            if row.has_location:
                values["lat"], values["lon"] = row.lat, row.lon
            if row.segment is not None:
                values["segment"] = row.segment
            if _assign(borrower, values):
                borrower.updated_at = now
                borrower_changed = True
                changed_borrowers.add(borrower.id)
        seen_borrowers.add(row.national_id_hash)
        loan_values: dict[str, Any] = {
            "borrower_id": borrower.id,
            "product": row.product,
            "principal_fen": row.principal_fen,
            "outstanding_fen": row.outstanding_fen,
            "overdue_fen": row.overdue_fen,
            "dpd": row.dpd,
            "last_payment_date": row.last_payment_date,
        }
        loan = loans.get(row.account_number)
        if loan is None:
            loan = Loan(
                branch_id=branch_id,
                account_number=row.account_number,
                status=_loan_status(None, row.outstanding_fen),
                imported_at=now,
                **loan_values,
            )
            new_loans.append(loan)
            loans[row.account_number] = loan
            report.created += 1
        else:
            loan_values["status"] = _loan_status(loan.status, row.outstanding_fen)
            if _assign(loan, loan_values):
                loan.imported_at = now
                report.updated += 1
            elif borrower_changed:
                report.updated += 1
            else:
                report.unchanged += 1
        pending += 1
        if progress:
            progress(1)
        if pending >= FLUSH_EVERY:
            _flush_loans(session, new_loans)
            pending = 0
    _flush_loans(session, new_loans)
    record_audit(
        session,
        at=now,
        action="import.loans",
        entity="branch",
        entity_id=branch_id,
        actor_id=actor_id,
        branch_id=branch_id,
        data={
            "source": source[:200],
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "failed": report.failed,
            "borrowers_written": len(changed_borrowers),
        },
    )
    session.flush()
    return report


def _flush_loans(session: Session, new_loans: list[Loan]) -> None:
    # Borrowers first (new loans point at them), then the loans: two flushes keep the foreign
    # keys satisfied without relying on the unit of work to order unrelated mappers.
    session.flush()
    if new_loans:
        session.add_all(new_loans)
        session.flush()
        new_loans.clear()


def import_payments(
    *,
    session: Session,
    branch_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    rows: ParseResult[PaymentRow],
    now: datetime,
    source: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Add payments by core-banking reference; a reference already imported is unchanged
    (or a row error when the file now says something different about it)."""
    report = ImportReport(rows=rows.total, errors=list(rows.errors))
    loans = {
        number: loan_id
        for number, loan_id in session.exec(
            select(Loan.account_number, Loan.id).where(Loan.branch_id == branch_id)
        )
    }
    accounts = {loan_id: number for number, loan_id in loans.items()}
    existing: dict[str, Payment] = {}
    references = [r.reference for r in rows.rows]
    for chunk in _chunks(references):
        for payment in session.exec(select(Payment).where(col(Payment.reference).in_(chunk))):
            existing[payment.reference] = payment
    branch = session.get(Branch, branch_id)
    zone = ZoneInfo(branch.timezone if branch is not None else "Asia/Shanghai")
    latest = now.astimezone(zone).date() + timedelta(days=1)
    new: list[Payment] = []
    for row in rows.rows:
        if progress:
            progress(1)
        loan_id = loans.get(row.account_number)
        if loan_id is None:
            report.errors.append(
                RowError(
                    row.row,
                    rows.column("account_number"),
                    f"account {row.account_number} is not a loan of this branch; import the "
                    "loans first or remove the row",
                )
            )
            continue
        if row.paid_on > latest:
            report.errors.append(
                RowError(
                    row.row,
                    rows.column("paid_on"),
                    f"{row.paid_on} is in the future; check the date",
                )
            )
            continue
        found = existing.get(row.reference)
        if found is not None:
            same = (
                found.loan_id == loan_id
                and found.paid_on == row.paid_on
                and found.amount_fen == row.amount_fen
            )
            if same:
                report.unchanged += 1
            else:
                where = accounts.get(found.loan_id, "another branch's account")
                report.errors.append(
                    RowError(
                        row.row,
                        rows.column("reference"),
                        f"reference {row.reference} was already imported for {where} on "
                        f"{found.paid_on} ({format_yuan(found.amount_fen)} CNY); a payment "
                        "never changes, so check the row",
                    )
                )
            continue
        payment = Payment(
            loan_id=loan_id,
            reference=row.reference,
            paid_on=row.paid_on,
            amount_fen=row.amount_fen,
            imported_at=now,
        )
        new.append(payment)
        existing[row.reference] = payment
        report.created += 1
        if len(new) >= FLUSH_EVERY:
            session.add_all(new)
            session.flush()
            new.clear()
    session.add_all(new)
    record_audit(
        session,
        at=now,
        action="import.payments",
        entity="branch",
        entity_id=branch_id,
        actor_id=actor_id,
        branch_id=branch_id,
        data={
            "source": source[:200],
            "rows": report.rows,
            "created": report.created,
            "unchanged": report.unchanged,
            "failed": report.failed,
        },
    )
    session.flush()
    return report
