"""Everything a push batch needs to look up, loaded in a few queries before it is applied.

Handlers consult this instead of querying per mutation, so a batch of 500 writes its rows
in one flush; handlers register what they add, so later entries of the same batch see it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from api.scoping import branch_statement
from models import (
    Agreement,
    AgreementLine,
    AuditEvent,
    Borrower,
    BorrowerProposal,
    ChangeRequest,
    Complaint,
    ContactLog,
    HardshipReason,
    Loan,
    MutationLog,
    Note,
    Promise,
    SafetyAlert,
    User,
    Visit,
    VisitEvent,
    VisitOfficer,
    VisitOutcome,
)
from models.enums import AgreementStatus, PromiseStatus, VisitEventKind

# The audit events that set a visit's team, and the keys of their data that name members
# (written by api.planning: a plan's visits, a manager's reassignment, an optimisation).
TEAM_EVENTS: dict[str, tuple[str, ...]] = {
    "visit.plan": ("officer_ids",),
    "visit.assign": ("from", "to"),
}
OPEN_AGREEMENT = (AgreementStatus.pending_approval, AgreementStatus.signed, AgreementStatus.active)
# Records a mutation creates, by the argument that carries their phone-made id.
CREATED_BY_ARG: tuple[tuple[str, type[SQLModel]], ...] = (
    ("note_id", Note),
    ("outcome_id", VisitOutcome),
    ("promise_id", Promise),
    ("agreement_id", Agreement),
    ("request_id", ChangeRequest),
    ("alert_id", SafetyAlert),
    ("id", BorrowerProposal),  # borrower.propose
    ("id", ContactLog),  # contact.log
    ("id", Complaint),  # complaint.record
)


def _uuids(values: Iterable[Any]) -> set[uuid.UUID]:
    found = set()
    for value in values:
        try:
            found.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


@dataclass
class Known:
    visits: dict[uuid.UUID, Visit] = field(default_factory=dict)
    teams: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)
    borrowers: dict[uuid.UUID, Borrower] = field(default_factory=dict)
    loans: dict[uuid.UUID, Loan] = field(default_factory=dict)
    created: dict[type[SQLModel], dict[uuid.UUID, Any]] = field(default_factory=dict)
    hardship_codes: set[str] = field(default_factory=set)
    # The branch's users named as co-visitors by the batch's check-ins.
    users: dict[uuid.UUID, User] = field(default_factory=dict)
    checked_in: set[uuid.UUID] = field(default_factory=set)
    with_outcome: set[uuid.UUID] = field(default_factory=set)
    loans_with_open_agreement: set[uuid.UUID] = field(default_factory=set)
    # The open promises stored on the batch's loans: loan -> [(id, amount_fen, due_date)].
    open_promises: dict[uuid.UUID, list[tuple[uuid.UUID, int, date]]] = field(default_factory=dict)
    # What the batch writes besides domain rows, inserted in bulk at the end.
    log_rows: list[dict[str, Any]] = field(default_factory=list)
    audit_rows: list[dict[str, Any]] = field(default_factory=list)
    # Borrowers whose pulled record changes (recent contacts): bumped once, at the end.
    touched_borrowers: list[uuid.UUID] = field(default_factory=list)
    pending: dict[type[SQLModel], list[dict[str, Any]]] = field(default_factory=dict)
    # Everyone a visit's team ever had (current members and the audit trail), when asked.
    past_teams: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)
    visited: dict[uuid.UUID, bool] = field(default_factory=dict)  # borrower -> by this user

    @classmethod
    def load(cls, session: Session, *, branch_id: uuid.UUID, args: list[dict[str, Any]]) -> Known:
        """The rows the batch's arguments name. Every query is skipped when the batch names
        no such ids, so small pushes stay cheap."""
        known = cls()
        _load_visits(known, session, branch_id, _uuids(a.get("visit_id") for a in args))
        borrower_ids = _uuids(a.get("borrower_id") for a in args)
        borrower_ids |= {v.borrower_id for v in known.visits.values()}
        _load_borrowers(known, session, branch_id, borrower_ids)
        _load_loans(known, session, _uuids(a.get("loan_id") for a in args))
        co_visitors = _uuids(
            i for a in args if isinstance(ids := a.get("co_visitor_ids"), list) for i in ids
        )
        if co_visitors:
            statement = branch_statement(User, branch_id).where(col(User.id).in_(co_visitors))
            known.users = {u.id: u for u in session.exec(statement)}
        for arg, model in CREATED_BY_ARG:
            _load_created(known, session, model, _uuids(a.get(arg) for a in args))
        if any("hardship_reasons" in a for a in args):
            known.hardship_codes = set(session.exec(select(HardshipReason.code)))
        return known

    def ever_on_team(self, session: Session, visit_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """Whether the user is or ever was on the visit's team. Only asked when they are
        not on it now (a reassignment, or an officer of another team), so the audit trail
        is read for those visits alone."""
        if user_id in self.teams.get(visit_id, set()):
            return True
        if visit_id not in self.past_teams:
            self.past_teams.update(team_history(session, [visit_id]))
        return user_id in self.past_teams.get(visit_id, set())

    def ever_visited(self, session: Session, borrower_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """Whether the user is or ever was on the team of a visit to the borrower."""
        if borrower_id not in self.visited:
            visits = list(session.exec(select(Visit.id).where(Visit.borrower_id == borrower_id)))
            history = team_history(session, visits)
            self.past_teams.update(history)
            self.visited[borrower_id] = any(user_id in team for team in history.values())
        return self.visited[borrower_id]

    def existing(self, model: type[SQLModel], row_id: uuid.UUID) -> Any:
        return self.created.setdefault(model, {}).get(row_id)

    def insert(self, model: type[SQLModel], values: dict[str, Any]) -> None:
        row = with_defaults(model, values)
        self.pending.setdefault(model, []).append(row)
        if "id" in row:
            self.created.setdefault(model, {})[row["id"]] = SimpleNamespace(**row)

    def write(self, session: Session) -> None:
        """The queued rows, one INSERT per table, parents first. Audit rows and borrower
        touches stay queued: the push writes them last, as they take shared locks."""
        for model in INSERT_ORDER:
            rows = self.pending.pop(model, None)
            if rows:
                session.execute(insert(model), rows)
        if self.log_rows:
            session.execute(insert(MutationLog), self.log_rows)
            self.log_rows = []


def _load_visits(known: Known, session: Session, branch_id: uuid.UUID, ids: set[uuid.UUID]) -> None:
    """The branch's visits named by the batch, their teams, and which of them already have
    a check-in or an outcome (for the "no check-in" and "second outcome" flags)."""
    if not ids:
        return
    statement = branch_statement(Visit, branch_id).where(col(Visit.id).in_(ids))
    known.visits = {v.id: v for v in session.exec(statement)}
    found = set(known.visits)
    if not found:
        return
    for link in session.exec(select(VisitOfficer).where(col(VisitOfficer.visit_id).in_(found))):
        known.teams.setdefault(link.visit_id, set()).add(link.user_id)
    known.checked_in = set(
        session.exec(
            select(VisitEvent.visit_id).where(
                col(VisitEvent.visit_id).in_(found), VisitEvent.kind == VisitEventKind.check_in
            )
        )
    )
    known.with_outcome = set(
        session.exec(select(VisitOutcome.visit_id).where(col(VisitOutcome.visit_id).in_(found)))
    )


def team_history(session: Session, visit_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Everyone who was ever on each visit's team: its team now and every member the
    audit trail names in the events that set it (see TEAM_EVENTS)."""
    found: dict[uuid.UUID, set[uuid.UUID]] = {v: set() for v in visit_ids}
    if not visit_ids:
        return found
    for link in session.exec(select(VisitOfficer).where(col(VisitOfficer.visit_id).in_(visit_ids))):
        found[link.visit_id].add(link.user_id)
    events = session.exec(
        select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.data).where(
            AuditEvent.entity == "visit",
            col(AuditEvent.entity_id).in_([str(v) for v in visit_ids]),
            col(AuditEvent.action).in_(list(TEAM_EVENTS)),
        )
    )
    for entity_id, action, data in events:
        members = found.setdefault(uuid.UUID(entity_id), set())
        for key in TEAM_EVENTS[action]:
            value = (data or {}).get(key)
            members |= _uuids(value if isinstance(value, list) else [])
    return found


