"""Write imported loans, borrowers and payments: upserts by natural key, in one transaction.

Lookups are batched (the branch's loans and borrowers in one query each), so a 20,000-row
file needs a handful of queries, not one per row. A row is only written when something in it
changed, so importing the same file again changes nothing (versions stay as they are).
Services flush; the caller (the request, or the CLI) commits.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from api.agreements.reconciliation import reconcile
from api.audit import record_audit
from api.imports.parse import LoanRow, ParseResult, PaymentRow, RowError, format_yuan
from api.scoping import branch_column, get_branch
from models import Borrower, Loan, LoanSnapshot, Payment
from models.enums import LoanStatus, Segment
from models.types import new_id

LOOKUP_CHUNK = 500  # keys per IN (...) query: far below SQLite's and PostgreSQL's limits
FLUSH_EVERY = 2000  # rows per flush: bounded memory and a progress bar that moves

Progress = Callable[[int], None]
K = TypeVar("K")
Row = TypeVar("Row")


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Borrowers of the file by where their location comes from (loan imports only).
    located_from_file: int = 0
    geocoded: int = 0
    already_located: int = 0
    unlocated: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Rows not imported because something in them is wrong."""
        return len({e.row for e in self.errors})

    def totals(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }

    def as_dict(self, *, max_errors: int | None = None) -> dict[str, Any]:
        """The totals, `error_count`, and the errors by row: the first `max_errors` of them."""
        ordered = sorted(self.errors, key=lambda e: e.row)[:max_errors]
        return {
            **self.totals(),
            "error_count": len(self.errors),
            "errors": [e.as_dict() for e in ordered],
            **self.locations(),
            "unlocated_rows": self.unlocated[:max_errors],
        }

    def locations(self) -> dict[str, int]:
        return {
            "located_from_file": self.located_from_file,
            "geocoded": self.geocoded,
            "already_located": self.already_located,
            "unlocated": len(self.unlocated),
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
    "location_source",
    "location_precision",
    "location_note",
    "preferred_times",
    "safety_flags",
)
# Locations learned in the field or placed by a manager win over the file and the geocoder.
REPLACEABLE_SOURCES = (None, "import", "geocoder")


def _stored(
    session: Session, model: Any, key: str, fields: Sequence[str], branch_id: uuid.UUID
) -> dict[str, tuple[uuid.UUID, dict[str, Any]]]:
    """natural key -> (id, {field: value}) for the branch's rows of `model`."""
    columns = [getattr(model, name) for name in (key, "id", *fields)]
    query = sa_select(*columns).where(branch_column(model) == branch_id)
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


def _branch_today(session: Session, branch_id: uuid.UUID, now: datetime) -> date:
    """Today in the branch's time zone: the date of an arrears snapshot, and what "in the
    future" means for a payment."""
    return now.astimezone(ZoneInfo(get_branch(session, branch_id).timezone)).date()


class _ImportRun(ABC, Generic[Row]):
    """One import of a parsed file into a branch. A subclass reads what is stored when it
    starts, judges each row in `add` and writes what is left in `write`; the run then
    records one audit event on the branch (which file, what it changed) and flushes."""

    action: ClassVar[str]

    def __init__(
        self, session: Session, *, branch_id: uuid.UUID, rows: ParseResult[Row], now: datetime
    ) -> None:
        self.session, self.branch_id, self.rows, self.now = session, branch_id, rows, now
        self.report = ImportReport(rows=rows.total, errors=list(rows.errors))
        session.flush()  # lookups read the connection: the session's pending rows go first

    @abstractmethod
    def add(self, row: Row) -> None: ...

    @abstractmethod
    def write(self, *, actor_id: uuid.UUID | None) -> dict[str, Any]:
        """Write what the rows left pending; returns the counts the audit event keeps."""

    def run(
        self, *, actor_id: uuid.UUID | None, source: str, progress: Progress | None
    ) -> ImportReport:
        for row in self.rows.rows:
            if progress:
                progress(1)
            self.add(row)
        counts = self.write(actor_id=actor_id)
        record_audit(
            self.session,
            at=self.now,
            action=self.action,
            entity="branch",
            entity_id=self.branch_id,
            actor_id=actor_id,
            branch_id=self.branch_id,
            data={"source": source[:200], **counts},
        )
        self.session.flush()
        return self.report


@dataclass(frozen=True)
class Importer(Generic[Row]):
    """`import_loans` and `import_payments`: what the route and the CLI call alike. Each
    call is one run of `kind` (which says what the file's rows do to the branch)."""

    kind: type[_ImportRun[Row]]

    def __call__(
        self,
        *,
        session: Session,
        branch_id: uuid.UUID,
        actor_id: uuid.UUID | None,
        rows: ParseResult[Row],
        now: datetime,
        source: str = "",
        progress: Progress | None = None,
    ) -> ImportReport:
        run = self.kind(session, branch_id=branch_id, rows=rows, now=now)
        return run.run(actor_id=actor_id, source=source, progress=progress)


