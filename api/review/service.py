"""Deciding what the field sent for review. Decisions reach the phone on its next pull."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from api.audit import record_manager_action
from api.errors import Conflict, InvalidInput
from api.review.effects import apply_approval
from api.review.repository import open_change_requests, waiting_entries
from api.scoping import get_in_branch
from models import Borrower, ChangeRequest, MutationLog, User, Visit
from models.base import mark_changed

Decision = Literal["approved", "declined"]


def list_entries(*, session: Session, manager: User) -> list[tuple[MutationLog, str]]:
    """The newest 500 entries waiting for review, with the officer's name."""
    rows = session.exec(
        select(MutationLog, User.full_name)
        .join(User, col(User.id) == MutationLog.user_id)
        .where(*waiting_entries(manager.branch_id))
        .order_by(col(MutationLog.received_at).desc(), col(MutationLog.id).desc())
        .limit(500)
    )
    return [(log, name) for log, name in rows]


def list_change_requests(
    *, session: Session, manager: User
) -> list[tuple[ChangeRequest, str, str]]:
    """Open requests with the borrower's and the officer's names."""
    rows = session.exec(
        select(ChangeRequest, Borrower.name, User.full_name)
        .join(Borrower, col(Borrower.id) == ChangeRequest.borrower_id)
        .join(User, col(User.id) == ChangeRequest.officer_id)
        .where(*open_change_requests(manager.branch_id))
        .order_by(col(ChangeRequest.received_at).desc())
    )
    return [(request, borrower, officer) for request, borrower, officer in rows]


def resolve_entry(
    *, session: Session, manager: User, entry_id: int, note: str, now: datetime
) -> MutationLog:
    """Mark a flagged or rejected entry as looked at, with what the manager concluded."""
    entry = get_in_branch(
        session,
        MutationLog,
        entry_id,
        branch_id=manager.branch_id,
        missing="No such entry in your branch's review list.",
    )
    if entry.reviewed_at is not None:
        raise Conflict("This entry was already reviewed.")
    entry.reviewed_at, entry.reviewed_by, entry.review_note = now, manager.id, note
    session.add(entry)
    record_manager_action(
        session,
        manager,
        action="review.resolve",
        entity="mutation_log",
        entity_id=str(entry.id),
        now=now,
        data={"note": note},
    )
    session.flush()
    return entry


def _check_decision(request: ChangeRequest, decision: Decision, reason: str) -> None:
    """An open request only, and a declined one says why (the officer reads it)."""
    if request.status != "open":
        raise Conflict(f"This request was already {request.status}.")
    if decision == "declined" and not reason.strip():
        raise InvalidInput("Say why the request is declined: the officer will read it.")


def decide_change_request(
    *,
    session: Session,
    manager: User,
    request_id: uuid.UUID,
    decision: Decision,
    reason: str,
    now: datetime,
) -> ChangeRequest:
    """Approve or decline an open change request; the phone sees it on its next pull. An
    approval does what the request asks (`api.review.effects`); a decline only records."""
    request = get_in_branch(
        session,
        ChangeRequest,
        request_id,
        branch_id=manager.branch_id,
        missing="No such change request in your branch.",
    )
    # Locked and read again: two managers deciding at once apply the effects only once.
    session.refresh(request, with_for_update=True)
    _check_decision(request, decision, reason)
    effect = (
        apply_approval(session=session, manager=manager, request=request, now=now)
        if decision == "approved"
        else {}
    )
    request.status, request.decision_reason = decision, reason.strip()
    request.decided_by, request.decided_at = manager.id, now
    session.add(request)
    visit = session.get(Visit, request.visit_id)
    if visit is not None:
        mark_changed(visit)  # the phone's visit record carries its requests and decisions
        session.add(visit)
    record_manager_action(
        session,
        manager,
        action=f"change_request.{decision}",
        entity="change_request",
        entity_id=request.id,
        now=now,
        data={"reason": reason, "kind": request.kind, "effect": effect},
    )
    session.flush()
    return request
