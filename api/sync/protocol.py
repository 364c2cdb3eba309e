"""Wire formats of sync protocol v1."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
MAX_MUTATIONS = 500
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_CHANGES_PER_PAGE = 1000
MAX_SIGNATURE_BYTES = 200 * 1024

MutationStatus = Literal["applied", "duplicate", "rejected", "flagged"]


class PullRequest(BaseModel):
    protocol: int
    device_id: uuid.UUID
    cookie: str | None = None


class Change(BaseModel):
    op: Literal["put", "del"]
    entity: str
    id: str
    version: int | None = None
    data: dict[str, Any] | None = None


class PullResponse(BaseModel):
    cookie: str
    reset: bool
    has_more: bool
    control: Literal["wipe"] | None
    last_mutation_id: int
    server_time: datetime
    expires_at: datetime
    changes: list[Change]


class Mutation(BaseModel):
    id: int = Field(ge=1)
    name: str = Field(max_length=64)
    args: dict[str, Any]
    client_time: AwareDatetime | None = None


class PushRequest(BaseModel):
    protocol: int
    device_id: uuid.UUID
    mutations: list[Mutation]


class MutationResult(BaseModel):
    id: int
    status: MutationStatus
    reason: str = ""
    # Machine-readable: the flag codes, or why it was rejected (the phone words them).
    codes: list[str] = Field(default_factory=list)
    # For a replayed id: the status it got the first time.
    original_status: MutationStatus | None = None


class PushResponse(BaseModel):
    last_mutation_id: int
    results: list[MutationResult]


# --- mutation arguments ---------------------------------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Location(_Args):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0)


class CheckInArgs(_Args):
    visit_id: uuid.UUID
    at: AwareDatetime
    location: Location | None = None
    co_visitor_ids: list[uuid.UUID] = Field(default_factory=list)


class RecordOutcomeArgs(_Args):
    outcome_id: uuid.UUID
    visit_id: uuid.UUID
    contact: Literal["borrower", "family", "guarantor", "third_party", "nobody", "refused"]
    hardship_reasons: list[str] = Field(default_factory=list, max_length=20)
    hardship_detail: str = Field(default="", max_length=4000)
    next_action: str = Field(default="", max_length=255)
    at: AwareDatetime


class CheckOutArgs(_Args):
    visit_id: uuid.UUID
    at: AwareDatetime
    location: Location | None = None


class NoteArgs(_Args):
    note_id: uuid.UUID
    borrower_id: uuid.UUID
    visit_id: uuid.UUID | None = None
    text: str = Field(min_length=1, max_length=4000)
    at: AwareDatetime


class PromiseArgs(_Args):
    promise_id: uuid.UUID
    visit_id: uuid.UUID
    loan_id: uuid.UUID
    amount_fen: int
    due_date: date
    # When the promise was made on the phone; "date in the past" is judged against it.
    at: AwareDatetime | None = None


class ScheduleLineArgs(_Args):
    due_date: date
    amount_fen: int = Field(gt=0)


class TermsArgs(_Args):
    principal_fen: int = Field(gt=0)
    down_payment_fen: int = Field(default=0, ge=0)
    schedule: list[ScheduleLineArgs] = Field(min_length=1, max_length=120)


class AgreementArgs(_Args):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    agreement_id: uuid.UUID
    visit_id: uuid.UUID
    loan_id: uuid.UUID
    terms: TermsArgs
    text: str = Field(min_length=1, max_length=50_000)
    text_sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    borrower_signature: str
    officer_signature: str
    signed_at: AwareDatetime
    location: Location | None = None
    # The agreement of the same loan this one replaces (it becomes superseded once this one
    # is active). Not part of the signed content: it links records, it is not a term.
    supersedes_id: uuid.UUID | None = None


class ChangeRequestArgs(_Args):
    request_id: uuid.UUID
    visit_id: uuid.UUID
    kind: Literal["reschedule", "extension", "restructure", "legal"]
    reason: str = Field(default="", max_length=4000)
    proposed: dict[str, Any] = Field(default_factory=dict)


class SosArgs(_Args):
    alert_id: uuid.UUID
    at: AwareDatetime
    location: Location | None = None
    message: str = Field(default="", max_length=1000)
    visit_id: uuid.UUID | None = None
