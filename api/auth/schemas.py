"""The public shapes of sign-in, users and devices."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from models.enums import DeviceStatus, Role


class UserPublic(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    role: Role
    branch_id: uuid.UUID
    phone: str
    # Set when one of the user's devices was revoked: no new phone until a manager
    # re-enables it (POST /users/{user_id}/phone/enable).
    phone_blocked_at: datetime | None = None


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserPublic


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1)


class DeviceCreate(BaseModel):
    name: str = Field(default="phone", max_length=120)
    platform: str = Field(default="", max_length=120)


class DevicePublic(BaseModel):
    device_id: uuid.UUID
    user_id: uuid.UUID
    username: str
    name: str
    platform: str
    status: DeviceStatus
    created_at: datetime
    last_seen_at: datetime | None
    last_pull_at: datetime | None
    last_mutation_id: int
    # The owner may not sign in on a new phone until a manager re-enables it.
    owner_phone_blocked: bool = False
