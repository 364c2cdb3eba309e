"""Rules for any mutation: what refuses it and what applies it but flags it. Pure functions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from api.compliance import rules as compliance
from api.compliance.policy import Policy
from api.compliance.rules import Violation


class Rejected(Exception):
    """A domain error in one mutation: stored for review, counted as processed. `code` lets
    the phone say it in the officer's language; the message is for the review list."""

    def __init__(self, message: str, code: str = "rejected") -> None:
        super().__init__(message)
        self.code = code


# A flag on a mutation is a compliance violation or a sync conflict: same shape.
Flag = Violation


def lawful_hours_flag(at: datetime, *, policy: Policy, tz: ZoneInfo) -> Flag | None:
    """A holiday, else outside visiting hours (see api.compliance.rules)."""
    ctx = compliance.Context(policy=policy, tz=tz, at=at)
    return compliance.holiday(ctx) or compliance.lawful_hours(ctx)


def distance_flag(
    *,
    location: tuple[float, float, float | None] | None,
    borrower: tuple[float | None, float | None],
    policy: Policy,
) -> Flag | None:
    return compliance.distance_from_address(
        compliance.Context(policy=policy, tz=ZoneInfo("UTC"), location=location, address=borrower)
    )


def clock_skew_flag(
    client_time: datetime | None, received_at: datetime, policy: Policy
) -> Flag | None:
    if client_time is None:
        return None
    skew = abs((client_time - received_at).total_seconds())
    if skew > policy.max_clock_skew_s:
        return Flag("clock_skew", f"the phone's clock is {skew / 60:.0f} minutes off")
    return None


def staff_flag(team_size: int, policy: Policy) -> Flag | None:
    return compliance.staff_minimum(
        compliance.Context(policy=policy, tz=ZoneInfo("UTC"), team_size=team_size)
    )
