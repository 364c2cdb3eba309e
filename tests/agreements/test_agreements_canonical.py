import hashlib

import pytest

from api.agreements.canonical import canonical_from_args, check_agreement, content_sha256
from api.agreements.mutations import AgreementArgs
from api.writes.rules import Rejected
from tests.phone import agreement_args


def _args(**changes: object) -> AgreementArgs:
    raw = agreement_args(
        visit_id="00000000-0000-0000-0000-000000000001",
        loan_id="00000000-0000-0000-0000-000000000002",
    )
    raw["agreement_id"] = "00000000-0000-0000-0000-0000000000aa"
    raw.update(changes)
    return AgreementArgs.model_validate(raw)


def test_agreement_checks() -> None:
    check_agreement(_args())
    bad_sum = agreement_args(
        visit_id="00000000-0000-0000-0000-000000000001",
        loan_id="00000000-0000-0000-0000-000000000002",
    )
    bad_sum["terms"]["down_payment_fen"] += 1
    with pytest.raises(Rejected, match="must be equal"):
        check_agreement(AgreementArgs.model_validate(bad_sum))
    with pytest.raises(Rejected, match="text_sha256"):
        check_agreement(_args(text="改过的文本"))
    with pytest.raises(Rejected, match="PNG"):
        check_agreement(_args(borrower_signature="data:image/jpeg;base64,AAAA"))


def test_agreement_content_hash_sees_every_term() -> None:
    base = _args()
    digest = content_sha256(canonical_from_args(base))
    assert digest == content_sha256(canonical_from_args(_args()))
    other_text = "另一份文本"
    changed = _args(text=other_text, text_sha256=hashlib.sha256(other_text.encode()).hexdigest())
    assert content_sha256(canonical_from_args(changed)) != digest
    assert content_sha256(canonical_from_args(_args(signed_at="2026-11-23T04:00:00Z"))) != digest
