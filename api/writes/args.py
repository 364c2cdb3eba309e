"""The base of every mutation's arguments, the bounds every value a phone sends keeps, and the
location a phone attaches to a fact.

Bounds (issue 13): a moment (`at`, `signed_at`) lies from 90 days before the server's time to
7 days after it (a phone holds visits that far ahead); a due date from 400 days before the
server's day to ten years after it; an amount of money is at most ¥1,000,000,000 (10^11 fen:
every database and JavaScript hold it);
no text anywhere holds a NUL byte (PostgreSQL refuses them) and no number is NaN or infinite.
The window is judged against the `now` passed in the validation context; without one, only
the years 2000 to 2100 are accepted (so nothing overflows when made UTC)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)

MOMENT_PAST = timedelta(days=90)
MOMENT_AHEAD = timedelta(days=7)  # the phone holds visits up to 7 days ahead
DUE_PAST = timedelta(days=400)
DUE_AHEAD = timedelta(days=3653)
MAX_FEN = 10**11
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_ACCURACY_M = 100_000
# A change request's free-form `proposed` (it is shown on the review list).
MAX_PROPOSED_BYTES = 8 * 1024


def json_size(value: Any) -> int:
    """Bytes of `value` as compact UTF-8 JSON (what a database stores)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode())


def server_now(info: ValidationInfo) -> datetime | None:
    """The server's time the entry is judged against (`context={"now": ...}`)."""
    context = info.context
    if isinstance(context, dict):
        now = context.get("now")
        if isinstance(now, datetime) and now.tzinfo is not None:
            return now
    return None


def _check_moment(value: datetime, info: ValidationInfo) -> datetime:
    now = server_now(info)
    low, high = (now - MOMENT_PAST, now + MOMENT_AHEAD) if now else (EARLIEST, LATEST)
    if not low <= value <= high:
        raise ValueError(
            f"{value.isoformat()} is outside the accepted window, from {low:%Y-%m-%d %H:%M} "
            f"to {high:%Y-%m-%d %H:%M} UTC (90 days before the server's time to 7 days after); "
            "check the phone's date and clock"
        )
    return value


def _check_due_date(value: date, info: ValidationInfo) -> date:
    now = server_now(info)
    today = now.astimezone(UTC).date() if now else None
    low, high = (today - DUE_PAST, today + DUE_AHEAD) if today else (EARLIEST.date(), LATEST.date())
    if not low <= value <= high:
        raise ValueError(
            f"{value.isoformat()} is outside the accepted window, from {low} to {high} "
            "(400 days before the server's day to 10 years after it)"
        )
    return value


# A moment on the phone (`at`, `signed_at`), and a due date (promises, schedule lines).
Moment = Annotated[AwareDatetime, AfterValidator(_check_moment)]
DueDate = Annotated[date, AfterValidator(_check_due_date)]
# Money in fen: the sign is checked by each domain (with its own code), the scale here.
Fen = Annotated[int, Field(ge=-MAX_FEN, le=MAX_FEN)]


def unsafe_value(value: Any, path: str = "args", depth: int = 0) -> str | None:
    """Where `value` (as parsed from JSON) holds something no database stores: a NUL byte in
    a text or a key, a NaN or infinite number, nesting deeper than 20 levels."""
    if depth > 20:
        return f"{path} is nested more than 20 levels deep"
    if isinstance(value, str):
        return _unsafe_text(value, path)
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path} is {value}: send a finite number"
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found = _unsafe_text(str(key), f"a key of {path}")
            if found:
                return found
            items.append((f"{path}.{key}", item))
    elif isinstance(value, list | tuple):
        items = [(f"{path}[{i}]", item) for i, item in enumerate(value)]
    for where, item in items:
        found = unsafe_value(item, where, depth + 1)
        if found:
            return found
    return None


def _unsafe_text(value: str, path: str) -> str | None:
    if "\x00" in value:
        return f"a NUL byte (\\x00) in {path}: remove it"
    try:
        value.encode()
    except UnicodeEncodeError:
        return f"{path} is not valid Unicode text (a lone surrogate)"
    return None


class MutationArgs(BaseModel):
    """Unknown keys are ignored: a newer phone may send more than this server reads; but no
    value anywhere in the entry may be one a database refuses (see `unsafe_value`)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        found = unsafe_value(data)
        if found:
            raise ValueError(found)
        return data


class Location(MutationArgs):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=MAX_ACCURACY_M)
