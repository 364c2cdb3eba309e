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
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from api.audit import record_audit
from api.imports.parse import LoanRow, ParseResult, PaymentRow, RowError, format_yuan
from models import Borrower, Branch, Loan, LoanSnapshot, Payment
from models.enums import LoanStatus, Segment
from models.types import new_id

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


def _differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if current.get(name) != value}


def _loan_status(current: LoanStatus | str | None, outstanding_fen: int) -> LoanStatus:
    """Nothing outstanding closes a loan; a closed loan with a balance is active again. A loan
    in legal proceedings stays there until it is closed (the bank decides, not the export)."""
    if outstanding_fen == 0:
        return LoanStatus.closed
    if current is None or current == LoanStatus.closed:
        return LoanStatus.active
    return LoanStatus(current)


# The stored columns an import compares with the file (read as plain rows, not ORM objects:
# loading 40,000 SQLModel objects costs seconds; only the rows that changed are loaded).
LOAN_FIELDS = (
    "borrower_id",
    "product",
    "principal_fen",
    "outstanding_fen",
    "overdue_fen",
    "dpd",
    "last_payment_date",
    "status",
)
BORROWER_FIELDS = (
    "name",
    "phone",
    "address",
    "national_id_masked",
    "village",
    "lat",
    "lon",
    "segment",
)


def _stored(
    session: Session, model: Any, key: str, fields: Sequence[str], branch_id: uuid.UUID
) -> dict[str, tuple[uuid.UUID, dict[str, Any]]]:
    """natural key -> (id, {field: value}) for the branch's rows of `model`."""
    columns = [getattr(model, name) for name in (key, "id", *fields)]
    query = sa_select(*columns).where(model.branch_id == branch_id)
    return {
        row[0]: (row[1], dict(zip(fields, row[2:], strict=True)))
        for row in session.connection().execute(query)
    }


def _apply_updates(
    session: Session, model: Any, updates: dict[uuid.UUID, dict[str, Any]], stamp: dict[str, Any]
) -> None:
    """Load the changed rows (in chunks) and set the new values through the ORM, so each
    changed row's version is bumped once."""
    ids = list(updates)
    for chunk in _chunks(ids):
        for obj in session.exec(select(model).where(col(model.id).in_(chunk))):
            for name, value in {**updates[obj.id], **stamp}.items():
                setattr(obj, name, value)
    session.flush()


# A loan's arrears history (for recovery and cure rates) gains a row when these change.
SNAPSHOT_FIELDS = {"dpd", "overdue_fen", "outstanding_fen"}


