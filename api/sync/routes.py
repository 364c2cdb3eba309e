"""Sync endpoints (thin: parse, authorise, call the service) and the review list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import col, select

from api.deps import ClockDep, CurrentManager, CurrentUser, SessionDep
from api.sync import service
from api.sync.protocol import PullRequest, PullResponse, PushRequest, PushResponse
from models import ChangeRequest, MutationLog, User

router = APIRouter(tags=["sync"])


@router.post("/sync/pull", operation_id="sync-pull", response_model=PullResponse)
def pull(body: PullRequest, user: CurrentUser, session: SessionDep, now: ClockDep) -> PullResponse:
    return service.pull(session=session, user=user, request=body, now=now)


@router.post("/sync/push", operation_id="sync-push", response_model=PushResponse)
def push(body: PushRequest, user: CurrentUser, session: SessionDep, now: ClockDep) -> PushResponse:
    return service.push(session=session, user=user, request=body, now=now)


class ReviewMutation(BaseModel):
    id: int
    device_id: uuid.UUID
    officer_id: uuid.UUID
    officer_name: str
    mutation_id: int
    name: str
    args: dict[str, Any]
    status: str
    reason: str
    client_time: datetime | None
    received_at: datetime


class ReviewChangeRequest(BaseModel):
    id: uuid.UUID
    visit_id: uuid.UUID
    borrower_id: uuid.UUID
    officer_id: uuid.UUID
    kind: str
    reason: str
    proposed: dict[str, Any]
    status: str
    created_at: datetime


class ReviewList(BaseModel):
    mutations: list[ReviewMutation]
    change_requests: list[ReviewChangeRequest]


@router.get("/review", operation_id="review-list", response_model=ReviewList)
def review_list(manager: CurrentManager, session: SessionDep) -> ReviewList:
    """Flagged and rejected entries from phones, and open change requests, of the branch."""
    rows = session.exec(
        select(MutationLog, User.full_name)
        .join(User, col(User.id) == MutationLog.user_id)
        .where(
            MutationLog.branch_id == manager.branch_id,
            col(MutationLog.status).in_(["flagged", "rejected"]),
            col(MutationLog.reviewed_at).is_(None),
        )
        .order_by(col(MutationLog.received_at).desc(), col(MutationLog.id).desc())
        .limit(500)
    )
    mutations = [
        ReviewMutation(
            id=log.id or 0,
            device_id=log.device_id,
            officer_id=log.user_id,
            officer_name=name,
            mutation_id=log.mutation_id,
            name=log.name,
            args=log.args,
            status=log.status,
            reason=log.reason,
            client_time=log.client_time,
            received_at=log.received_at,
        )
        for log, name in rows
    ]
    requests = session.exec(
        select(ChangeRequest)
        .where(ChangeRequest.branch_id == manager.branch_id, ChangeRequest.status == "open")
        .order_by(col(ChangeRequest.received_at).desc())
    )
    return ReviewList(
        mutations=mutations,
        change_requests=[
            ReviewChangeRequest.model_validate(r, from_attributes=True) for r in requests
        ],
    )
