"""Sync endpoints (thin: parse, authorise, call the service)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ClockDep, SessionDep, SyncUser
from api.sync import service
from api.sync.protocol import PullRequest, PullResponse, PushRequest, PushResponse

router = APIRouter(tags=["sync"])


@router.post("/sync/pull", operation_id="sync-pull", response_model=PullResponse)
def pull(body: PullRequest, user: SyncUser, session: SessionDep, now: ClockDep) -> PullResponse:
    return service.pull(session=session, user=user, request=body, now=now)


@router.post("/sync/push", operation_id="sync-push", response_model=PushResponse)
def push(body: PushRequest, user: SyncUser, session: SessionDep, now: ClockDep) -> PushResponse:
    return service.push(session=session, user=user, request=body, now=now)
