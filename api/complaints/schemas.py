"""Complaints: request and response models of the console's endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.complaints.labels import MAX_RESOLUTION, MAX_TEXT, Category, Channel


class ComplaintCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    borrower_id: uuid.UUID
    visit_id: uuid.UUID | None = None
    about_officer_id: uuid.UUID | None = None
    channel: Channel = "branch"
    category: Category
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    at: AwareDatetime | None = Field(None, description="When the complaint was made; now if unset.")


class ResolveComplaint(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    # Checked non-empty once the complaint is found (another branch's is a 404 first).
    resolution: str = Field("", max_length=MAX_RESOLUTION)


class ComplaintQuery(BaseModel):
    status: Literal["open", "resolved", "all"] = "open"


class ComplaintPublic(BaseModel):
    id: uuid.UUID
    borrower_id: uuid.UUID
    borrower_name: str
    phone: str
    visit_id: uuid.UUID | None
    about_officer_id: uuid.UUID | None
    about_officer_name: str
    recorded_by: uuid.UUID
    channel: str
    category: str
    category_zh: str
    category_en: str
    text: str
    at: datetime
    received_at: datetime
    status: str
    resolved_by: uuid.UUID | None
    resolved_at: datetime | None
    resolution: str


class ComplaintList(BaseModel):
    items: list[ComplaintPublic]
