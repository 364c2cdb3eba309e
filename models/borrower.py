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
    # Provenance of lat/lon (`LocationSource`, `LocationPrecision`); both null when unlocated.
    location_source: str | None = Field(default=None, max_length=16)
    location_precision: str | None = Field(default=None, max_length=16)
    located_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Why an unlocated borrower has no location (the geocoder's answer), for the manager.
    location_note: str = Field(default="", max_length=255)
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


class BorrowerProposal(SQLModel, table=True):
    """A change to a borrower's file proposed from the field (a verified check-in's GPS, an
    officer's "the house is here", preferred times, safety flags): the manager decides."""

    __tablename__ = "borrower_proposal"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    visit_id: uuid.UUID | None = Field(default=None, foreign_key="visit.id")
    kind: str = Field(max_length=16)  # ProposalKind
    # location: {"lat", "lon", "accuracy_m", "distance_m"}; preferred_times: {"preferred_times":
    # [...]}; safety_flags: {"safety_flags": [...]}
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    source: str = Field(max_length=16)  # check_in | officer
    proposed_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default="open", max_length=16, index=True)  # ProposalStatus
    decided_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=500)


class GeocodeCache(SQLModel, table=True):
    """A geocoder's answer to one address, kept so a re-import asks the provider nothing."""

    __tablename__ = "geocode_cache"

    key: str = Field(primary_key=True, max_length=64)  # sha256 of provider + address
    provider: str = Field(max_length=16)
    address: str = Field(max_length=255)
    # {"lat", "lon", "precision", "formatted"} or {"error": "..."} for an address not found
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
