"""Follow-up calls: query, form and public models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_NOTE = 500


class FeedbackQuery(BaseModel):
    status: Literal["sampled", "done", "unreachable", "all"] = "sampled"


class FeedbackForm(BaseModel):
    """The short form: `done` with the four answers, or `unreachable`. Whether the answers
    fit the status is checked after the call is found (`problem`): another branch's call
    is a 404 whatever the form says."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    status: Literal["done", "unreachable"] | None = None
    courteous: bool | None = None
    lawful: bool | None = None
    explained: bool | None = None
    satisfied: int | None = Field(None, ge=1, le=5)
    note: str = Field("", max_length=MAX_NOTE)

    def problem(self) -> str | None:
        answers = (self.courteous, self.lawful, self.explained, self.satisfied)
        if self.status is None:
            return "status: give 'done' (with the answers) or 'unreachable'."
        if self.status == "done" and any(a is None for a in answers):
            return (
                "A done call answers courteous, lawful, explained (true/false) and satisfied (1-5)."
            )
        if self.status == "unreachable" and any(a is not None for a in answers):
            return "An unreachable borrower gave no answers: send only status and note."
        return None


class FeedbackCallPublic(BaseModel):
    id: uuid.UUID
    visit_id: uuid.UUID
    visit_date: date
    borrower_id: uuid.UUID
    borrower_name: str
    phone: str
    officer_id: uuid.UUID
    officer_name: str
    sampled_at: datetime
    status: str
    called_by: uuid.UUID | None
    called_at: datetime | None
    courteous: bool | None
    lawful: bool | None
    explained: bool | None
    satisfied: int | None
    note: str


class FeedbackCallList(BaseModel):
    share: float = Field(description="The branch's share of completed visits sampled.")
    items: list[FeedbackCallPublic]
