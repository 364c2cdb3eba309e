"""The public shapes of visits, borrowers, loans, the branch and reference data, and the
arguments of the visit mutations a phone sends (check-in, outcome, check-out, note, change
request)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from api.geo.provider import Precision, Source
from api.geo.public import PreferredTime
from api.public import from_record
from api.writes.args import MAX_PROPOSED_BYTES, Location, Moment, MutationArgs, json_size
from models import Borrower, Loan, Visit
from models.enums import LoanStatus, Segment, VisitStatus

LocationSourceName = Source
LocationPrecisionName = Precision


class VisitReason(BaseModel):
    """Why the visit was planned (a priority reason or a note on its time window)."""

    code: str
    text: str
    text_zh: str
    points: int


class VisitPublic(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID | None
    borrower_id: uuid.UUID
    officer_id: uuid.UUID
    officer_ids: list[uuid.UUID]
    loan_ids: list[str]
    plan_date: date
    route_position: int | None
    window_start: datetime | None
    window_end: datetime | None
    planned_arrival: datetime | None
    leg_distance_m: int | None
    status: VisitStatus
    priority: int
    reasons: list[VisitReason]
    pinned: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    version: int


class LoanPublic(BaseModel):
    id: uuid.UUID
    account_number: str
    product: str
    principal_fen: int
    outstanding_fen: int
    overdue_fen: int
    dpd: int
    last_payment_date: date | None
    status: LoanStatus


class BorrowerPublic(BaseModel):
    id: uuid.UUID
    name: str
    national_id_masked: str
    phone: str
    address: str
    village: str
    lat: float | None
    lon: float | None
    location_source: LocationSourceName | None = Field(
        description="Where lat/lon came from; null when unlocated."
    )
    location_precision: LocationPrecisionName | None = Field(
        description="How precisely lat/lon place the house; null when unlocated."
    )
    located_at: datetime | None
    location_note: str = Field(description="Why the borrower has no location; '' otherwise.")
    segment: Segment
    language: str
    safety_flags: list[str]
    preferred_times: list[PreferredTime]
    loans: list[LoanPublic]
    version: int
    # Filled by GET /borrowers/{id}; not part of the phone's copy (api.sync.scope).
    open_proposals: int = Field(default=0, description="Open proposals about the borrower.")


class HardshipReasonPublic(BaseModel):
    id: uuid.UUID
    code: str
    label_zh: str
    label_en: str
    sort_order: int
    active: bool


def _wall_clock(value: object) -> object:
    return value.strftime("%H:%M:%S") if isinstance(value, time) else value


# A time of day on the branch's clock, sent as "17:30:00". A plain `time` would be documented
# as `format: time`, which (RFC 3339) wants an offset the answer does not carry.
WallClock = Annotated[
    str,
    BeforeValidator(_wall_clock),
    Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$", description="HH:MM:SS, branch time."),
]


class BranchPublic(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    address: str
    phone: str
    lat: float
    lon: float
    timezone: str
    work_start: WallClock
    work_end: WallClock


def visit_public(visit: Visit, officer_ids: list[uuid.UUID]) -> VisitPublic:
    return from_record(VisitPublic, visit, officer_ids=officer_ids)


def borrower_public(
    borrower: Borrower, loans: list[Loan], *, open_proposals: int = 0
) -> BorrowerPublic:
    return from_record(
        BorrowerPublic,
        borrower,
        open_proposals=open_proposals,
        loans=[LoanPublic.model_validate(loan, from_attributes=True) for loan in loans],
    )


# --- mutations ----------------------------------------------------------------------------


class CheckInArgs(MutationArgs):
    visit_id: uuid.UUID
    at: Moment
    location: Location | None = None
    co_visitor_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)


class RecordOutcomeArgs(MutationArgs):
    outcome_id: uuid.UUID
    visit_id: uuid.UUID
    contact: Literal["borrower", "family", "guarantor", "third_party", "nobody", "refused"]
    hardship_reasons: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=20
    )
    hardship_detail: str = Field(default="", max_length=4000)
    next_action: str = Field(default="", max_length=255)
    # The doorstep assessment (api.visits.assessment codes; "" when not asked).
    income_source: str = Field(default="", max_length=24)
    business_condition: str = Field(default="", max_length=24)
    willingness: str = Field(default="", max_length=24)
    follow_up_on: date | None = Field(
        default=None,
        description="When the next action is due: 1 to 90 days after the visit; left out, "
        "the branch's cadence for the next action and DPD bucket gives it.",
    )
    at: Moment


class CheckOutArgs(MutationArgs):
    visit_id: uuid.UUID
    at: Moment
    location: Location | None = None


class NoteArgs(MutationArgs):
    note_id: uuid.UUID
    borrower_id: uuid.UUID
    visit_id: uuid.UUID | None = None
    text: str = Field(min_length=1, max_length=4000)
    at: Moment


class ChangeRequestArgs(MutationArgs):
    request_id: uuid.UUID
    visit_id: uuid.UUID
    kind: Literal["reschedule", "extension", "restructure", "legal"]
    reason: str = Field(default="", max_length=4000)
    proposed: dict[str, Any] = Field(default_factory=dict)

    @field_validator("proposed")
    @classmethod
    def _small(cls, value: dict[str, Any], _info: ValidationInfo) -> dict[str, Any]:
        size = json_size(value)
        if size > MAX_PROPOSED_BYTES:
            raise PydanticCustomError(
                "payload_too_large",
                "the proposal is {size} bytes; at most {limit} are accepted (dates, amounts "
                "and a few words: put longer explanations in `reason`)",
                {"size": size, "limit": MAX_PROPOSED_BYTES},
            )
        return value