class _Inserts:
    """New rows, written in batches with multi-row INSERTs.

    Building thousands of SQLModel objects is the slow part of a large import (their
    constructor inspects every default factory), so new rows go in as plain dicts on the
    session's own connection, in the same transaction. Changed rows still go through the ORM,
    so their version is bumped.
    """

    def __init__(self, session: Session, *models: type[SQLModel]) -> None:
        self.session = session
        # Written in this order: new loans point at new borrowers.
        self.pending: dict[type[SQLModel], list[dict[str, Any]]] = {m: [] for m in models}

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        self.pending[model].append(row)

    def maybe_flush(self) -> None:
        if sum(len(rows) for rows in self.pending.values()) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        self.session.flush()  # ORM changes first (updated borrowers that new loans point to)
        connection = self.session.connection()
        for model, rows in self.pending.items():
            if rows:
                connection.execute(insert(model), rows)
                rows.clear()


# --- loans ---------------------------------------------------------------------------------

# A loan's arrears history (for recovery and cure rates) gains a row when these change.
SNAPSHOT_FIELDS = {"dpd", "overdue_fen", "outstanding_fen"}


def _snapshot(loan_id: uuid.UUID, values: dict[str, Any]) -> dict[str, Any]:
    return {"loan_id": loan_id, **{name: values[name] for name in SNAPSHOT_FIELDS}}


def _accounts_elsewhere(session: Session, accounts: Sequence[str]) -> set[str]:
    """Which of these account numbers, none of them the branch's own, another branch holds
    (account numbers are unique across branches)."""
    found: set[str] = set()
    for chunk in _chunks(accounts):
        found.update(
            session.exec(select(Loan.account_number).where(col(Loan.account_number).in_(chunk)))
        )
    return found


def _borrower_values(row: LoanRow, current: dict[str, Any]) -> dict[str, Any]:
    """What the row says about a stored borrower; columns missing from the file (village,
    location, segment, preferred times, safety flags) are left out, so their stored values
    are kept. A location from a check-in or a manager is kept over the file's."""
    wanted: dict[str, Any] = {
        "name": row.borrower_name,
        "phone": row.phone,
        "address": row.address,
        "national_id_masked": row.national_id_masked,
    }
    optional = {
        "village": row.village,
        "segment": row.segment,
        "preferred_times": row.preferred_times,
        "safety_flags": row.safety_flags,
    }
    wanted.update({name: value for name, value in optional.items() if value is not None})
    if current.get("location_source") in REPLACEABLE_SOURCES:
        if row.has_location:
            wanted.update(_location_values(row))
        elif current.get("lat") is None and row.location_note:
            wanted["location_note"] = row.location_note
    return wanted


def _location_values(row: LoanRow) -> dict[str, Any]:
    return {
        "lat": row.lat,
        "lon": row.lon,
        "location_source": row.location_source or "import",
        "location_precision": row.location_precision or "exact",
        "location_note": "",
    }


