"""Follow-up calls: drawn from the branch's completed visits when listed, recorded by the
manager. Services flush, never commit."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.audit import record_manager_action
from api.errors import Conflict, InvalidInput
from api.feedback.sample import feedback_share, in_sample
from api.feedback.schemas import FeedbackCallPublic, FeedbackForm
from api.scoping import get_in_branch
from models import Borrower, Branch, FeedbackCall, User, Visit
from models.enums import VisitStatus

WINDOW_DAYS = 14
MAX_LISTED = 500


def draw(*, session: Session, branch: Branch, now: datetime) -> int:
    """Sample the done visits of the last `WINDOW_DAYS` days not sampled yet; how many."""
    share = feedback_share(branch.settings)
    today = now.astimezone(ZoneInfo(branch.timezone)).date()
    sampled = select(FeedbackCall.visit_id).where(FeedbackCall.branch_id == branch.id)
    visits = session.exec(
        select(Visit).where(
            Visit.branch_id == branch.id,
            Visit.status == VisitStatus.done,
            col(Visit.plan_date) >= today - timedelta(days=WINDOW_DAYS),
            col(Visit.plan_date) <= today,
            col(Visit.id).not_in(sampled),
        )
    ).all()
    rows = [
        FeedbackCall(
            branch_id=branch.id,
            visit_id=v.id,
            borrower_id=v.borrower_id,
            officer_id=v.officer_id,
            sampled_at=now,
        )
        for v in visits
        if in_sample(v.id, share)
    ]
    if not rows:
        return 0
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        return 0  # another request drew the same visits at the same moment
    return len(rows)


def list_calls(
    *, session: Session, branch: Branch, status: str, now: datetime
) -> list[FeedbackCallPublic]:
    """The sample (drawn first), newest visits first, with the borrower's phone."""
    draw(session=session, branch=branch, now=now)
    query = (
        select(FeedbackCall, Visit, Borrower, User)
        .join(Visit, col(Visit.id) == FeedbackCall.visit_id)
        .join(Borrower, col(Borrower.id) == FeedbackCall.borrower_id)
        .join(User, col(User.id) == FeedbackCall.officer_id)
        .where(FeedbackCall.branch_id == branch.id)
    )
    if status != "all":
        query = query.where(FeedbackCall.status == status)
    rows = session.exec(
        query.order_by(col(Visit.plan_date).desc(), col(FeedbackCall.id)).limit(MAX_LISTED)
    ).all()
    return [_public(*row) for row in rows]


def record(
    *, session: Session, manager: User, call_id: uuid.UUID, form: FeedbackForm, now: datetime
) -> FeedbackCallPublic:
    """The call's answers (once: a recorded call is not rewritten)."""
    call = get_in_branch(
        session,
        FeedbackCall,
        call_id,
        branch_id=manager.branch_id,
        missing="No such follow-up call in your branch.",
    )
    if call.status != "sampled":
        raise Conflict("This follow-up call was already recorded.")
    problem = form.problem()
    if problem:
        raise InvalidInput(problem)
    for name, value in form.model_dump().items():
        setattr(call, name, value)
    call.called_by, call.called_at = manager.id, now
    session.add(call)
    session.flush()
    record_manager_action(
        session,
        manager,
        action="feedback.record",
        entity="feedback_call",
        entity_id=call.id,
        now=now,
        data={"status": call.status, "satisfied": call.satisfied},
    )
    visit, borrower, officer = (
        session.get(Visit, call.visit_id),
        session.get(Borrower, call.borrower_id),
        session.get(User, call.officer_id),
    )
    assert visit and borrower and officer  # foreign keys
    return _public(call, visit, borrower, officer)


def _public(
    call: FeedbackCall, visit: Visit, borrower: Borrower, officer: User
) -> FeedbackCallPublic:
    return FeedbackCallPublic(
        **call.model_dump(exclude={"branch_id", "version"}),
        visit_date=visit.plan_date,
        borrower_name=borrower.name,
        phone=borrower.phone,
        officer_name=officer.full_name,
    )
