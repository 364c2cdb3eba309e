"""Complaints at the console: recorded, listed for Review, resolved (manager only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.complaints import service
from api.complaints.schemas import (
    ComplaintCreate,
    ComplaintList,
    ComplaintPublic,
    ComplaintQuery,
    ResolveComplaint,
)
from api.deps import ClockDep, CurrentManager, SessionDep

router = APIRouter(tags=["complaints"])


@router.get("/complaints", operation_id="complaints-list", response_model=ComplaintList)
def list_complaints(
    manager: CurrentManager, session: SessionDep, query: Annotated[ComplaintQuery, Query()]
) -> ComplaintList:
    """The branch's complaints (default: the open ones, which wait in Review)."""
    return ComplaintList(
        items=service.list_complaints(session=session, manager=manager, status=query.status)
    )


@router.post(
    "/complaints", operation_id="complaints-create", response_model=ComplaintPublic, status_code=201
)
def create(
    body: ComplaintCreate, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> ComplaintPublic:
    """A complaint received at the branch (by phone, at the counter, by letter)."""
    return service.record(session=session, manager=manager, body=body, now=now)


@router.post(
    "/complaints/{complaint_id}/resolve",
    operation_id="complaints-resolve",
    response_model=ComplaintPublic,
)
def resolve(
    complaint_id: uuid.UUID,
    body: ResolveComplaint,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> ComplaintPublic:
    return service.resolve(
        session=session,
        manager=manager,
        complaint_id=complaint_id,
        resolution=body.resolution,
        now=now,
    )