def _snapshot(loan_id: uuid.UUID, values: dict[str, Any]) -> dict[str, Any]:
    return {"loan_id": loan_id, **{name: values[name] for name in SNAPSHOT_FIELDS}}


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
    fields missing from the file (village, location, segment) keep their stored values; a
    borrower's first row in the file describes them.
    """
    report = ImportReport(rows=rows.total, errors=list(rows.errors))
    session.flush()
    loans = _stored(session, Loan, "account_number", LOAN_FIELDS, branch_id)
    borrowers = _stored(session, Borrower, "national_id_hash", BORROWER_FIELDS, branch_id)
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

    inserts = _Inserts(session)
    snapshots: list[dict[str, Any]] = []
    loan_updates: dict[uuid.UUID, dict[str, Any]] = {}
    borrower_updates: dict[uuid.UUID, dict[str, Any]] = {}
    new_borrowers: dict[str, uuid.UUID] = {}
    seen_borrowers: set[str] = set()
    for row in rows.rows:
        if progress:
            progress(1)
        if row.account_number in elsewhere:
            report.errors.append(
                RowError(
                    row.row,
                    rows.column("account_number"),
                    f"account {row.account_number} belongs to another branch; it was not "
                    "imported. Remove the row or ask that branch.",
                )
            )
            continue
        key = row.national_id_hash
        borrower_changed = False
        if key in borrowers:
            borrower_id, current = borrowers[key]
            if key not in seen_borrowers:
                # Only the borrower's first row in the file describes them, so rows that
                # disagree (a phone, a segment) cannot flip the borrower on every import.
                wanted: dict[str, Any] = {
                    "name": row.borrower_name,
                    "phone": row.phone,
                    "address": row.address,
                    "national_id_masked": row.national_id_masked,
                }
                if row.village is not None:
                    wanted["village"] = row.village
                if row.has_location:
                    wanted["lat"], wanted["lon"] = row.lat, row.lon
                if row.segment is not None:
                    wanted["segment"] = row.segment
                changes = _differences(current, wanted)
                if changes:
                    borrower_updates[borrower_id] = changes
                    borrower_changed = True
        elif key in new_borrowers:
            borrower_id = new_borrowers[key]
        else:
            borrower_id = new_borrowers[key] = new_id()
            inserts.borrowers.append(
                {
                    "id": borrower_id,
                    "version": 1,
                    "branch_id": branch_id,
                    "national_id_hash": key,
                    "national_id_masked": row.national_id_masked,
                    "name": row.borrower_name,
                    "phone": row.phone,
                    "address": row.address,
                    "village": row.village or "",
                    "lat": row.lat if row.has_location else None,
                    "lon": row.lon if row.has_location else None,
                    "segment": row.segment or Segment.individual_trader,
                    "language": "zh-CN",
                    "safety_flags": [],
                    "preferred_times": [],
                    "created_at": now,
                    "updated_at": now,
                }
            )
        seen_borrowers.add(key)
        loan_values: dict[str, Any] = {
            "borrower_id": borrower_id,
            "product": row.product,
            "principal_fen": row.principal_fen,
            "outstanding_fen": row.outstanding_fen,
            "overdue_fen": row.overdue_fen,
            "dpd": row.dpd,
            "last_payment_date": row.last_payment_date,
        }
        if row.account_number in loans:
            loan_id, current = loans[row.account_number]
            loan_values["status"] = _loan_status(current["status"], row.outstanding_fen)
            changes = _differences(current, loan_values)
            if changes:
                loan_updates[loan_id] = changes
                report.updated += 1
                if changes.keys() & SNAPSHOT_FIELDS:
                    snapshots.append(_snapshot(loan_id, loan_values))
            elif borrower_changed:
                report.updated += 1
            else:
                report.unchanged += 1
        else:
            loan_id = new_id()
            snapshots.append(_snapshot(loan_id, loan_values))
            inserts.loans.append(
                {
                    "id": loan_id,
                    "version": 1,
                    "branch_id": branch_id,
                    "account_number": row.account_number,
                    "status": _loan_status(None, row.outstanding_fen),
                    "imported_at": now,
                    **loan_values,
                }
            )
            report.created += 1
        inserts.maybe_flush()
    inserts.flush()
    # After the inserts: an updated loan may now belong to a borrower created by this file.
    _apply_updates(session, Borrower, borrower_updates, {"updated_at": now})
    _apply_updates(session, Loan, loan_updates, {"imported_at": now})
    if snapshots:
        branch = session.get(Branch, branch_id)
        as_of = now.astimezone(ZoneInfo(branch.timezone if branch else "Asia/Shanghai")).date()
        session.connection().execute(
            insert(LoanSnapshot), [{**snap, "as_of": as_of} for snap in snapshots]
        )
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
            "borrowers_created": len(new_borrowers),
            "borrowers_updated": len(borrower_updates),
        },
    )
    session.flush()
    return report


class _Inserts:
    """New borrowers and loans, written in batches with multi-row INSERTs.

    Building thousands of SQLModel objects is the slow part of a large import (their
    constructor inspects every default factory), so new rows go in as plain dicts on the
    session's own connection, in the same transaction. Changed rows still go through the ORM,
    so their version is bumped.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.borrowers: list[dict[str, Any]] = []
        self.loans: list[dict[str, Any]] = []

    def maybe_flush(self) -> None:
        if len(self.borrowers) + len(self.loans) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        self.session.flush()  # ORM changes first (updated borrowers that new loans point to)
        connection = self.session.connection()
        # Borrowers before loans: new loans point at new borrowers.
        for model, rows in ((Borrower, self.borrowers), (Loan, self.loans)):
            if rows:
                connection.execute(insert(model), rows)
                rows.clear()


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
    # reference -> (loan id, paid on, amount): what is stored, or was added by this file.
    existing: dict[str, tuple[uuid.UUID, date, int]] = {}
    references = [r.reference for r in rows.rows]
    for chunk in _chunks(references):
        stored = session.exec(
            select(
                Payment.reference, Payment.loan_id, col(Payment.paid_on), Payment.amount_fen
            ).where(col(Payment.reference).in_(chunk))
        )
        for reference, paid_loan, paid_on, amount_fen in stored:
            existing[reference] = (paid_loan, paid_on, amount_fen)
    branch = session.get(Branch, branch_id)
    zone = ZoneInfo(branch.timezone if branch is not None else "Asia/Shanghai")
    latest = now.astimezone(zone).date() + timedelta(days=1)
    new: list[dict[str, Any]] = []
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
            if found == (loan_id, row.paid_on, row.amount_fen):
                report.unchanged += 1
            else:
                where = accounts.get(found[0], "another branch's account")
                report.errors.append(
                    RowError(
                        row.row,
                        rows.column("reference"),
                        f"reference {row.reference} was already imported for {where} on "
                        f"{found[1]} ({format_yuan(found[2])} CNY); a payment never "
                        "changes, so check the row",
                    )
                )
            continue
        new.append(
            {
                "id": new_id(),
                "loan_id": loan_id,
                "reference": row.reference,
                "paid_on": row.paid_on,
                "amount_fen": row.amount_fen,
                "imported_at": now,
            }
        )
        existing[row.reference] = (loan_id, row.paid_on, row.amount_fen)
        report.created += 1
        if len(new) >= FLUSH_EVERY:
            session.connection().execute(insert(Payment), new)
            new.clear()
    if new:
        session.connection().execute(insert(Payment), new)
    # Promises kept or broken, instalments paid or missed: against the payments now known.
    from api.agreements.service import reconcile  # here: keeps this module's imports light

    tracked = reconcile(session=session, branch_id=branch_id, now=now, actor_id=actor_id)
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
            "tracking": tracked.as_dict(),
        },
    )
    session.flush()
    return report
