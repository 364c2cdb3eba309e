"""What an approved change request does (issue 15, item 5). Each kind changes the rows it
names, audits each change, and marks the phone's records changed so its next pull has them:

- extension: the borrower's open promises are replaced by new ones due on the proposed date
  (the old ones cancelled). A running agreement's signed lines never change: the borrower
  is asked for a new agreement version at the next visit (the `agreement_requested` flag).
- legal: the borrower's active loans go to `legal`; candidates skip legal loans, so the
  borrower leaves visit planning, and other visits planned from today on that have not
  started are cancelled (phones drop them).
- reschedule: the officer is asked to make an agreement at the next visit (the flag).

The flag is not stored: it is derived from the approved requests newer than the borrower's
newest agreement (`agreement_requests`), so signing an agreement clears it by itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.agreements.lifecycle import TRACKED, promise_transition
from api.audit import record_manager_action
from api.errors import InvalidInput
from models import Agreement, Borrower, Branch, ChangeRequest, Loan, Promise, User, Visit
from models.base import mark_changed
from models.enums import LoanStatus, PromiseStatus, VisitStatus

# How far an extension may move a due date (as far as a promise may reach).
MAX_EXTENSION_DAYS = 366
# Kinds whose approval asks for an agreement at the next visit (an extension only when the
# borrower has a running agreement whose signed lines cannot move).
AGREEMENT_KINDS = ("reschedule", "extension")
# Replacement promises get ids derived from the request and the old promise: a replayed
# approval could never create two.
_NAMESPACE = uuid.UUID("6f1c0c52-5d0e-4c57-9d3a-15e0a2c1d7b1")


def proposed_date(request: ChangeRequest, *, today: date) -> date:
    """The new due date an extension proposes, or a 422 saying what is wrong with it."""
    raw = request.proposed.get("date") if isinstance(request.proposed, dict) else None
    try:
        new_date = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        new_date = None
    if new_date is None:
        raise InvalidInput(
            "This extension proposes no valid date (YYYY-MM-DD): decline it and ask the "
            "officer for a new date."
        )
    if not today < new_date <= today + timedelta(days=MAX_EXTENSION_DAYS):
        raise InvalidInput(
            f"The proposed date {new_date} must be after today ({today}) and at most "
            f"{MAX_EXTENSION_DAYS} days away: decline the request with a reason."
        )
    return new_date


def _running_agreements(session: Session, borrower_id: uuid.UUID) -> list[Agreement]:
    return list(
        session.exec(
            select(Agreement).where(
                Agreement.borrower_id == borrower_id, col(Agreement.status).in_(TRACKED)
            )
        )
    )


def _extend(
    session: Session, manager: User, request: ChangeRequest, *, today: date, now: datetime
) -> dict[str, Any]:
    """Open promises replaced by promises due on the proposed date."""
    new_date = proposed_date(request, today=today)
    moved: list[dict[str, str]] = []
    promises = session.exec(
        select(Promise)
        .where(Promise.borrower_id == request.borrower_id, Promise.status == PromiseStatus.open)
        .order_by(col(Promise.due_date), col(Promise.id))
    )
    for old in list(promises):
        if old.amount_fen <= old.paid_fen:
            continue  # paid in full: tracking will mark it kept, nothing to move
        new_id = uuid.uuid5(_NAMESPACE, f"{request.id}:{old.id}")
        old.status = promise_transition(old.status, "cancel")
        old.resolved_at = now
        session.add(old)
        session.add(
            Promise(
                id=new_id,
                visit_id=request.visit_id,
                loan_id=old.loan_id,
                borrower_id=old.borrower_id,
                officer_id=old.officer_id,
                amount_fen=old.amount_fen - old.paid_fen,
                due_date=new_date,
                made_at=now,
                received_at=now,
            )
        )
        record_manager_action(
            session,
            manager,
            action="promise.extend",
            entity="promise",
            entity_id=old.id,
            now=now,
            data={"replaced_by": str(new_id), "from": str(old.due_date), "to": str(new_date)},
        )
        moved.append({"old": str(old.id), "new": str(new_id)})
    agreements = _running_agreements(session, request.borrower_id)
    return {
        "due_date": str(new_date),
        "promises": moved,
        "agreement_requested": bool(agreements) or not moved,
    }


def _legal(
    session: Session, manager: User, request: ChangeRequest, *, now: datetime
) -> dict[str, Any]:
    """The borrower's active loans go to the lawyers (and out of visit planning)."""
    loans = session.exec(
        select(Loan).where(
            Loan.borrower_id == request.borrower_id, Loan.status == LoanStatus.active
        )
    )
    changed = []
    for loan in list(loans):
        loan.status = LoanStatus.legal
        session.add(loan)
        record_manager_action(
            session,
            manager,
            action="loan.legal",
            entity="loan",
            entity_id=loan.id,
            now=now,
            data={"change_request": str(request.id)},
        )
        changed.append(str(loan.id))
    return {"loans": changed, "cancelled_visits": _cancel_planned(session, manager, request, now)}