def _load_borrowers(
    known: Known, session: Session, branch_id: uuid.UUID, ids: set[uuid.UUID]
) -> None:
    if ids:
        statement = branch_statement(Borrower, branch_id).where(col(Borrower.id).in_(ids))
        known.borrowers = {b.id: b for b in session.exec(statement)}


def _load_loans(known: Known, session: Session, ids: set[uuid.UUID]) -> None:
    """The loans named by the batch, their open promises, and which of them already have
    an open agreement."""
    if not ids:
        return
    known.loans = {
        loan.id: loan for loan in session.exec(select(Loan).where(col(Loan.id).in_(ids)))
    }
    for promise_id, loan_id, amount_fen, due_date in session.exec(
        select(
            col(Promise.id), col(Promise.loan_id), col(Promise.amount_fen), col(Promise.due_date)
        )
        .where(col(Promise.loan_id).in_(ids), Promise.status == PromiseStatus.open)
        .order_by(col(Promise.made_at), col(Promise.id))
    ):
        known.open_promises.setdefault(loan_id, []).append((promise_id, amount_fen, due_date))
    known.loans_with_open_agreement = set(
        session.exec(
            select(Agreement.loan_id).where(
                col(Agreement.loan_id).in_(ids), col(Agreement.status).in_(OPEN_AGREEMENT)
            )
        )
    )


def _load_created(
    known: Known, session: Session, model: type[SQLModel], ids: set[uuid.UUID]
) -> None:
    """Rows already stored under the phone-made ids: a resent entry finds its record."""
    rows: list[Any] = (
        list(session.exec(select(model).where(col(model.id).in_(ids))))  # type: ignore[attr-defined]
        if ids
        else []
    )
    known.created[model] = {row.id: row for row in rows}


INSERT_ORDER: list[type[SQLModel]] = [
    VisitEvent,
    VisitOutcome,
    Note,
    Promise,
    Agreement,
    AgreementLine,
    ChangeRequest,
    SafetyAlert,
    BorrowerProposal,
    ContactLog,
    Complaint,
]


def with_defaults(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """Core INSERTs skip the model's Python defaults: fill them in here."""
    row = dict(values)
    for name, info in model.model_fields.items():
        if name in row:
            continue
        if info.default_factory is not None:
            row[name] = info.default_factory()  # type: ignore[call-arg]
        elif info.default is not PydanticUndefined:
            row[name] = info.default
    if "id" in row and row["id"] is None:
        del row["id"]  # autoincrement key: the database numbers it
    return row
