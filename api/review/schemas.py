"""The review list and the manager's decisions: request and public models."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, JsonValue


class ReviewMutation(BaseModel):
    id: int
    device_id: uuid.UUID
    officer_id: uuid.UUID
    officer_name: str
    mutation_id: int
    name: str
    args: dict[str, JsonValue] = Field(description="The mutation's arguments, as sent.")
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
