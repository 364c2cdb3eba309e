"""The review list and the manager's decisions: request and public models."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, JsonValue

from api.writes.stored import preview, storable
from models import MutationLog


class ReviewMutation(BaseModel):
    id: int
    device_id: uuid.UUID
    officer_id: uuid.UUID
    officer_name: str
    mutation_id: int
    name: str
    args: dict[str, JsonValue] = Field(
        description="The mutation's arguments, as sent; when `args_shortened`, long texts "
        "(signatures) are cut and the rest may be left out."
    )
    args_bytes: int = Field(description="Size of the stored arguments, as JSON.")
    args_shortened: bool = Field(description="Whether `args` shows less than was stored.")
    status: str
    reason: str
    client_time: datetime | None
    received_at: datetime


def review_mutation(log: MutationLog, officer_name: str) -> ReviewMutation:
    """A stored entry as the review list shows it: at most about 16 KB of arguments (any row,
    even one stored before the bounds, is shown as JSON can carry it)."""
    args, size, shortened = preview(storable(log.args))
    return ReviewMutation.model_validate(
        log.model_dump()
        | {
            "id": log.id or 0,
            "officer_id": log.user_id,
            "officer_name": officer_name,
            "args": args,
            "args_bytes": size,
            "args_shortened": shortened,
        }
    )


class ReviewChangeRequest(BaseModel):
    id: uuid.UUID
    visit_id: uuid.UUID
    borrower_id: uuid.UUID
    borrower_name: str = ""
    officer_id: uuid.UUID
    officer_name: str = ""
    kind: str
    reason: str
    proposed: dict[str, JsonValue] = Field(description="What the officer proposes (free-form).")
    status: str
    decision_reason: str
    created_at: datetime


class ReviewList(BaseModel):
    mutations: list[ReviewMutation]
    change_requests: list[ReviewChangeRequest]


class ResolvedEntry(BaseModel):
    id: int
    reviewed_at: datetime | None
    review_note: str


class ResolveBody(BaseModel):
    note: str = Field(default="", max_length=500)


class DecisionBody(BaseModel):
    reason: str = Field(default="", max_length=500)
