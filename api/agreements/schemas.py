"""The public shapes of agreements and promises, and the bodies of the manager's decisions.
The branch's agreement limits are `plan.AgreementSettings` (the stored and the public shape)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from models.enums import AgreementStatus, PromiseStatus, ScheduleLineStatus


class AgreementLinePublic(BaseModel):
    seq: int
    due_date: date
    amount_fen: int
    paid_fen: int
    status: ScheduleLineStatus
    paid_on: date | None


class ApprovalReasonPublic(BaseModel):
    code: str
    text: str
    text_zh: str


class AgreementSummary(BaseModel):
    id: uuid.UUID
    status: AgreementStatus
    borrower_id: uuid.UUID
    borrower_name: str
    loan_id: uuid.UUID
    account_number: str
    officer_id: uuid.UUID
    officer_name: str
    visit_id: uuid.UUID | None
    principal_fen: int
    down_payment_fen: int
    down_payment_paid_fen: int
    down_payment_status: ScheduleLineStatus
    paid_fen: int = Field(description="Down payment and lines paid so far.")
    instalments: int
    missed_lines: int
    next_due_date: date | None
    signed_at: datetime
    received_at: datetime
    approval_reasons: list[ApprovalReasonPublic]
    decision_reason: str
    decided_at: datetime | None
    supersedes_id: uuid.UUID | None
    version: int


class AgreementPublic(AgreementSummary):
    national_id_masked: str
    text: str
    text_sha256: str
    content_sha256: str
    borrower_signature: str
    officer_signature: str
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    decided_by: uuid.UUID | None
    activated_at: datetime | None
    status_changed_at: datetime | None
    superseded_by: uuid.UUID | None
    lines: list[AgreementLinePublic]
    allowed_actions: list[str] = Field(description="What a manager may do now.")


class PromisePublic(BaseModel):
    id: uuid.UUID
    status: PromiseStatus
    borrower_id: uuid.UUID
    borrower_name: str
    loan_id: uuid.UUID
    account_number: str
    officer_id: uuid.UUID
    officer_name: str
    visit_id: uuid.UUID | None
    amount_fen: int
    paid_fen: int
    due_date: date
    made_at: datetime
    received_at: datetime
    resolved_at: datetime | None
    version: int


class VerificationPublic(BaseModel):
    valid: bool
    stored_sha256: str
    computed_sha256: str
    text_sha256_valid: bool
    problems: list[str]


class ReasonBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    # Required, but checked after the agreement is found (another branch's id answers 404).
    reason: str = Field("", max_length=500, description="Required; shown on the officer's phone.")


class ApproveBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    note: str = Field("", max_length=500, description="Optional note for the officer.")
