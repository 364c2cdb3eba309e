"""The arguments of the agreement mutations a phone sends: a payment promise, and an
instalment agreement signed at the door."""

from __future__ import annotations

import uuid

from pydantic import ConfigDict, Field

from api.writes.args import DueDate, Fen, Location, Moment, MutationArgs

MAX_SIGNATURE_BYTES = 200 * 1024
# Twice a PNG data URL of MAX_SIGNATURE_BYTES (base64: 4 characters per 3 bytes): a bound on
# what is read at all; `canonical` refuses more than MAX_SIGNATURE_BYTES with its own code.
MAX_SIGNATURE_CHARS = MAX_SIGNATURE_BYTES * 4 // 3 * 2


class PromiseArgs(MutationArgs):
    promise_id: uuid.UUID
    visit_id: uuid.UUID
    loan_id: uuid.UUID
    amount_fen: Fen
    due_date: DueDate
    # When the promise was made on the phone; "date in the past" is judged against it.
    at: Moment | None = None


class ScheduleLineArgs(MutationArgs):
    due_date: DueDate
    amount_fen: Fen = Field(gt=0)


class TermsArgs(MutationArgs):
    principal_fen: Fen = Field(gt=0)
    down_payment_fen: Fen = Field(default=0, ge=0)
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
    borrower_signature: str = Field(max_length=MAX_SIGNATURE_CHARS)
    officer_signature: str = Field(max_length=MAX_SIGNATURE_CHARS)
    signed_at: Moment
    location: Location | None = None
    # The agreement of the same loan this one replaces (it becomes superseded once this one
    # is active). Not part of the signed content: it links records, it is not a term.
    supersedes_id: uuid.UUID | None = None
