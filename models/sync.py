"""Sync bookkeeping: client view records per cookie and every processed mutation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import JSONType, UTCDateTime, new_id


class ClientView(SQLModel, table=True):
    """The set of (entity, id, version) a device held after a pull; its id is the cookie."""

    __tablename__ = "client_view"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    device_id: uuid.UUID = Field(foreign_key="device.id", index=True)
    # {"entity:id": version}
    records: dict[str, int] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(sa_type=UTCDateTime)


class MutationLog(SQLModel, table=True):
    """Every mutation the server answered for, with its result: replays answer from here,
    rejected and flagged ones are the manager's review list."""

    __tablename__ = "mutation_log"
    __table_args__ = (sa.UniqueConstraint("device_id", "mutation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    device_id: uuid.UUID = Field(foreign_key="device.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    mutation_id: int = Field(sa_type=sa.BigInteger)
    name: str = Field(max_length=64)
    args: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    client_time: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(max_length=16, index=True)
    reason: str = Field(default="", sa_type=sa.Text)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    review_note: str = Field(default="", max_length=500)
