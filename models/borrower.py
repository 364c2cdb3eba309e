"""Borrowers, their loans and the payments imported from core banking."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Versioned
from models.enums import LoanStatus, Segment
from models.types import JSONType, UTCDateTime, new_id, utcnow


class Borrower(Versioned, table=True):
    __tablename__ = "borrower"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    name: str = Field(max_length=120)
    # Only the masked form and a keyed hash are kept: the full number never leaves core banking.
    national_id_masked: str = Field(max_length=32)
    national_id_hash: str = Field(max_length=64, index=True)
    phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=255)
    village: str = Field(default="", max_length=120, index=True)
    lat: float | None = None
    lon: float | None = None
    segment: Segment = Field(default=Segment.individual_trader, sa_type=sa.String(24))
    language: str = Field(default="zh-CN", max_length=16)
    safety_flags: list[str] = Field(default_factory=list, sa_type=JSONType)
    # [{"weekdays": [0..6] | null, "start": "HH:MM", "end": "HH:MM"}], in branch local time.
    preferred_times: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Loan(Versioned, table=True):
    __tablename__ = "loan"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    account_number: str = Field(max_length=40, unique=True)
    product: str = Field(max_length=80)
    principal_fen: int = Field(sa_type=sa.BigInteger)
    outstanding_fen: int = Field(sa_type=sa.BigInteger)
    overdue_fen: int = Field(sa_type=sa.BigInteger)
    dpd: int = 0
    last_payment_date: date | None = None
    status: LoanStatus = Field(default=LoanStatus.active, sa_type=sa.String(16))
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Payment(SQLModel, table=True):
    __tablename__ = "payment"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    loan_id: uuid.UUID = Field(foreign_key="loan.id", index=True)
    # The core banking transaction reference: re-importing the same file changes nothing.
    reference: str = Field(max_length=64, unique=True)
    paid_on: date = Field(index=True)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LoanSnapshot(SQLModel, table=True):
    """A loan's arrears as an import saw them: what recovery and cure rates are measured by."""

    __tablename__ = "loan_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    loan_id: uuid.UUID = Field(foreign_key="loan.id", index=True)
    as_of: date = Field(index=True)
    dpd: int
    overdue_fen: int = Field(sa_type=sa.BigInteger)
    outstanding_fen: int = Field(sa_type=sa.BigInteger)
