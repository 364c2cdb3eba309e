"""Promises to pay and signed instalment agreements."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Versioned
from models.enums import AgreementStatus, PromiseStatus, ScheduleLineStatus
from models.types import JSONType, UTCDateTime, utcnow


class Promise(Versioned, table=True):
    __tablename__ = "promise"

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID | None = Field(default=None, foreign_key="visit.id", index=True)
    loan_id: uuid.UUID = Field(foreign_key="loan.id", index=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    officer_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    amount_fen: int = Field(sa_type=sa.BigInteger)
    due_date: date = Field(index=True)
    status: PromiseStatus = Field(default=PromiseStatus.open, sa_type=sa.String(16), index=True)
    paid_fen: int = Field(default=0, sa_type=sa.BigInteger)
    made_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Agreement(Versioned, table=True):
    """Signed terms never change: a change is a new agreement that supersedes this one."""

    __tablename__ = "agreement"

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID | None = Field(default=None, foreign_key="visit.id", index=True)
    loan_id: uuid.UUID = Field(foreign_key="loan.id", index=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    officer_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    principal_fen: int = Field(sa_type=sa.BigInteger)
    down_payment_fen: int = Field(default=0, sa_type=sa.BigInteger)
    text: str = Field(sa_type=sa.Text)
    text_sha256: str = Field(max_length=64)
    borrower_signature: str = Field(sa_type=sa.Text)
    officer_signature: str = Field(sa_type=sa.Text)
    signed_at: datetime = Field(sa_type=UTCDateTime)
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    # SHA-256 over the canonical form of terms, text, signatures, time and place.
    content_sha256: str = Field(max_length=64)
    status: AgreementStatus = Field(
        default=AgreementStatus.signed, sa_type=sa.String(24), index=True
    )
    supersedes_id: uuid.UUID | None = Field(default=None, foreign_key="agreement.id", index=True)
    policy_version: int | None = None
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str = Field(default="", max_length=500)
    # Why it waits for the manager (beyond the branch limits, a second agreement...).
    # [{"code", "text", "text_zh"}]
    approval_reasons: list[dict[str, str]] = Field(default_factory=list, sa_type=JSONType)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Tracking against imported payments (the down payment is due on the signing day).
    down_payment_paid_fen: int = Field(default=0, sa_type=sa.BigInteger)
    down_payment_status: ScheduleLineStatus = Field(
        default=ScheduleLineStatus.due, sa_type=sa.String(16)
    )


class AgreementLine(SQLModel, table=True):
    __tablename__ = "agreement_line"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: uuid.UUID = Field(foreign_key="agreement.id", index=True)
    seq: int
    due_date: date
    amount_fen: int = Field(sa_type=sa.BigInteger)
    paid_fen: int = Field(default=0, sa_type=sa.BigInteger)
    status: ScheduleLineStatus = Field(default=ScheduleLineStatus.due, sa_type=sa.String(16))
    # The day the payments allocated to this line (oldest first) covered it in full.
    paid_on: date | None = None
