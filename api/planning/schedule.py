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
from typing import Any, Self
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import sunset
from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_VISITING_HOURS = (time(8, 0), time(21, 0))
HHMM_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"
MAX_BREAKS = 4
# Measured with tests/benchmarks/branch_day_shift.py (README "Working days and the route
# objective"): working time falls and driving stays within the 3 % target.
DEFAULT_WORKING_TIME_WEIGHT = 100


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
    working_time_weight: int = Field(
        DEFAULT_WORKING_TIME_WEIGHT,
        ge=0,
        le=10_000,
        description=(
            "Metres of driving one minute of working time (leaving at the shift start until "
            "back, breaks not counted) is worth in the solver's objective: routes become "
            "compact in time, not only short. 0 = driving only."
        ),
    )


class TravelSettings(BaseModel):
    """`Branch.settings["travel"]`: the haversine model's straight-line distance times a
    detour factor, driven at the speed of the road class (README "Travel model")."""

    model_config = ConfigDict(extra="forbid")

    detour_factor: float = Field(
        1.3,
        ge=1.0,
        le=5.0,
        allow_inf_nan=False,
        description="Road metres per straight-line metre (road circuity is 1.2-1.4 in "
        "published country studies, e.g. Ballou et al. 2002).",
    )
    speed_kmh: float = Field(
        30.0,
        ge=1.0,
        le=200.0,
        allow_inf_nan=False,
        description="County and township roads: the design speed of a class III highway "
        "(JTG B01-2014: 30-40 km/h), its lower end for village stretches and stops.",
    )
    remote_speed_kmh: float = Field(
        20.0,
        ge=1.0,
        le=200.0,
        allow_inf_nan=False,
        description="Legs to or from a borrower flagged remote_road: the design speed of a "
        "class IV highway (JTG B01-2014: 20-30 km/h), its lower end.",
    )


HHMM = Field(pattern=HHMM_PATTERN, description='"HH:MM", 00:00-24:00.')


def minutes(hhmm: str) -> int:
    """'08:30' -> 510; '24:00' -> 1440 (the value is already validated)."""
    hour, minute = hhmm.split(":")
    return int(hour) * 60 + int(minute)


def hhmm(total_minutes: int) -> str:
    return f"{total_minutes // 60:02d}:{total_minutes % 60:02d}"


class BreakPeriod(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str = HHMM
    end: str = HHMM


class WorkdaySettings(BaseModel):
    """A working day: when officers leave and are back, their breaks (no driving, no
    visits), and the most working time (breaks not counted). `Branch.settings["workday"]`
    for the branch, `User.workday` for an officer's own."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field("08:30", pattern=HHMM_PATTERN, description="First departure, local.")
    end: str = Field("17:30", pattern=HHMM_PATTERN, description="Back by, local.")
    breaks: list[BreakPeriod] = Field(
        default_factory=lambda: [BreakPeriod(start="12:00", end="13:00")],
        max_length=MAX_BREAKS,
    )
    max_work_minutes: int = Field(480, ge=30, le=960)

    @model_validator(mode="after")
    def _inside_the_day(self) -> Self:
        start, end = minutes(self.start), minutes(self.end)
        if start >= end:
            raise ValueError(f"start {self.start} must be before end {self.end}")
        previous: BreakPeriod | None = None
        for entry in sorted(self.breaks, key=lambda b: minutes(b.start)):
            b0, b1 = minutes(entry.start), minutes(entry.end)
            name = f"break {entry.start}-{entry.end}"
            if b0 >= b1:
                raise ValueError(f"{name}: its start must be before its end")
            if b0 < start or b1 > end:
                raise ValueError(f"{name} is outside the day {self.start}-{self.end}")
            if previous is not None and b0 < minutes(previous.end):
                raise ValueError(f"{name} overlaps break {previous.start}-{previous.end}")
            previous = entry
        return self

    def break_minutes(self) -> list[tuple[int, int]]:
        return sorted((minutes(b.start), minutes(b.end)) for b in self.breaks)


def team_workday(days: list[WorkdaySettings]) -> WorkdaySettings | None:
    """What a team travelling together can work: the latest start, the earliest end, every
    member's breaks (merged) and the smallest working time. None: no common time left."""
    start = max(minutes(d.start) for d in days)
    end = min(minutes(d.end) for d in days)
    if start >= end:
        return None
    merged: list[list[int]] = []
    for b0, b1 in sorted(b for d in days for b in d.break_minutes()):
        b0, b1 = max(b0, start), min(b1, end)
        if b0 >= b1:
            continue
        if merged and b0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b1)
        else:
            merged.append([b0, b1])
    if sum(b1 - b0 for b0, b1 in merged) >= end - start:
        return None
    return WorkdaySettings(
        start=hhmm(start),
        end=hhmm(end),
        breaks=[BreakPeriod(start=hhmm(b0), end=hhmm(b1)) for b0, b1 in merged],
        max_work_minutes=min(d.max_work_minutes for d in days),
    )


def sunset_seconds(clock: DayClock, lat: float, lon: float) -> int | None:
    """Local sunset on the clock's day at (lat, lon); None where the sun does not set."""
    try:
        when = sunset(Observer(latitude=lat, longitude=lon), date=clock.day, tzinfo=clock.zone)
    except ValueError:  # polar day or night: no sunset to keep to
        return None
    return clock.seconds_of(when)


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
    within: tuple[int, int] | None = None,
) -> VisitWindow:
    """Lawful hours intersected with the borrower's preferred times for that weekday (and
    with `within`, the working day in clock seconds, when given).

    `preferred_times` is a list of {"start": "HH:MM", "end": "HH:MM", "weekdays": [0..6]?}
    in branch local time (Monday = 0). Several matching periods: the longest overlap wins.
    When preferences exist for the day but none leaves room for a visit inside lawful hours,
    the window is the lawful hours and the note says so.
    """
    low, high = clock.seconds(lawful[0]), clock.seconds(lawful[1])
    if within is not None:
        low, high = max(low, within[0]), min(high, within[1])
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
