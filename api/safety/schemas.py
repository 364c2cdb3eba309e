"""The public shapes of safety alerts and of who is out now, and the SOS a phone sends."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, ValidationError, model_validator

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


MAX_SOS_MESSAGE = 1000


class SosArgs(MutationArgs):
    """An SOS is never refused over what it carries besides its id: a location that is not
    one is dropped, a message is cut to its bound (NUL bytes shown as U+2400), a visit id
    that is not one is dropped; `salvaged` says what was done, and the alert is flagged.
    A wrong clock must not lose an SOS either: the handler keeps an `at` out of bounds as the
    time it was received."""

    alert_id: uuid.UUID
    at: AwareDatetime | None = None
    location: Location | None = None
    message: str = Field(default="", max_length=MAX_SOS_MESSAGE)
    visit_id: uuid.UUID | None = None
    salvaged: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _salvage(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        kept = {k: v for k, v in data.items() if k in ("alert_id", "at") or k in _SOS_FIELDS}
        salvaged: list[str] = []
        for name, model in (("location", Location), ("at", _Moment)):
            value = kept.get(name)
            if value is None:
                continue
            try:
                model.model_validate({"value": value} if model is _Moment else value)
            except ValidationError:
                kept.pop(name)
                salvaged.append(name)
        message = kept.get("message", "")
        if not isinstance(message, str):
            message = str(message)
        cleaned = message.replace("\x00", "\u2400")[:MAX_SOS_MESSAGE]
        if cleaned != message:
            salvaged.append("message")
        kept["message"] = cleaned
        if kept.get("visit_id") is not None and _not_uuid(kept["visit_id"]):
            kept.pop("visit_id")
            salvaged.append("visit_id")
        kept["salvaged"] = salvaged
        return kept


_SOS_FIELDS = ("location", "message", "visit_id")


class _Moment(BaseModel):
    value: AwareDatetime


def _not_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return True
    return False
