"""Follow-up calls (回访) at the console: the sample and its short form (manager only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ClockDep, CurrentBranch, CurrentManager, SessionDep
from api.feedback import service
from api.feedback.sample import feedback_share
from api.feedback.schemas import FeedbackCallList, FeedbackCallPublic, FeedbackForm, FeedbackQuery

router = APIRouter(tags=["feedback"])


@router.get("/feedback-calls", operation_id="feedback-calls-list", response_model=FeedbackCallList)
def list_calls(
    manager: CurrentManager,
    branch: CurrentBranch,
    session: SessionDep,
    now: ClockDep,
    query: Annotated[FeedbackQuery, Query()],
) -> FeedbackCallList:
    """The branch's sample of completed visits (drawn for the last 14 days as it is listed:
    the branch setting `feedback_share`, default 10 %), with each borrower's phone."""
    items = service.list_calls(session=session, branch=branch, status=query.status, now=now)
    return FeedbackCallList(share=feedback_share(branch.settings), items=items)


@router.post(
    "/feedback-calls/{call_id}",
    operation_id="feedback-calls-record",
    response_model=FeedbackCallPublic,
)
def record(
    call_id: uuid.UUID,
    form: FeedbackForm,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> FeedbackCallPublic:
    """What the borrower said on the follow-up call, or that they could not be reached."""
    return service.record(session=session, manager=manager, call_id=call_id, form=form, now=now)
