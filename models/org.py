"""Branches, people and their devices."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Versioned
from models.enums import DeviceStatus, Role
from models.types import JSONType, UTCDateTime, new_id, utcnow


class Branch(Versioned, table=True):
    __tablename__ = "branch"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=120)
    address: str = Field(default="", max_length=255)
    phone: str = Field(default="", max_length=32)
    lat: float
    lon: float
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    work_start: time = Field(default=time(8, 30))
    work_end: time = Field(default=time(17, 30))
    # Planning weights, travel model, policy knobs: validated by the services that read them.
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class User(Versioned, table=True):
    __tablename__ = "app_user"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=120)
    role: Role = Field(sa_type=sa.String(16))
    password_hash: str = Field(max_length=255)
    phone: str = Field(default="", max_length=32)
    # Where the officer's day starts and ends when not at the branch.
    home_lat: float | None = None
    home_lon: float | None = None
    # The officer's own working day over the branch's (`api.planning.workday` settings).
    workday: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set when one of the user's devices is revoked: no new device (nor a sign-in without
    # one) until a manager re-enables the user's phone.
    phone_blocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Device(SQLModel, table=True):
    __tablename__ = "device"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    name: str = Field(max_length=120)
    platform: str = Field(default="", max_length=120)
    status: DeviceStatus = Field(default=DeviceStatus.active, sa_type=sa.String(16))
    # Highest mutation id processed for this device (sync protocol: exactly once).
    last_mutation_id: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_pull_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_changed_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")


class LoginAttempt(SQLModel, table=True):
    """Failed and successful sign-ins, for rate limiting per user and per address."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    succeeded: bool


class AuthSession(SQLModel, table=True):
    """One sign-in. Its refresh tokens rotate (`generation`); presenting an older one is
    reuse, which revokes the session. It ends at `expires_at` whatever the refreshes."""

    __tablename__ = "auth_session"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    # None: signed in without client_id (device registration, the console, scripts).
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    generation: int = 0
    refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str = Field(default="", max_length=32)


class LoginCounter(SQLModel, table=True):
    """Sign-in failures of one key (a user at an address, a user, an address) in the current
    window; counted with conditional UPDATEs, so parallel attempts never overshoot."""

    __tablename__ = "login_counter"

    key: str = Field(primary_key=True, max_length=64)  # sha256 hex of the key
    window_start: datetime = Field(sa_type=UTCDateTime)
    failures: int = 0
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
