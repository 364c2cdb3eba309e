"""Lawful hours, preferred times and the plan's clock (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from api.planning.schedule import (
    DayClock,
    PlanningSettings,
    TravelSettings,
    visit_window,
    visiting_hours,
)
from api.settings_merge import merge_model

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
LAWFUL = (time(8), time(21))
SERVICE = 40 * 60


def h(hours: float) -> int:
    return int(hours * 3600)


@pytest.mark.parametrize(
    ("settings", "hours"),
    [
        ({}, (time(8), time(21))),
        (
            {"policy": {"visiting_hours": {"start": "09:00", "end": "18:30"}}},
            (time(9), time(18, 30)),
        ),
        ({"policy": {"visiting_hours": ["07:30", "20:00"]}}, (time(7, 30), time(20))),
        ({"policy": {"visiting_hours": "08:00-20:00"}}, (time(8), time(20))),
        ({"policy": {"visiting_hours": {"start": "21:00", "end": "08:00"}}}, (time(8), time(21))),
        ({"policy": {"visiting_hours": "nonsense"}}, (time(8), time(21))),
        ({"policy": "x"}, (time(8), time(21))),
    ],
)
def test_visiting_hours(settings: dict[str, object], hours: tuple[time, time]) -> None:
    assert visiting_hours(settings) == hours


def test_day_clock_in_the_branch_zone() -> None:
    clock = DayClock(MONDAY, SHANGHAI)
    assert clock.midnight == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert clock.seconds(time(8)) == h(8)
    assert clock.at(h(8)) == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert clock.seconds_of(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == h(10)


def test_day_clock_across_a_daylight_saving_change() -> None:
    # Europe/Berlin moves from +1 to +2 at 02:00 on 2026-03-29: 08:00 is 7 hours after midnight.
    clock = DayClock(date(2026, 3, 29), ZoneInfo("Europe/Berlin"))
    assert clock.seconds(time(8)) == h(7)
    assert clock.at(clock.seconds(time(8))) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)


def test_window_without_preferences_is_the_lawful_hours() -> None:
    window = visit_window([], clock=DayClock(MONDAY, SHANGHAI), lawful=LAWFUL, service_s=SERVICE)
    assert (window.start, window.end, window.note) == (h(8), h(21), None)


def test_preferred_times_are_intersected_with_lawful_hours() -> None:
    clock = DayClock(MONDAY, SHANGHAI)
    evening = visit_window(
        [{"start": "17:30", "end": "22:30"}], clock=clock, lawful=LAWFUL, service_s=SERVICE
    )
    assert (evening.start, evening.end, evening.note) == (h(17.5), h(21), None)
    longest = visit_window(
        [{"start": "07:00", "end": "09:00"}, {"start": "13:00", "end": "16:00"}],
        clock=clock,
        lawful=LAWFUL,
        service_s=SERVICE,
    )
    assert (longest.start, longest.end) == (h(13), h(16))


def test_weekday_specific_preferences() -> None:
    clock = DayClock(MONDAY, SHANGHAI)  # weekday 0
    prefs = [
        {"start": "09:00", "end": "11:00", "weekdays": [0, 2]},
        {"start": "15:00", "end": "17:00", "weekdays": [5, 6]},
    ]
    window = visit_window(prefs, clock=clock, lawful=LAWFUL, service_s=SERVICE)
    assert (window.start, window.end) == (h(9), h(11))
    saturday = visit_window(
        prefs, clock=DayClock(date(2026, 11, 28), SHANGHAI), lawful=LAWFUL, service_s=SERVICE
    )
    assert (saturday.start, saturday.end) == (h(15), h(17))
    tuesday = visit_window(
        prefs, clock=DayClock(date(2026, 11, 24), SHANGHAI), lawful=LAWFUL, service_s=SERVICE
    )
    assert (tuesday.start, tuesday.end, tuesday.note) == (h(8), h(21), None)


def test_empty_intersection_falls_back_to_lawful_hours_with_a_note() -> None:
    clock = DayClock(MONDAY, SHANGHAI)
    early = visit_window(
        [{"start": "06:00", "end": "07:30"}, {"start": "20:45", "end": "23:00"}],
        clock=clock,
        lawful=LAWFUL,
        service_s=SERVICE,
    )
    assert (early.start, early.end) == (h(8), h(21))
    assert early.note is not None
    assert early.note["code"] == "window_note" and early.note["points"] == 0
    assert "06:00-07:30" in early.note["text"] and "08:00-21:00" in early.note["text_zh"]


def test_malformed_preferences_are_ignored() -> None:
    clock = DayClock(MONDAY, SHANGHAI)
    prefs: object = [{"start": "25:00", "end": "26:00"}, "x", {"start": "10:00"}]
    window = visit_window(prefs, clock=clock, lawful=LAWFUL, service_s=SERVICE)
    assert (window.start, window.end, window.note) == (h(8), h(21), None)


def test_planning_and_travel_settings_merge() -> None:
    planning = merge_model(PlanningSettings, {"service_min": 30, "time_limit_s": -1})
    assert planning.service_min == 30 and planning.time_limit_s == 5.0
    travel = merge_model(TravelSettings, {"detour_factor": 1.5})
    assert (travel.detour_factor, travel.speed_kmh) == (1.5, 30.0)
