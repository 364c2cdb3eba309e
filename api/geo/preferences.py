"""Preferred visiting times and safety flags: the import's text forms and the stored forms.
Pure.

Preferred times, as written in the import column `方便走访时间` (preferred_times): entries
separated by `;` (or `；`, `,` between entries is not allowed since days use it), each
`[days] HH:MM-HH:MM` in branch local time. Days: `周一`..`周日` (also `星期一`, `Mon`..`Sun`),
a range `周一至周五` / `Mon-Fri`, a list `周一、周三` / `Mon,Wed`, `工作日` (Mon-Fri),
`周末` (Sat, Sun), `每天` / `daily` or nothing (any day). Examples:
`周一至周五 18:00-20:00; 周六 09:00-12:00`, `18:00-20:00`.
Stored as [{"weekdays": [0..6] | null, "start": "HH:MM", "end": "HH:MM"}] (Monday = 0).
"""

from __future__ import annotations

import re
from typing import Any

SAFETY_FLAGS: dict[str, str] = {
    "aggressive_dog": "恶犬",
    "hostile_relative": "家属敌对",
    "remote_road": "偏远道路",
    "prior_threat": "曾有威胁",
}
_FLAG_ALIASES: dict[str, str] = {
    **{code: code for code in SAFETY_FLAGS},
    **{label: code for code, label in SAFETY_FLAGS.items()},
    "有恶犬": "aggressive_dog",
    "道路偏远": "remote_road",
}
MAX_TIME_ENTRIES = 7
MAX_FLAGS = len(SAFETY_FLAGS)

_DAYS: dict[str, int] = {}
for _i, (_zh, _en) in enumerate(
    zip("一二三四五六日", ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), strict=True)
):
    _DAYS[f"周{_zh}"] = _DAYS[f"星期{_zh}"] = _DAYS[_en] = _i
_DAYS["周天"] = _DAYS["星期天"] = 6
_GROUPS: dict[str, list[int] | None] = {
    "工作日": [0, 1, 2, 3, 4],
    "weekdays": [0, 1, 2, 3, 4],
    "周末": [5, 6],
    "weekend": [5, 6],
    "每天": None,
    "daily": None,
    "": None,
}
_CLOCK = r"([01]?\d|2[0-4])[:：]([0-5]\d)"
_ENTRY = re.compile(rf"^(?P<days>.*?)\s*{_CLOCK}\s*(?:-|~|～|–|至|到)\s*{_CLOCK}$")
HOW = "write e.g. 周一至周五 18:00-20:00; 周六 09:00-12:00 (or just 18:00-20:00)"


class PreferenceError(ValueError):
    """What is wrong with a preferred time or a safety flag, and how to write it."""


def _day(word: str) -> int:
    day = _DAYS.get(word.strip().lower())
    if day is None:
        raise PreferenceError(f"{word.strip()!r} is not a day; use 周一..周日 or Mon..Sun")
    return day


def parse_days(text: str) -> list[int] | None:
    words = text.strip().lower()
    if words in _GROUPS:
        return _GROUPS[words]
    days: set[int] = set()
    for part in re.split(r"[、,，/\s]+", words):
        span = re.split(r"至|到|-|~|～|–", part)
        if len(span) == 2:
            first, last = _day(span[0]), _day(span[1])
            if last < first:
                raise PreferenceError(f"{part!r} runs backwards; write the earlier day first")
            days.update(range(first, last + 1))
        elif part:
            days.add(_day(part))
    return sorted(days) or None


def _clock(hour: str, minute: str) -> str:
    if int(hour) == 24 and minute != "00":
        raise PreferenceError(f"{hour}:{minute} is not a time of day")
    return f"{int(hour):02d}:{minute}"


def parse_preferred_times(text: str) -> list[dict[str, Any]]:
    """The import column's text -> stored entries; raises PreferenceError naming the entry."""
    entries = [e.strip() for e in re.split(r"[;；\n]+", text) if e.strip()]
    if len(entries) > MAX_TIME_ENTRIES:
        raise PreferenceError(f"has {len(entries)} entries; at most {MAX_TIME_ENTRIES} are kept")
    out = []
    for n, entry in enumerate(entries, start=1):
        match = _ENTRY.match(entry)
        if match is None:
            raise PreferenceError(f"entry {n} {entry!r} has no time range HH:MM-HH:MM; {HOW}")
        try:
            days = parse_days(match["days"])
            start, end = _clock(match[2], match[3]), _clock(match[4], match[5])
        except PreferenceError as exc:
            raise PreferenceError(f"entry {n} {entry!r}: {exc}; {HOW}") from exc
        if start >= end:
            raise PreferenceError(f"entry {n} {entry!r} ends before it starts; {HOW}")
        out.append({"weekdays": days, "start": start, "end": end})
    return out


def check_time_entry(entry: dict[str, Any]) -> None:
    """A stored-form entry (from the console or a phone): raises PreferenceError."""
    start, end = entry.get("start"), entry.get("end")
    clock = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
    if not isinstance(start, str) or not clock.match(start):
        raise PreferenceError(f"start {start!r} is not HH:MM")
    if not isinstance(end, str) or not clock.match(end):
        raise PreferenceError(f"end {end!r} is not HH:MM")
    if start >= end:
        raise PreferenceError(f"{start}-{end} ends before it starts")


def parse_safety_flags(text: str) -> list[str]:
    """`恶犬、偏远道路` or `aggressive_dog,remote_road` -> codes; unknown words refused."""
    codes: list[str] = []
    for word in (w.strip() for w in re.split(r"[;；,，、/\s]+", text)):
        if not word:
            continue
        code = _FLAG_ALIASES.get(word) or _FLAG_ALIASES.get(word.lower())
        if code is None:
            known = ", ".join(f"{c}/{label}" for c, label in SAFETY_FLAGS.items())
            raise PreferenceError(f"{word!r} is not a safety flag; use {known}")
        if code not in codes:
            codes.append(code)
    return codes
