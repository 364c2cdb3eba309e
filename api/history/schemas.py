"""The public shape of the borrower file's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

HistoryKind = Literal[
    "visit",
    "skip",
    "note",
    "call",
    "sms",
    "promise",
    "agreement",
    "payment",
    "change_request",
    "location",
    "complaint",
    "feedback",
]


class HistoryItem(BaseModel):
    """One event in a borrower's file. `data` depends on `kind`; codes come with their
    labels as {"code", "label_zh", "label_en"}."""

    id: str = Field(description='"<kind>:<id of the row>"')
    kind: HistoryKind
    at: datetime
    officer_name: str | None
    summary: str
    summary_zh: str
    data: dict[str, Any]


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    next: str | None = Field(
        description="Pass as `before` for the next (older) page; null at the end."
    )
