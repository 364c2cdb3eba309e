"""What borrowers say about collection: complaints, and the branch's follow-up calls (回访)
to a sample of visited borrowers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from models.base import Versioned
from models.types import UTCDateTime, new_id, utcnow


class Complaint(Versioned, table=True):
    """A borrower's complaint about collection conduct, recorded by an officer (phone) or the
    manager (console); open until the manager resolves it."""

    __tablename__ = "complaint"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    visit_id: uuid.UUID | None = Field(default=None, foreign_key="visit.id")
    about_officer_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    recorded_by: uuid.UUID = Field(foreign_key="app_user.id")
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    channel: str = Field(max_length=8)  # visit | phone | branch | letter
    category: str = Field(max_length=16)  # api.complaints.service.CATEGORIES
    text: str = Field(default="", max_length=2000)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default="open", max_length=8, index=True)  # open | resolved
    resolved_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution: str = Field(default="", max_length=1000)


class FeedbackCall(Versioned, table=True):
    """The branch's follow-up call after a completed visit drawn into the sample."""

    __tablename__ = "feedback_call"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", unique=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    officer_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)  # the visit's lead
    sampled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default="sampled", max_length=12, index=True)  # sampled|done|unreachable
    called_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    called_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    courteous: bool | None = None
    lawful: bool | None = None
    explained: bool | None = None
    satisfied: int | None = None  # 1..5
    note: str = Field(default="", max_length=500)
