"""The review list and the manager's decisions on it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ClockDep, CurrentManager, SessionDep
from api.review import service

router = APIRouter(tags=["review"])


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
    borrower_name: str = ""
    officer_id: uuid.UUID
    officer_name: str = ""
    kind: str
    reason: str
    proposed: dict[str, Any]
    status: str
    decision_reason: str
    created_at: datetime


class ReviewList(BaseModel):
    mutations: list[ReviewMutation]
    change_requests: list[ReviewChangeRequest]


class ResolveBody(BaseModel):
    note: str = Field(default="", max_length=500)


class DecisionBody(BaseModel):
    reason: str = Field(default="", max_length=500)


@router.get("/review", operation_id="review-list", response_model=ReviewList)
def review_list(manager: CurrentManager, session: SessionDep) -> ReviewList:
    """Flagged and rejected entries from phones, and open change requests, of the branch."""
    return ReviewList(
        mutations=[
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
            for log, name in service.list_entries(session=session, manager=manager)
        ],
        change_requests=[
            ReviewChangeRequest.model_validate(r, from_attributes=True).model_copy(
                update={"borrower_name": borrower, "officer_name": officer}
            )
            for r, borrower, officer in service.list_change_requests(
                session=session, manager=manager
            )
        ],
    )


@router.post("/review/entries/{entry_id}/resolve", operation_id="review-resolve")
def resolve(
    entry_id: int, body: ResolveBody, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> dict[str, Any]:
    entry = service.resolve_entry(
        session=session, manager=manager, entry_id=entry_id, note=body.note, now=now
    )
    return {"id": entry.id, "reviewed_at": entry.reviewed_at, "review_note": entry.review_note}


def _decided(request: Any) -> ReviewChangeRequest:
    return ReviewChangeRequest.model_validate(request, from_attributes=True)


@router.post(
    "/change-requests/{request_id}/approve",
    operation_id="change-requests-approve",
    response_model=ReviewChangeRequest,
)
def approve(
    request_id: uuid.UUID,
    body: DecisionBody,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> ReviewChangeRequest:
    return _decided(
        service.decide_change_request(
            session=session,
            manager=manager,
            request_id=request_id,
            decision="approved",
            reason=body.reason,
            now=now,
        )
    )


@router.post(
    "/change-requests/{request_id}/decline",
    operation_id="change-requests-decline",
    response_model=ReviewChangeRequest,
)
def decline(
    request_id: uuid.UUID,
    body: DecisionBody,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> ReviewChangeRequest:
    return _decided(
        service.decide_change_request(
            session=session,
            manager=manager,
            request_id=request_id,
            decision="declined",
            reason=body.reason,
            now=now,
        )
    )
