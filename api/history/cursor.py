"""The timeline's order and its opaque page cursor. Pure.

Items sort newest first by (at, rank, key): rank names the source (a fixed number per
table), key is the row's id within it, so two items at the same instant keep one order and a
page boundary between them is exact."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from api.errors import InvalidInput

BAD_CURSOR = "`before` is not a cursor this endpoint gave; reload the first page without it."

Key = uuid.UUID | int


@dataclass(frozen=True, order=True)
class Position:
    at: datetime
    rank: int
    key: str  # str(uuid) or zero-padded int: both sort as their database column does

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.rank}|{self.key}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def sort_key(key: Key) -> str:
    return str(key) if isinstance(key, uuid.UUID) else f"{key:020d}"


def position(at: datetime, rank: int, key: Key) -> Position:
    return Position(at.astimezone(UTC), rank, sort_key(key))


def decode(cursor: str) -> Position:
    """The position a cursor names; 422 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, rank_text, key = raw.split("|")
        at = datetime.fromisoformat(at_text)
        rank = int(rank_text)
    except ValueError as exc:
        raise InvalidInput(BAD_CURSOR) from exc
    if at.tzinfo is None or not 0 < rank < 100 or not key or len(key) > 40:
        raise InvalidInput(BAD_CURSOR)
    return Position(at.astimezone(UTC), rank, key)


def typed_key(pos: Position, *, integer: bool) -> Key:
    """The cursor's key as the source's id column holds it."""
    try:
        return int(pos.key) if integer else uuid.UUID(pos.key)
    except ValueError as exc:
        raise InvalidInput(BAD_CURSOR) from exc
