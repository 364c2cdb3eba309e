"""Schedule maths (the same as the phone's calculator) and what an officer may agree alone."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.agreements.plan import (
    MAX_INSTALMENTS,
    AgreementSettings,
    ScheduleError,
    Terms,
    add_months,
    build_schedule,
    due_date,
    limits_exceeded,
    settings_from_branch,
)


def test_remainder_fen_go_on_the_last_line() -> None:
    schedule = build_schedule(
        amount_fen=1_000_000,
        down_payment_fen=100_001,
        count=7,
        frequency="monthly",
        first_due=date(2026, 12, 23),
    )
    amounts = [line.amount_fen for line in schedule.lines]
    assert amounts == [128_571] * 6 + [128_573]
    assert schedule.total_fen == 1_000_000
    assert [line.seq for line in schedule.lines] == [1, 2, 3, 4, 5, 6, 7]


def test_monthly_dates_clamp_to_the_month_end_and_keep_the_day() -> None:
    schedule = build_schedule(
        amount_fen=400_000,
        down_payment_fen=0,
        count=4,
        frequency="monthly",
        first_due=date(2027, 1, 31),
    )
    assert [line.due_date for line in schedule.lines] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    assert add_months(date(2026, 11, 30), 14) == date(2028, 1, 30)


def test_weekly_and_fortnightly_dates() -> None:
    first = date(2026, 12, 28)
    assert due_date(first, "weekly", 1) == date(2027, 1, 4)
    assert due_date(first, "fortnightly", 2) == date(2027, 1, 25)
    assert due_date(first, "monthly", 0) == first


@pytest.mark.parametrize(
    ("amount", "down", "count", "code"),
    [
        (0, 0, 1, "amount"),
        (1000, -1, 1, "down_payment"),
        (1000, 1000, 1, "down_payment"),
        (1000, 0, 0, "count"),
        (1000, 0, MAX_INSTALMENTS + 1, "count"),
        (10, 5, 6, "too_small"),
    ],
)
def test_inputs_that_make_no_schedule(amount: int, down: int, count: int, code: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        build_schedule(
            amount_fen=amount,
            down_payment_fen=down,
            count=count,
            frequency="weekly",
            first_due=date(2026, 12, 1),
        )
    assert caught.value.code == code


@st.composite
def schedule_inputs(draw: st.DrawFn) -> tuple[int, int, int, str, date]:
    count = draw(st.integers(1, MAX_INSTALMENTS))
    amount = draw(st.integers(count, 10**11))
    down = draw(st.integers(0, amount - count))
    frequency = draw(st.sampled_from(["weekly", "fortnightly", "monthly"]))
    first = draw(st.dates(date(2020, 1, 1), date(2040, 12, 31)))
    return amount, down, count, frequency, first


@given(schedule_inputs())
def test_any_schedule_adds_up_exactly_with_ordered_dates(
    inputs: tuple[int, int, int, str, date],
) -> None:
    amount, down, count, frequency, first = inputs
    schedule = build_schedule(
        amount_fen=amount,
        down_payment_fen=down,
        count=count,
        frequency=frequency,  # type: ignore[arg-type]
        first_due=first,
    )
    lines = schedule.lines
    assert len(lines) == count
    assert down + sum(line.amount_fen for line in lines) == amount
    assert all(line.amount_fen >= 1 for line in lines)
    # Equal lines; only the last one carries the remainder (less than one fen per line).
    assert len({line.amount_fen for line in lines[:-1]}) <= 1
    assert 0 <= lines[-1].amount_fen - lines[0].amount_fen < count
    dates = [line.due_date for line in lines]
    assert dates[0] == first
    assert all(a < b for a, b in itertools.pairwise(dates))
    if frequency == "monthly":
        for d in dates:
            assert d.day == min(first.day, calendar.monthrange(d.year, d.month)[1])
    else:
        step = 7 if frequency == "weekly" else 14
        assert all((b - a).days == step for a, b in itertools.pairwise(dates))


DEFAULTS = AgreementSettings()
SIGNED = date(2026, 11, 23)


def _terms(amount: int, down: int, count: int, first: date, step_days: int = 30) -> Terms:
    return Terms.of(
        amount_fen=amount,
        down_payment_fen=down,
        due_dates=[first + timedelta(days=step_days * i) for i in range(count)],
        signed_on=SIGNED,
    )


def test_within_the_default_limits() -> None:
    assert limits_exceeded(_terms(300_000, 30_000, 12, date(2026, 12, 23)), DEFAULTS) == []


def test_each_limit_says_why() -> None:
    reasons = limits_exceeded(_terms(300_000, 29_999, 13, date(2026, 12, 23)), DEFAULTS)
    assert [r.code for r in reasons] == ["max_instalments", "min_down_payment", "max_term"]
    assert str(reasons[0]) == "13 instalments; an officer may agree at most 12"
    assert reasons[0].text_zh == "分期13期，超过客户经理可自行同意的12期"
    assert "10% needed" in reasons[1].text
    assert reasons[2].text == "term of 390 days; an officer may agree at most 365"
    # Exactly 365 days is still within the limit.
    last = SIGNED + timedelta(days=365)
    assert limits_exceeded(_terms(300_000, 30_000, 1, last), DEFAULTS) == []


def test_branch_settings_merge_over_the_defaults() -> None:
    merged = settings_from_branch(
        {"agreements": {"max_instalments": 24, "grace_days": "x", "unknown": 1}}
    )
    assert merged.max_instalments == 24
    assert merged.grace_days == 3  # invalid stored value: the default applies
    assert settings_from_branch({}) == DEFAULTS
    looser = AgreementSettings(min_down_payment_pct=0, max_instalments=60, max_term_days=3660)
    assert limits_exceeded(_terms(300_000, 0, 60, date(2026, 12, 1), 7), looser) == []
    assert [r.code for r in limits_exceeded(_terms(300_000, 0, 2, SIGNED), DEFAULTS)] == [
        "min_down_payment"
    ]
