"""Append-only audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.types import JSONType, UTCDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", index=True)
    device_id: uuid.UUID | None = None
    branch_id: uuid.UUID | None = Field(default=None, foreign_key="branch.id", index=True)
    action: str = Field(max_length=64)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=64, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    lat: float | None = None
    lon: float | None = None
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)
