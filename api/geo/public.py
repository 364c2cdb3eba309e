"""Shapes shared by the borrower records of every domain."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PreferredTime(BaseModel):
    """When the borrower prefers visits, in branch local time; any day unless `weekdays`
    (Monday = 0) is given."""

    start: str
    end: str
    # Left out of the JSON when the stored entry has no weekdays, as stored.
    weekdays: list[int] | None = Field(default=None, exclude_if=lambda days: days is None)
