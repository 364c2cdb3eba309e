"""Branch planning settings, lawful visiting hours and visit windows. Pure: no FastAPI, no
database.

Times inside a plan are integer seconds since local midnight of the plan date in the branch
time zone (the solver's clock); `DayClock` converts them to and from UTC datetimes, so a day
with a daylight-saving change is still right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_VISITING_HOURS = (time(8, 0), time(21, 0))


class PlanningSettings(BaseModel):
    """`Branch.settings["planning"]`."""

    model_config = ConfigDict(extra="forbid")

    service_min: int = Field(40, ge=5, le=480, description="Minutes spent at each visit.")
    prize_m_per_point: int = Field(
        1000,
        ge=1,
        le=1_000_000,
        description="Metres of driving one priority point is worth when the day is full.",
    )
    time_limit_s: float = Field(5.0, ge=0.1, le=60, description="Solver budget for a plan.")
    max_iterations: int | None = Field(
        2000,
        ge=1,
        le=1_000_000,
        description=(
            "Stop the solver after this many iterations (the time limit still caps it): "
            "small days finish at once and the same data gives the same plan. 2,000 "
            "iterations take about 1.5 s for 10 officers and 100-200 visits; null = use "
            "the whole time limit."
        ),
    )
    routes_day_capacity: int = Field(
        12, ge=1, le=100, description="Candidates per route taken by an automatic plan."
    )


class TravelSettings(BaseModel):
    """`Branch.settings["travel"]`: straight-line distance times a detour factor, at a speed."""

    model_config = ConfigDict(extra="forbid")

    detour_factor: float = Field(1.3, ge=1.0, le=5.0, allow_inf_nan=False)
    speed_kmh: float = Field(30.0, ge=1.0, le=200.0, allow_inf_nan=False)


_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_hhmm(value: Any) -> time | None:
    """'08:00' -> time(8, 0); '24:00' is the end of the day (23:59:59); None when invalid."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        return None
    match = _HHMM.match(value.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if (hour, minute) == (24, 0):
        return time(23, 59, 59)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def visiting_hours(settings: dict[str, Any]) -> tuple[time, time]:
    """The lawful visiting window from `settings["policy"]["visiting_hours"]`.

    Accepted forms: {"start": "08:00", "end": "21:00"}, ["08:00", "21:00"] or "08:00-21:00".
    Anything else (or nothing) gives 08:00-21:00.
    """
    policy = settings.get("policy")
    raw = policy.get("visiting_hours") if isinstance(policy, dict) else None
    start: Any = None
    end: Any = None
    if isinstance(raw, dict):
        start, end = raw.get("start"), raw.get("end")
    elif isinstance(raw, list | tuple) and len(raw) == 2:
        start, end = raw
    elif isinstance(raw, str) and "-" in raw:
        start, end = raw.split("-", 1)
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    if begin is None or finish is None or begin >= finish:
        return DEFAULT_VISITING_HOURS
    return begin, finish


@dataclass(frozen=True)
class DayClock:
    """Seconds since local midnight of `day` in `zone` <-> UTC datetimes."""

    day: date
    zone: ZoneInfo

    @property
    def midnight(self) -> datetime:
        return datetime.combine(self.day, time(0), tzinfo=self.zone).astimezone(UTC)

    def seconds(self, at: time) -> int:
        local = datetime.combine(self.day, at, tzinfo=self.zone).astimezone(UTC)
        return int((local - self.midnight).total_seconds())

    def seconds_of(self, instant: datetime) -> int:
        return int((instant.astimezone(UTC) - self.midnight).total_seconds())

    def at(self, seconds: int) -> datetime:
        return self.midnight + timedelta(seconds=seconds)

    def local_hhmm(self, seconds: int) -> str:
        """The wall-clock time in the branch's zone, e.g. "08:00"."""
        return f"{self.at(seconds).astimezone(self.zone):%H:%M}"


@dataclass(frozen=True)
class VisitWindow:
    start: int
    end: int
    note: dict[str, Any] | None = None  # a reason entry when preferred times were not usable


def visit_window(
    preferred_times: Any,
    *,
    clock: DayClock,
    lawful: tuple[time, time],
    service_s: int,
) -> VisitWindow:
    """Lawful hours intersected with the borrower's preferred times for that weekday.

    `preferred_times` is a list of {"start": "HH:MM", "end": "HH:MM", "weekdays": [0..6]?}
    in branch local time (Monday = 0). Several matching periods: the longest overlap wins.
    When preferences exist for the day but none leaves room for a visit inside lawful hours,
    the window is the lawful hours and the note says so.
    """
    low, high = clock.seconds(lawful[0]), clock.seconds(lawful[1])
    periods = preferred_periods(preferred_times, clock.day.weekday())
    overlaps = [
        (max(low, clock.seconds(begin)), min(high, clock.seconds(finish)))
        for begin, finish in periods
    ]
    # max() keeps the first of equally long overlaps, as the preferences list them.
    fitting = [(start, end) for start, end in overlaps if end - start >= service_s]
    if fitting:
        return VisitWindow(*max(fitting, key=lambda w: w[1] - w[0]))
    return VisitWindow(low, high, _window_note(periods, lawful) if periods else None)


def preferred_periods(preferred_times: Any, weekday: int) -> list[tuple[time, time]]:
    """The well-formed periods of `preferred_times` that apply on `weekday` (Monday = 0);
    malformed entries are skipped, as a phone may have stored anything."""
    periods: list[tuple[time, time]] = []
    for entry in preferred_times if isinstance(preferred_times, list) else []:
        if not isinstance(entry, dict):
            continue
        days = entry.get("weekdays")
        if isinstance(days, list) and days and weekday not in days:
            continue
        begin, finish = parse_hhmm(entry.get("start")), parse_hhmm(entry.get("end"))
        if begin is not None and finish is not None and begin < finish:
            periods.append((begin, finish))
    return periods


def _window_note(periods: list[tuple[time, time]], lawful: tuple[time, time]) -> dict[str, Any]:
    """The reason entry saying the borrower's times were not usable."""
    lawful_text = f"{lawful[0]:%H:%M}-{lawful[1]:%H:%M}"
    wanted = ", ".join(f"{begin:%H:%M}-{finish:%H:%M}" for begin, finish in periods)
    return {
        "code": "window_note",
        "text": (
            f"preferred times {wanted} leave no room for a visit within visiting hours "
            f"{lawful_text}; planned within visiting hours"
        ),
        "text_zh": f"借款人希望的时间{wanted}不在合规走访时间{lawful_text}内，已按合规时间安排",
        "points": 0,
    }