def _cancel_planned(
    session: Session, manager: User, request: ChangeRequest, now: datetime
) -> list[str]:
    """Visits to the borrower planned from today on and not started, other than the one the
    request came from (the officer is dealing with it): no longer made."""
    branch = session.get(Branch, request.branch_id)
    today = now.astimezone(ZoneInfo(branch.timezone if branch else "Asia/Shanghai")).date()
    visits = session.exec(
        select(Visit).where(
            Visit.borrower_id == request.borrower_id,
            Visit.status == VisitStatus.planned,
            col(Visit.plan_date) >= today,
            Visit.id != request.visit_id,
        )
    ).all()
    for visit in visits:
        visit.status = VisitStatus.cancelled
        session.add(visit)
        record_manager_action(
            session,
            manager,
            action="visit.cancel",
            entity="visit",
            entity_id=visit.id,
            now=now,
            data={"reason": "legal", "change_request": str(request.id)},
        )
    return [str(v.id) for v in visits]


def apply_approval(
    *, session: Session, manager: User, request: ChangeRequest, now: datetime
) -> dict[str, Any]:
    """Do what the approved request asks; returns what changed (for the audit)."""
    branch = session.get(Branch, request.branch_id)
    tz = ZoneInfo(branch.timezone if branch is not None else "Asia/Shanghai")
    effect: dict[str, Any] = {}
    if request.kind == "extension":
        effect = _extend(session, manager, request, today=now.astimezone(tz).date(), now=now)
    elif request.kind == "legal":
        effect = _legal(session, manager, request, now=now)
    elif request.kind == "reschedule":
        effect = {"agreement_requested": True}
    # restructure: the terms are negotiated at the next visit; approval records the decision.
    borrower = session.get(Borrower, request.borrower_id)
    if borrower is not None:
        mark_changed(borrower)  # the phone's borrower record carries `agreement_requested`
        session.add(borrower)
    return effect


def agreement_requests(
    session: Session, borrower_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per borrower, the newest approved reschedule or extension still waiting for an
    agreement: decided after the borrower's newest agreement was received. An extension
    counts only while the borrower has a running agreement or had no promise to move (its
    promises were moved otherwise)."""
    if not borrower_ids:
        return {}
    newest = dict(
        session.exec(
            select(Agreement.borrower_id, func.max(Agreement.received_at))
            .where(col(Agreement.borrower_id).in_(list(borrower_ids)))
            .group_by(col(Agreement.borrower_id))
        ).all()
    )
    running = set(
        session.exec(
            select(Agreement.borrower_id).where(
                col(Agreement.borrower_id).in_(list(borrower_ids)),
                col(Agreement.status).in_(TRACKED),
            )
        ).all()
    )
    requests = session.exec(
        select(ChangeRequest)
        .where(
            col(ChangeRequest.borrower_id).in_(list(borrower_ids)),
            ChangeRequest.status == "approved",
            col(ChangeRequest.kind).in_(AGREEMENT_KINDS),
        )
        .order_by(col(ChangeRequest.decided_at))
    )
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for request in requests:
        since = newest.get(request.borrower_id)
        if request.decided_at is None or (since is not None and since >= request.decided_at):
            continue
        if request.kind == "extension" and not _asks_agreement(session, request, running):
            continue
        found[request.borrower_id] = {
            "request_id": str(request.id),
            "kind": request.kind,
            "decided_at": request.decided_at.isoformat(),
            "proposed_date": request.proposed.get("date") if request.proposed else None,
        }
    return found


def _asks_agreement(session: Session, request: ChangeRequest, running: set[uuid.UUID]) -> bool:
    if request.borrower_id in running:
        return True
    # No promise was replaced for this request: the officer agrees the new date in person.
    return (
        session.exec(
            select(Promise.id).where(
                Promise.borrower_id == request.borrower_id,
                Promise.visit_id == request.visit_id,
                Promise.made_at == request.decided_at,
            )
        ).first()
        is None
    )
