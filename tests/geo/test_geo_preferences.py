"""The import's text forms of preferred times and safety flags."""

from __future__ import annotations

import pytest

from api.geo.preferences import PreferenceError, parse_preferred_times, parse_safety_flags


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("18:00-20:00", [{"weekdays": None, "start": "18:00", "end": "20:00"}]),
        (
            "周一至周五 18:00-20:00; 周六 09:00-12:00",
            [
                {"weekdays": [0, 1, 2, 3, 4], "start": "18:00", "end": "20:00"},
                {"weekdays": [5], "start": "09:00", "end": "12:00"},
            ],
        ),
        (
            "Mon,Wed 8:00~9:30；周末 10:00至11:00",
            [
                {"weekdays": [0, 2], "start": "08:00", "end": "09:30"},
                {"weekdays": [5, 6], "start": "10:00", "end": "11:00"},
            ],
        ),
        ("工作日 19:00-24:00", [{"weekdays": [0, 1, 2, 3, 4], "start": "19:00", "end": "24:00"}]),
        ("", []),
    ],
)
def test_preferred_times(text: str, stored: list[dict[str, object]]) -> None:
    assert parse_preferred_times(text) == stored


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("晚上", "no time range"),
        ("周八 18:00-20:00", "'周八' is not a day"),
        ("周五至周一 18:00-20:00", "runs backwards"),
        ("20:00-18:00", "ends before it starts"),
        ("24:30-25:00", "no time range"),
        (";".join(["18:00-19:00"] * 8), "at most 7"),
    ],
)
def test_preferred_time_errors_say_what_to_fix(text: str, says: str) -> None:
    with pytest.raises(PreferenceError, match=says):
        parse_preferred_times(text)


def test_safety_flags() -> None:
    assert parse_safety_flags("恶犬、家属敌对/偏远道路 曾有威胁 恶犬") == [
        "aggressive_dog",
        "hostile_relative",
        "remote_road",
        "prior_threat",
    ]
    assert parse_safety_flags("Remote_Road,aggressive_dog") == ["remote_road", "aggressive_dog"]
    with pytest.raises(PreferenceError, match="'狼' is not a safety flag; use aggressive_dog/恶犬"):
        parse_safety_flags("狼")
