"""Versioned compliance policies per branch, and anchors of purged audit history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import JSONType, UTCDateTime, new_id


class CompliancePolicy(SQLModel, table=True):
    """One version of a branch's policy. Rows are never updated: an edit adds version n+1,
    and the branch's current policy is its highest version."""

    __tablename__ = "compliance_policy"
    __table_args__ = (sa.UniqueConstraint("branch_id", "version"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    version: int
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")


class AuditAnchor(SQLModel, table=True):
    """Where the audit chain starts after old events were purged (retention): the id and
    hash of the last purged event. `verify` checks the oldest kept event against it."""

    __tablename__ = "audit_anchor"

    id: int | None = Field(default=None, primary_key=True)
    last_id: int = Field(sa_type=sa.BigInteger)
    last_hash: str = Field(max_length=64)
    purged: int = Field(default=0, sa_type=sa.BigInteger)
    purged_before: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