def _new_borrower(
    row: LoanRow, *, borrower_id: uuid.UUID, branch_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    """A borrower first seen in this file, as a row for the multi-row INSERT."""
    return {
        "id": borrower_id,
        "version": 1,
        "branch_id": branch_id,
        "national_id_hash": row.national_id_hash,
        "national_id_masked": row.national_id_masked,
        "name": row.borrower_name,
        "phone": row.phone,
        "address": row.address,
        "village": row.village or "",
        "lat": None,
        "lon": None,
        "location_source": None,
        "location_precision": None,
        "located_at": now if row.has_location else None,
        "location_note": row.location_note,
        **(_location_values(row) if row.has_location else {}),
        "segment": row.segment or Segment.individual_trader,
        "language": "zh-CN",
        "safety_flags": row.safety_flags or [],
        "preferred_times": row.preferred_times or [],
        "created_at": now,
        "updated_at": now,
    }


def _loan_values(row: LoanRow, borrower_id: uuid.UUID) -> dict[str, Any]:
    """The loan columns the file decides (the status follows from the balance)."""
    return {
        "borrower_id": borrower_id,
        "product": row.product,
        "principal_fen": row.principal_fen,
        "outstanding_fen": row.outstanding_fen,
        "overdue_fen": row.overdue_fen,
        "dpd": row.dpd,
        "last_payment_date": row.last_payment_date,
    }


class _LoanImport(_ImportRun[LoanRow]):
    """`import_loans`: upsert loans by account number and borrowers by national-ID hash
    within the branch.

    An account that belongs to another branch is a row error and is never touched. Borrower
    fields missing from the file (village, location, segment) keep their stored values; a
    borrower's first row in the file describes them. The run holds what the branch has
    stored, and what the rows read so far add or change. Nothing is written before `write`,
    except batches of new rows.
    """

    action = "import.loans"

    def __init__(
        self, session: Session, *, branch_id: uuid.UUID, rows: ParseResult[LoanRow], now: datetime
    ) -> None:
        super().__init__(session, branch_id=branch_id, rows=rows, now=now)
        self.loans = _stored(session, Loan, "account_number", LOAN_FIELDS, branch_id)
        self.borrowers = _stored(session, Borrower, "national_id_hash", BORROWER_FIELDS, branch_id)
        unknown = [r.account_number for r in rows.rows if r.account_number not in self.loans]
        self.elsewhere = _accounts_elsewhere(session, unknown)
        self.inserts = _Inserts(session, Borrower, Loan)
        self.snapshots: list[dict[str, Any]] = []
        self.loan_updates: dict[uuid.UUID, dict[str, Any]] = {}
        self.borrower_updates: dict[uuid.UUID, dict[str, Any]] = {}
        self.new_borrowers: dict[str, uuid.UUID] = {}
        self.seen_borrowers: set[str] = set()

    def add(self, row: LoanRow) -> None:
        if row.account_number in self.elsewhere:
            self.report.errors.append(
                RowError(
                    row.row,
                    self.rows.column("account_number"),
                    f"account {row.account_number} belongs to another branch; it was not "
                    "imported. Remove the row or ask that branch.",
                )
            )
            return
        borrower_id, borrower_changed = self._borrower(row)
        self._loan(row, borrower_id, borrower_changed=borrower_changed)
        self.inserts.maybe_flush()

    def _borrower(self, row: LoanRow) -> tuple[uuid.UUID, bool]:
        """The row's borrower id, and whether the row changes a stored borrower."""
        key = row.national_id_hash
        first_row = key not in self.seen_borrowers
        self.seen_borrowers.add(key)
        if key in self.borrowers:
            borrower_id, current = self.borrowers[key]
            # Only the borrower's first row in the file describes them, so rows that
            # disagree (a phone, a segment) cannot flip the borrower on every import.
            changes = _differences(current, _borrower_values(row, current)) if first_row else {}
            if "lat" in changes or "lon" in changes:
                changes["located_at"] = self.now
            if changes:
                self.borrower_updates[borrower_id] = changes
            if first_row:
                self._count_location(row, current)
            return borrower_id, bool(changes)
        if key not in self.new_borrowers:
            self._count_location(row, {})
            self.new_borrowers[key] = new_id()
            self.inserts.add(
                Borrower,
                _new_borrower(
                    row,
                    borrower_id=self.new_borrowers[key],
                    branch_id=self.branch_id,
                    now=self.now,
                ),
            )
        return self.new_borrowers[key], False

    def _count_location(self, row: LoanRow, current: dict[str, Any]) -> None:
        """Count the borrower's location by where it comes from (their first row)."""
        if current.get("lat") is not None and (
            not row.has_location or current.get("location_source") not in REPLACEABLE_SOURCES
        ):
            self.report.already_located += 1
        elif row.has_location and row.location_source == "geocoder":
            self.report.geocoded += 1
        elif row.has_location:
            self.report.located_from_file += 1
        else:
            self.report.unlocated.append(
                {
                    "row": row.row,
                    "name": row.borrower_name,
                    "address": row.address,
                    "reason": row.location_note or "no coordinates and no geocoder configured",
                }
            )

    def _loan(self, row: LoanRow, borrower_id: uuid.UUID, *, borrower_changed: bool) -> None:
        values = _loan_values(row, borrower_id)
        if row.account_number not in self.loans:
            loan_id = new_id()
            self.snapshots.append(_snapshot(loan_id, values))
            self.inserts.add(
                Loan,
                {
                    "id": loan_id,
                    "version": 1,
                    "branch_id": self.branch_id,
                    "account_number": row.account_number,
                    "status": _loan_status(None, row.outstanding_fen),
                    "imported_at": self.now,
                    **values,
                },
            )
            self.report.created += 1
            return
        loan_id, current = self.loans[row.account_number]
        values["status"] = _loan_status(current["status"], row.outstanding_fen)
        changes = _differences(current, values)
        if changes:
            self.loan_updates[loan_id] = changes
            if changes.keys() & SNAPSHOT_FIELDS:
                self.snapshots.append(_snapshot(loan_id, values))
        if changes or borrower_changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def write(self, *, actor_id: uuid.UUID | None) -> dict[str, Any]:
        """New rows, then changes, then the arrears snapshots."""
        self.inserts.flush()
        # After the inserts: an updated loan may now belong to a borrower created by this file.
        _apply_updates(self.session, Borrower, self.borrower_updates, {"updated_at": self.now})
        _apply_updates(self.session, Loan, self.loan_updates, {"imported_at": self.now})
        if self.snapshots:
            as_of = _branch_today(self.session, self.branch_id, self.now)
            self.session.connection().execute(
                insert(LoanSnapshot), [{**snap, "as_of": as_of} for snap in self.snapshots]
            )
        return {
            **self.report.totals(),
            **self.report.locations(),
            "borrowers_created": len(self.new_borrowers),
            "borrowers_updated": len(self.borrower_updates),
        }


import_loans = Importer(_LoanImport)


# --- payments ------------------------------------------------------------------------------

# A payment as stored (or added by this file): (loan id, paid on, amount in fen).
PaymentKey = tuple[uuid.UUID, date, int]


def _stored_payments(session: Session, references: Sequence[str]) -> dict[str, PaymentKey]:
    """reference -> what is stored under it, whichever branch's loan it was paid to."""
    existing: dict[str, PaymentKey] = {}
    for chunk in _chunks(references):
        stored = session.exec(
            select(
                Payment.reference, Payment.loan_id, col(Payment.paid_on), Payment.amount_fen
            ).where(col(Payment.reference).in_(chunk))
        )
        for reference, paid_loan, paid_on, amount_fen in stored:
            existing[reference] = (paid_loan, paid_on, amount_fen)
    return existing


def _payment_problem(
    row: PaymentRow,
    *,
    loan_id: uuid.UUID | None,
    latest: date,
    found: PaymentKey | None,
    accounts: dict[uuid.UUID, str],
) -> tuple[str, str] | None:
    """(column key, what to fix) when the row cannot be imported; None when it is new or
    the very payment already stored."""
    if loan_id is None:
        return (
            "account_number",
            f"account {row.account_number} is not a loan of this branch; import the "
            "loans first or remove the row",
        )
    if row.paid_on > latest:
        return "paid_on", f"{row.paid_on} is in the future; check the date"
    if found is not None and found != (loan_id, row.paid_on, row.amount_fen):
        where = accounts.get(found[0], "another branch's account")
        return (
            "reference",
            f"reference {row.reference} was already imported for {where} on "
            f"{found[1]} ({format_yuan(found[2])} CNY); a payment never "
            "changes, so check the row",
        )
    return None


class _PaymentImport(_ImportRun[PaymentRow]):
    """`import_payments`: add payments by core-banking reference; a reference already
    imported is unchanged (or a row error when the file now says something different about
    it). The run holds the branch's loans, the payments already stored under the file's
    references, and the new payments read so far."""

    action = "import.payments"

    def __init__(
        self,
        session: Session,
        *,
        branch_id: uuid.UUID,
        rows: ParseResult[PaymentRow],
        now: datetime,
    ) -> None:
        super().__init__(session, branch_id=branch_id, rows=rows, now=now)
        stored = _stored(session, Loan, "account_number", (), branch_id)
        self.loans = {number: loan_id for number, (loan_id, _) in stored.items()}
        self.accounts = {loan_id: number for number, loan_id in self.loans.items()}
        self.existing = _stored_payments(session, [r.reference for r in rows.rows])
        self.latest = _branch_today(session, branch_id, now) + timedelta(days=1)
        self.inserts = _Inserts(session, Payment)

    def add(self, row: PaymentRow) -> None:
        loan_id = self.loans.get(row.account_number)
        problem = _payment_problem(
            row,
            loan_id=loan_id,
            latest=self.latest,
            found=self.existing.get(row.reference),
            accounts=self.accounts,
        )
        if problem is not None:
            column, message = problem
            self.report.errors.append(RowError(row.row, self.rows.column(column), message))
        elif row.reference in self.existing:
            self.report.unchanged += 1
        elif loan_id is not None:
            self.inserts.add(
                Payment,
                {
                    "id": new_id(),
                    "loan_id": loan_id,
                    "reference": row.reference,
                    "paid_on": row.paid_on,
                    "amount_fen": row.amount_fen,
                    "imported_at": self.now,
                },
            )
            self.existing[row.reference] = (loan_id, row.paid_on, row.amount_fen)
            self.report.created += 1
            self.inserts.maybe_flush()

    def write(self, *, actor_id: uuid.UUID | None) -> dict[str, Any]:
        """The new payments; then promises and schedules brought in line with them."""
        self.inserts.flush()
        # Promises kept or broken, instalments paid or missed: against the payments now known.
        tracked = reconcile(
            session=self.session, branch_id=self.branch_id, now=self.now, actor_id=actor_id
        )
        totals = self.report.totals()
        del totals["updated"]  # a payment never changes, so none is ever updated
        return {**totals, "tracking": tracked.as_dict()}


import_payments = Importer(_PaymentImport)
