"""Wire formats of sync protocol v1. The arguments of each mutation belong to the domain that
applies it (see api.sync.handlers)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

PROTOCOL_VERSION = 1
MAX_MUTATIONS = 500
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_CHANGES_PER_PAGE = 1000

MutationStatus = Literal["applied", "duplicate", "rejected", "flagged"]


class PullRequest(BaseModel):
    protocol: int
    device_id: uuid.UUID
    cookie: str | None = None


class Change(BaseModel):
    op: Literal["put", "del"]
    entity: str
    id: str
    version: int | None = None
    data: dict[str, Any] | None = None


class PullResponse(BaseModel):
    cookie: str
    reset: bool
    has_more: bool
    control: Literal["wipe"] | None
    last_mutation_id: int
    server_time: datetime
    expires_at: datetime
    changes: list[Change]


class Mutation(BaseModel):
    id: int = Field(ge=1)
    name: str = Field(max_length=64)
    args: dict[str, Any]
    client_time: AwareDatetime | None = None


class PushRequest(BaseModel):
    protocol: int
    device_id: uuid.UUID
    mutations: list[Mutation]


class MutationResult(BaseModel):
    id: int
    status: MutationStatus
    reason: str = ""
    # Machine-readable: the flag codes, or why it was rejected (the phone words them).
    codes: list[str] = Field(default_factory=list)
    # For a replayed id: the status it got the first time.
    original_status: MutationStatus | None = None


class PushResponse(BaseModel):
    last_mutation_id: int
    results: list[MutationResult]
