"""The branch's compliance policy: data (Branch.settings["policy"]) merged over defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, time
from typing import Any

DEFAULT_POLICY: dict[str, Any] = {
    "version": 1,
    # CBA 2026 guideline: no collection contact 22:00-08:00; FDCPA: 08:00-21:00. Strictest wins.
    "visiting_hours": {"start": "08:00", "end": "21:00"},
    "min_staff": 2,
    "visit_frequency_days": 7,
    "device_data_hours": 72,
    "checkout_overdue_minutes": 90,
    "holidays": [],
    "max_checkin_distance_m": 1000,
    "max_clock_skew_s": 300,
}


@dataclass(frozen=True)
class Policy:
    version: int
    visiting_start: time
    visiting_end: time
    min_staff: int
    visit_frequency_days: int
    device_data_hours: int
    checkout_overdue_minutes: int
    holidays: tuple[date, ...] = field(default_factory=tuple)
    max_checkin_distance_m: int = 1000
    max_clock_skew_s: int = 300

    def as_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["visiting_hours"] = {
            "start": self.visiting_start.strftime("%H:%M"),
            "end": self.visiting_end.strftime("%H:%M"),
        }
        del data["visiting_start"], data["visiting_end"]
        data["holidays"] = [d.isoformat() for d in self.holidays]
        return data


def policy_from_settings(settings: dict[str, Any] | None) -> Policy:
    raw = {**DEFAULT_POLICY, **((settings or {}).get("policy") or {})}
    hours = {**DEFAULT_POLICY["visiting_hours"], **(raw.get("visiting_hours") or {})}
    return Policy(
        version=int(raw["version"]),
        visiting_start=time.fromisoformat(hours["start"]),
        visiting_end=time.fromisoformat(hours["end"]),
        min_staff=int(raw["min_staff"]),
        visit_frequency_days=int(raw["visit_frequency_days"]),
        device_data_hours=int(raw["device_data_hours"]),
        checkout_overdue_minutes=int(raw["checkout_overdue_minutes"]),
        holidays=tuple(date.fromisoformat(str(d)) for d in raw.get("holidays") or ()),
        max_checkin_distance_m=int(raw["max_checkin_distance_m"]),
        max_clock_skew_s=int(raw["max_clock_skew_s"]),
    )
