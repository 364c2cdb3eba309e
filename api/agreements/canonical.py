"""What a signed agreement *is*, and the checks that its signed content holds together.
Pure: the same id with any other content is tampering, whether it arrives again from a
phone or is edited in the database (`verify`)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from api.agreements.mutations import MAX_SIGNATURE_BYTES, AgreementArgs
from api.writes.rules import Rejected
from models import Agreement, AgreementLine


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
    """The canonical content of an agreement as the phone sends it."""
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


def stored_agreement_canonical(agreement: Agreement, lines: list[AgreementLine]) -> dict[str, Any]:
    """The canonical content of an agreement as stored (its schedule lines in order)."""
    return agreement_canonical(
        agreement_id=agreement.id,
        visit_id=agreement.visit_id,
        loan_id=agreement.loan_id,
        principal_fen=agreement.principal_fen,
        down_payment_fen=agreement.down_payment_fen,
        schedule=[(line.due_date, line.amount_fen) for line in lines],
        text_sha256=agreement.text_sha256,
        borrower_signature=agreement.borrower_signature,
        officer_signature=agreement.officer_signature,
        signed_at=agreement.signed_at,
        location=(agreement.lat, agreement.lon)
        if agreement.lat is not None and agreement.lon is not None
        else None,
    )


def content_sha256(canonical: dict[str, Any]) -> str:
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
