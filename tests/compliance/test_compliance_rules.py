"""`evaluate` rule by rule (pure): each rule fires on its own facts and stays silent
without them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.compliance import rules
from api.compliance.policy import Policy, PolicyData
from api.compliance.rules import Context, evaluate

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
DEFAULT = Policy.from_data(PolicyData(), version=3)


def local(day: date, at: time, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def policy(**changes: object) -> Policy:
    return Policy.from_data(PolicyData.model_validate(changes), version=7)


def codes(ctx: Context) -> list[str]:
    return [v.code for v in evaluate(ctx)]


def test_an_empty_context_breaks_nothing() -> None:
    assert evaluate(Context(policy=DEFAULT, tz=SHANGHAI)) == []


@pytest.mark.parametrize(
    ("at", "flagged"),
    [
        (time(7, 59), True),
        (time(8, 0), False),
        (time(20, 59), False),
        (time(21, 0), True),
        (time(22, 30), True),
        (time(3, 0), True),
    ],
)
def test_lawful_hours_in_the_branch_time_zone(at: time, flagged: bool) -> None:
    ctx = Context(policy=DEFAULT, tz=SHANGHAI, at=local(date(2026, 11, 23), at))
    assert codes(ctx) == (["outside_lawful_hours"] if flagged else [])
    if flagged:
        assert at.strftime("%H:%M") in evaluate(ctx)[0].message


def test_lawful_hours_are_local_time_not_utc() -> None:
    # 09:00 in New York is 14:00 UTC: lawful there, whatever the server's zone.
    at = local(date(2026, 11, 23), time(9, 0), NEW_YORK)
    assert codes(Context(policy=DEFAULT, tz=NEW_YORK, at=at)) == []
    assert codes(Context(policy=DEFAULT, tz=SHANGHAI, at=at)) == ["outside_lawful_hours"]


def test_a_planned_visit_must_end_within_visiting_hours() -> None:
    day = date(2026, 11, 23)
    start = local(day, time(20, 0))
    ok = Context(policy=DEFAULT, tz=SHANGHAI, at=start, until=start + timedelta(minutes=60))
    assert codes(ok) == []
    late = Context(policy=DEFAULT, tz=SHANGHAI, at=start, until=start + timedelta(minutes=61))
    (violation,) = evaluate(late)
    assert violation.code == "outside_lawful_hours" and "21:01" in violation.message


def test_stricter_branch_hours() -> None:
    strict = policy(visiting_hours={"start": "09:00", "end": "18:00"})
    day = date(2026, 11, 23)
    assert codes(Context(policy=strict, tz=SHANGHAI, at=local(day, time(8, 30)))) == [
        "outside_lawful_hours"
    ]
    assert codes(Context(policy=strict, tz=SHANGHAI, at=local(day, time(17, 59)))) == []


def test_holiday_by_time_or_by_day() -> None:
    p = policy(holidays=["2026-10-01"])
    (v,) = evaluate(Context(policy=p, tz=SHANGHAI, at=local(date(2026, 10, 1), time(10))))
    assert v.code == "holiday" and "2026-10-01" in v.message
    assert codes(Context(policy=p, tz=SHANGHAI, day=date(2026, 10, 1))) == ["holiday"]
    assert codes(Context(policy=p, tz=SHANGHAI, day=date(2026, 10, 2))) == []
    # 23:30 UTC on 30 September is already 1 October in Shanghai.
    at = datetime(2026, 9, 30, 23, 30, tzinfo=UTC)
    assert "holiday" in codes(Context(policy=p, tz=SHANGHAI, at=at))


@pytest.mark.parametrize(("team", "flagged"), [(1, True), (2, False), (3, False)])
def test_staff_minimum(team: int, flagged: bool) -> None:
    ctx = Context(policy=DEFAULT, tz=SHANGHAI, team_size=team)
    assert codes(ctx) == (["below_min_staff"] if flagged else [])
    assert codes(Context(policy=policy(min_staff=3), tz=SHANGHAI, team_size=2)) == [
        "below_min_staff"
    ]
    assert codes(Context(policy=policy(min_staff=1), tz=SHANGHAI, team_size=1)) == []


def test_visit_frequency_counts_days_both_ways() -> None:
    day = date(2026, 11, 23)

    def at(*offsets: int, p: Policy = DEFAULT) -> list[str]:
        others = tuple(day + timedelta(days=o) for o in offsets)
        return codes(Context(policy=p, tz=SHANGHAI, day=day, other_visit_days=others))

    assert at() == []
    assert at(-7) == [] and at(7) == []  # one visit in any 7 days
    assert at(-6) == ["visit_frequency"] and at(3) == ["visit_frequency"]
    assert at(0) == ["visit_frequency"]  # two visits the same day
    assert at(-3, p=policy(visit_frequency_days=0)) == []
    assert at(-20, p=policy(visit_frequency_days=30)) == ["visit_frequency"]
    (v,) = evaluate(Context(policy=DEFAULT, tz=SHANGHAI, day=day, other_visit_days=(day,)))
    assert "2026-11-23" in v.message and "7 days" in v.message


def test_frequency_of_a_check_in_uses_its_local_day() -> None:
    # 23:30 UTC on the 22nd is the 23rd in Shanghai; a visit on the 16th is 7 days before.
    at = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    ctx = Context(policy=DEFAULT, tz=SHANGHAI, at=at, other_visit_days=(date(2026, 11, 16),))
    assert rules.visit_frequency(ctx) is None


def test_distance_from_the_address_allows_gps_accuracy() -> None:
    home = (37.0, 116.0)

    def at(lat: float, accuracy: float | None) -> list[str]:
        return codes(
            Context(policy=DEFAULT, tz=SHANGHAI, location=(lat, 116.0, accuracy), address=home)
        )

    assert at(37.005, 10) == []  # ~556 m
    assert at(37.02, 50) == ["far_from_address"]  # ~2.2 km
    assert at(37.02, 2000) == []  # the fix is too vague to tell
    assert at(37.02, None) == ["far_from_address"]
    no_address = Context(
        policy=DEFAULT, tz=SHANGHAI, location=(37.02, 116.0, 5), address=(None, None)
    )
    assert codes(no_address) == []
    assert codes(Context(policy=DEFAULT, tz=SHANGHAI, address=home)) == []


@pytest.mark.parametrize(
    ("contact", "texts", "reasons", "flagged"),
    [
        ("third_party", ("邻居说借款人在外地打工", "留下了借款人新手机号"), (), False),
        ("third_party", ("告诉邻居他欠款三万", ""), (), True),
        ("third_party", ("", "ask neighbour to remind him about the LOAN"), (), True),
        ("third_party", ("", ""), ("illness",), True),
        ("family", ("家属说会尽快还款", ""), ("illness",), False),
        ("borrower", ("逾期原因: 玉米价格下跌", ""), ("market_change",), False),
    ],
)
def test_third_party_contact_is_for_contact_details_only(
    contact: str, texts: tuple[str, str], reasons: tuple[str, ...], flagged: bool
) -> None:
    ctx = Context(
        policy=DEFAULT, tz=SHANGHAI, contact=contact, texts=texts, hardship_reasons=reasons
    )
    assert codes(ctx) == (["third_party_disclosure"] if flagged else [])


def test_third_party_rule_follows_the_policy() -> None:
    relaxed = policy(third_party={"contact_details_only": False})
    ctx = Context(policy=relaxed, tz=SHANGHAI, contact="third_party", texts=("欠款",))
    assert codes(ctx) == []
    own_terms = policy(third_party={"disclosure_terms": ["lawsuit"]})
    assert (
        codes(Context(policy=own_terms, tz=SHANGHAI, contact="third_party", texts=("欠款",))) == []
    )
    hit = Context(policy=own_terms, tz=SHANGHAI, contact="third_party", texts=("a Lawsuit",))
    assert codes(hit) == ["third_party_disclosure"]


def test_overdue_checkout() -> None:
    checked_in = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    def out(minutes: int, *, still_out: bool = False, p: Policy = DEFAULT) -> list[str]:
        end = checked_in + timedelta(minutes=minutes)
        ctx = Context(
            policy=p,
            tz=SHANGHAI,
            checked_in_at=checked_in,
            checked_out_at=None if still_out else end,
            now=end if still_out else None,
        )
        return codes(ctx)

    assert out(90) == [] and out(91) == ["overdue_checkout"]
    assert out(91, still_out=True) == ["overdue_checkout"]
    assert out(45, p=policy(checkout_overdue_minutes=30)) == ["overdue_checkout"]
    # Still out, but nobody said what time it is: nothing to judge.
    assert codes(Context(policy=DEFAULT, tz=SHANGHAI, checked_in_at=checked_in)) == []
    late = Context(
        policy=DEFAULT, tz=SHANGHAI, checked_in_at=checked_in, now=checked_in + timedelta(hours=3)
    )
    assert "still not checked out 180 minutes" in evaluate(late)[0].message


def test_evaluate_reports_every_broken_rule_in_a_fixed_order() -> None:
    p = policy(holidays=["2026-11-23"])
    ctx = Context(
        policy=p,
        tz=SHANGHAI,
        at=local(date(2026, 11, 23), time(22, 30)),
        team_size=1,
        other_visit_days=(date(2026, 11, 20),),
        location=(37.1, 116.0, 10),
        address=(37.0, 116.0),
    )
    assert codes(ctx) == [
        "holiday",
        "outside_lawful_hours",
        "below_min_staff",
        "visit_frequency",
        "far_from_address",
    ]
    assert all(str(v).startswith(v.code + ": ") for v in evaluate(ctx))
