"""Per-mutation rules: what is refused and what is applied but flagged. Pure functions."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from api.compliance import rules as compliance
from api.compliance.policy import Policy
from api.compliance.rules import Violation
from api.sync.protocol import MAX_SIGNATURE_BYTES, AgreementArgs


class Rejected(Exception):
    """A domain error in one mutation: stored for review, counted as processed. `code` lets
    the phone say it in the officer's language; the message is for the review list."""

    def __init__(self, message: str, code: str = "rejected") -> None:
        super().__init__(message)
        self.code = code


# A flag on a mutation is a compliance violation or a sync conflict: same shape.
Flag = Violation


def lawful_hours_flag(at: datetime, *, policy: Policy, tz: ZoneInfo) -> Flag | None:
    """A holiday, else outside visiting hours (see api.compliance.rules)."""
    ctx = compliance.Context(policy=policy, tz=tz, at=at)
    return compliance.holiday(ctx) or compliance.lawful_hours(ctx)


def distance_flag(
    *,
    location: tuple[float, float, float | None] | None,
    borrower: tuple[float | None, float | None],
    policy: Policy,
) -> Flag | None:
    return compliance.distance_from_address(
        compliance.Context(policy=policy, tz=ZoneInfo("UTC"), location=location, address=borrower)
    )


def clock_skew_flag(
    client_time: datetime | None, received_at: datetime, policy: Policy
) -> Flag | None:
    if client_time is None:
        return None
    skew = abs((client_time - received_at).total_seconds())
    if skew > policy.max_clock_skew_s:
        return Flag("clock_skew", f"the phone's clock is {skew / 60:.0f} minutes off")
    return None


def staff_flag(team_size: int, policy: Policy) -> Flag | None:
    return compliance.staff_minimum(
        compliance.Context(policy=policy, tz=ZoneInfo("UTC"), team_size=team_size)
    )


def check_promise(*, amount_fen: int, due_date: date, made_on: date) -> None:
    if amount_fen <= 0:
        raise Rejected("The promised amount must be more than zero.", "amount_not_positive")
    if due_date < made_on:
        raise Rejected(
            f"The promise date {due_date} is before the day it was made ({made_on}).",
            "promise_date_past",
        )
    if due_date > made_on + timedelta(days=366):
        raise Rejected(
            "The promise date is more than a year away; use an instalment agreement.",
            "promise_date_too_far",
        )


def _check_signature(name: str, value: str) -> None:
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise Rejected(f"The {name} must be a PNG data URL.", "signature_invalid")
    try:
        raw = base64.b64decode(value[len(prefix) :], validate=True)
    except ValueError as exc:
        raise Rejected(f"The {name} is not valid base64.", "signature_invalid") from exc
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise Rejected(f"The {name} is larger than 200 KB.", "signature_too_large")
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise Rejected(f"The {name} is not a PNG image.", "signature_invalid")


def check_agreement(args: AgreementArgs) -> None:
    """Terms add up, the text is the one hashed, the signatures are images."""
    terms = args.terms
    total = terms.down_payment_fen + sum(line.amount_fen for line in terms.schedule)
    if total != terms.principal_fen:
        raise Rejected(
            f"Down payment plus schedule is {total} fen but the agreed amount is "
            f"{terms.principal_fen} fen; they must be equal.",
            "schedule_sum",
        )
    dates = [line.due_date for line in terms.schedule]
    if dates != sorted(dates):
        raise Rejected("Schedule dates must be in order.", "schedule_order")
    if hashlib.sha256(args.text.encode()).hexdigest() != args.text_sha256.lower():
        raise Rejected(
            "text_sha256 does not match the agreement text (tampered or corrupted).",
            "text_hash_mismatch",
        )
    _check_signature("borrower signature", args.borrower_signature)
    _check_signature("officer signature", args.officer_signature)


def agreement_canonical(
    *,
    agreement_id: object,
    visit_id: object,
    loan_id: object,
    principal_fen: int,
    down_payment_fen: int,
    schedule: list[tuple[date, int]],
    text_sha256: str,
    borrower_signature: str,
    officer_signature: str,
    signed_at: datetime,
    location: tuple[float, float] | None,
) -> dict[str, Any]:
    """What an agreement *is*: the same id with any other content is tampering."""
    return {
        "agreement_id": str(agreement_id),
        "visit_id": str(visit_id),
        "loan_id": str(loan_id),
        "principal_fen": principal_fen,
        "down_payment_fen": down_payment_fen,
        "schedule": [[due.isoformat(), amount] for due, amount in schedule],
        "text_sha256": text_sha256.lower(),
        "borrower_signature_sha256": hashlib.sha256(borrower_signature.encode()).hexdigest(),
        "officer_signature_sha256": hashlib.sha256(officer_signature.encode()).hexdigest(),
        # Whole seconds in UTC: every database stores them exactly.
        "signed_at": signed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": [round(location[0], 7), round(location[1], 7)] if location else None,
    }


def canonical_from_args(args: AgreementArgs) -> dict[str, Any]:
    return agreement_canonical(
        agreement_id=args.agreement_id,
        visit_id=args.visit_id,
        loan_id=args.loan_id,
        principal_fen=args.terms.principal_fen,
        down_payment_fen=args.terms.down_payment_fen,
        schedule=[(line.due_date, line.amount_fen) for line in args.terms.schedule],
        text_sha256=args.text_sha256,
        borrower_signature=args.borrower_signature,
        officer_signature=args.officer_signature,
        signed_at=args.signed_at,
        location=(args.location.lat, args.location.lon) if args.location else None,
    )


def content_sha256(canonical: dict[str, Any]) -> str:
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
