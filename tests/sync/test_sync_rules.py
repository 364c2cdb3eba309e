import hashlib
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from api.compliance.policy import policy_from_settings
from api.sync.protocol import AgreementArgs
from api.sync.rules import (
    Rejected,
    canonical_from_args,
    check_agreement,
    check_promise,
    clock_skew_flag,
    content_sha256,
    distance_flag,
    lawful_hours_flag,
    staff_flag,
)
from tests.phone import agreement_args

TZ = ZoneInfo("Asia/Shanghai")
POLICY = policy_from_settings({})


@pytest.mark.parametrize(
    ("local", "flagged"),
    [
        (time(7, 59), True),
        (time(8, 0), False),
        (time(20, 59), False),
        (time(21, 0), True),
        (time(22, 30), True),
    ],
)
def test_lawful_hours_in_branch_time(local: time, flagged: bool) -> None:
    at = datetime.combine(date(2026, 11, 23), local, tzinfo=TZ).astimezone(UTC)
    flag = lawful_hours_flag(at, policy=POLICY, tz=TZ)
    assert (flag is not None) is flagged
    if flag:
        assert flag.code == "outside_lawful_hours" and local.strftime("%H:%M") in flag.message


def test_holiday_is_flagged() -> None:
    policy = policy_from_settings({"policy": {"holidays": ["2026-10-01"]}})
    at = datetime(2026, 10, 1, 10, 0, tzinfo=TZ)
    assert lawful_hours_flag(at, policy=policy, tz=TZ).code == "holiday"  # type: ignore[union-attr]


def test_distance_flag_allows_gps_accuracy() -> None:
    home = (37.0, 116.0)
    near = (37.005, 116.0, 10.0)  # ~556 m
    assert distance_flag(location=near, borrower=home, policy=POLICY) is None
    far = (37.02, 116.0, 50.0)  # ~2.2 km
    assert distance_flag(location=far, borrower=home, policy=POLICY).code == "far_from_address"  # type: ignore[union-attr]
    vague = (37.02, 116.0, 2000.0)
    assert distance_flag(location=vague, borrower=home, policy=POLICY) is None
    assert distance_flag(location=None, borrower=home, policy=POLICY) is None


def test_staff_and_clock_skew() -> None:
    assert staff_flag(1, POLICY).code == "below_min_staff"  # type: ignore[union-attr]
    assert staff_flag(2, POLICY) is None
    now = datetime(2026, 11, 23, 3, tzinfo=UTC)
    assert clock_skew_flag(now.replace(minute=4), now, POLICY) is None
    assert clock_skew_flag(now.replace(minute=6), now, POLICY).code == "clock_skew"  # type: ignore[union-attr]


def test_promise_rules() -> None:
    check_promise(amount_fen=100, due_date=date(2026, 11, 23), made_on=date(2026, 11, 23))
    with pytest.raises(Rejected, match="more than zero"):
        check_promise(amount_fen=0, due_date=date(2026, 11, 30), made_on=date(2026, 11, 23))
    with pytest.raises(Rejected, match="before the day"):
        check_promise(amount_fen=10, due_date=date(2026, 11, 22), made_on=date(2026, 11, 23))


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
