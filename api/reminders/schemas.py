"""Instalment reminders: query, public and settings models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from api.reminders.template import MAX_CHARS, PLACEHOLDERS, template_problem


class ReminderQuery(BaseModel):
    days: int = Field(3, ge=1, le=14, description="Instalments due from today to today + days.")
    format: Literal["json", "csv", "xlsx"] = "json"


class Reminder(BaseModel):
    line_id: int
    agreement_id: uuid.UUID
    seq: int
    borrower_id: uuid.UUID
    borrower_name: str
    phone: str
    account_number: str
    amount_fen: int = Field(description="What is still due on the instalment (fen).")
    due_date: date
    officer_id: uuid.UUID
    officer_name: str
    sms_text: str
    sent_at: datetime | None = Field(description="When the reminder was marked sent, if it was.")


class ReminderList(BaseModel):
    date_from: date
    date_to: date
    items: list[Reminder]


class ReminderSent(BaseModel):
    line_id: int
    contact_id: uuid.UUID
    sent_at: datetime
    already_sent: bool = Field(description="True when it had been marked sent before.")


class ReminderTemplate(BaseModel):
    template: str = Field(
        max_length=MAX_CHARS,
        description="The SMS text; placeholders: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS),
    )

    @field_validator("template")
    @classmethod
    def _valid(cls, value: str) -> str:
        problem = template_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class ReminderTemplatePublic(ReminderTemplate):
    is_default: bool
    placeholders: list[str]
