"""The public shapes of safety alerts and of who is out now, and the SOS a phone sends."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from api.public import from_record
from api.writes.args import Location, MutationArgs
from models import SafetyAlert


class AlertPublic(BaseModel):
    id: uuid.UUID
    kind: str
    visit_id: uuid.UUID | None
    borrower_id: uuid.UUID | None
    borrower_name: str | None
    officer_id: uuid.UUID
    officer_name: str
    device_id: uuid.UUID | None
    at: datetime
    received_at: datetime
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    message: str
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None


class LocationPublic(BaseModel):
    lat: float
    lon: float
    accuracy_m: float | None
    at: datetime
    source: str


class OutNowPublic(BaseModel):
    officer_id: uuid.UUID
    officer_name: str
    visit_id: uuid.UUID
    borrower_id: uuid.UUID
    borrower_name: str
    address: str
    village: str
    checked_in_at: datetime
    due_back_at: datetime
    minutes_out: int
    overdue: bool
    open_sos: bool
    last_location: LocationPublic | None


def alert_public(
    alert: SafetyAlert,
    *,
    officer_name: str,
    borrower_id: uuid.UUID | None,
    borrower_name: str | None,
) -> AlertPublic:
    """The alert's own columns, with the names a manager reads it by."""
    return from_record(
        AlertPublic,
        alert,
        officer_name=officer_name,
        borrower_id=borrower_id,
        borrower_name=borrower_name,
    )


# --- mutations ----------------------------------------------------------------------------


class SosArgs(MutationArgs):
    alert_id: uuid.UUID
    at: AwareDatetime
    location: Location | None = None
    message: str = Field(default="", max_length=1000)
    visit_id: uuid.UUID | None = None
