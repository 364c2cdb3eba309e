from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from api.compliance.policy import policy_from_settings
from api.writes.rules import clock_skew_flag, distance_flag, lawful_hours_flag, staff_flag

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
