"""The public shapes of agreements and promises, the bodies of the manager's decisions, and
how the public shapes are made from the service's rows. The branch's agreement limits are
`plan.AgreementSettings` (the stored and the public shape)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from api.agreements.lists import AgreementRow, PromiseRow
from api.public import from_record
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


class _Undertaking(BaseModel):
    """What agreements and promises both are: an officer's record of what a borrower
    undertook on a loan, at a visit. The fields lead in this order in both."""

    id: uuid.UUID
    status: str  # narrowed to its own statuses by each kind
    borrower_id: uuid.UUID
    borrower_name: str
    loan_id: uuid.UUID
    account_number: str
    officer_id: uuid.UUID
    officer_name: str
    visit_id: uuid.UUID | None


class AgreementSummary(_Undertaking):
    status: AgreementStatus
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


class PromisePublic(_Undertaking):
    status: PromiseStatus
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


# --- from the service's rows ------------------------------------------------------------


def _names(row: AgreementRow | PromiseRow) -> dict[str, str]:
    """The names an `_Undertaking` shows for its ids: joined in by both lists' queries."""
    return {
        "borrower_name": row.borrower_name,
        "account_number": row.account_number,
        "officer_name": row.officer_name,
    }


def agreement_summary(row: AgreementRow) -> AgreementSummary:
    return from_record(
        AgreementSummary,
        row.agreement,
        **_names(row),
        paid_fen=row.paid_fen,
        instalments=len(row.lines),
        missed_lines=row.missed_lines,
        next_due_date=row.next_due_date,
    )


def agreement_public(
    row: AgreementRow, *, superseded_by: uuid.UUID | None, allowed_actions: list[str]
) -> AgreementPublic:
    """The full record: the summary, the signed text and signatures, the schedule."""
    return from_record(
        AgreementPublic,
        row.agreement,
        **dict(agreement_summary(row)),
        national_id_masked=row.national_id_masked,
        superseded_by=superseded_by,
        lines=[
            AgreementLinePublic.model_validate(line, from_attributes=True) for line in row.lines
        ],
        allowed_actions=allowed_actions,
    )


def promise_public(row: PromiseRow) -> PromisePublic:
    return from_record(PromisePublic, row.promise, **_names(row))


# --- the text to sign (POST /agreements/render) -------------------------------------------

MAX_SAFE_FEN = 2**53 - 1  # what the phone can hold exactly


class RenderLineIn(BaseModel):
    due_date: date
    amount_fen: int = Field(gt=0, le=MAX_SAFE_FEN)


class RenderTermsIn(BaseModel):
    principal_fen: int = Field(gt=0, le=MAX_SAFE_FEN)
    down_payment_fen: int = Field(default=0, ge=0, le=MAX_SAFE_FEN)
    schedule: list[RenderLineIn] = Field(min_length=1, max_length=120)


class AgreementRenderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    loan_id: uuid.UUID
    terms: RenderTermsIn
    signed_on: date | None = Field(
        default=None, description="The signing day (default: today in the branch's zone)."
    )
    officer_id: uuid.UUID | None = Field(
        default=None, description="Whose name the text carries (default: you; managers only)."
    )


class AgreementTextPublic(BaseModel):
    """The text a borrower signs for these terms, as the phone renders it."""

    text: str
    text_sha256: str
    template_version: int
