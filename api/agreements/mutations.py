"""The arguments of the agreement mutations a phone sends: a payment promise, and an
instalment agreement signed at the door."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import AwareDatetime, ConfigDict, Field

from api.writes.args import Location, MutationArgs

MAX_SIGNATURE_BYTES = 200 * 1024


class PromiseArgs(MutationArgs):
    promise_id: uuid.UUID
    visit_id: uuid.UUID
    loan_id: uuid.UUID
    amount_fen: int
    due_date: date
    # When the promise was made on the phone; "date in the past" is judged against it.
    at: AwareDatetime | None = None


class ScheduleLineArgs(MutationArgs):
    due_date: date
    amount_fen: int = Field(gt=0)


class TermsArgs(MutationArgs):
    principal_fen: int = Field(gt=0)
    down_payment_fen: int = Field(default=0, ge=0)
    schedule: list[ScheduleLineArgs] = Field(min_length=1, max_length=120)


class AgreementArgs(MutationArgs):
    # Not stripped: the text is signed (hashed) exactly as shown.
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
