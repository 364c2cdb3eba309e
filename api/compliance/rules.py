"""The compliance rules, pure: `evaluate(context)` answers every rule the context has the
facts for. Sync (check-in, outcome, check-out), planning and the safety checks all ask here.

Each rule looks only at the fields it needs and is silent when they are missing, so one
context type serves a planned visit (`at`/`until` = planned arrival and departure, team,
other visit days), a check-in (`at`, team, location, address, other check-in days), an
outcome (contact and its texts) and a visit still out (`checked_in_at`, `now`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from api.compliance.policy import Policy

# Rule codes (stable: stored in flags, shown on the review list and the compliance report).
HOLIDAY = "holiday"
OUTSIDE_LAWFUL_HOURS = "outside_lawful_hours"
BELOW_MIN_STAFF = "below_min_staff"
VISIT_FREQUENCY = "visit_frequency"
FAR_FROM_ADDRESS = "far_from_address"
THIRD_PARTY_DISCLOSURE = "third_party_disclosure"
OVERDUE_CHECKOUT = "overdue_checkout"
CALL_FREQUENCY = "call_frequency"


@dataclass(frozen=True)
class Violation:
    """A broken rule: `code` is stable, `message` is for people (never contains "; ",
    which joins several flags in a push result)."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class Context:
    policy: Policy
    tz: ZoneInfo
    # When the contact starts and (if known) ends: a check-in time, or a planned visit.
    at: datetime | None = None
    until: datetime | None = None
    # The visit's day when no time is known (a plan date).
    day: date | None = None
    team_size: int | None = None
    # Other days the borrower is visited (planned, checked in or done), for the frequency.
    other_visit_days: tuple[date, ...] = ()
    # Where the phone was (lat, lon, accuracy in metres) and the borrower's address.
    location: tuple[float, float, float | None] | None = None
    address: tuple[float | None, float | None] | None = None
    # An outcome: who was met, its free texts and hardship reason codes.
    contact: str | None = None
    texts: tuple[str, ...] = ()
    hardship_reasons: tuple[str, ...] = ()
    # A check-in and its check-out (None while still out: then `now` counts).
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    now: datetime | None = None

    def local_day(self) -> date | None:
        if self.at is not None:
            return self.at.astimezone(self.tz).date()
        return self.day


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(min(1.0, h)))


def holiday(ctx: Context) -> Violation | None:
    day = ctx.local_day()
    if day is None or day not in ctx.policy.holidays:
        return None
    return Violation(HOLIDAY, f"{day:%Y-%m-%d} is a branch holiday: no visits allowed")


def lawful_hours(ctx: Context) -> Violation | None:
    """Contact starts at or after the start of visiting hours and ends by their end (a
    contact with no known end must start before it)."""
    if ctx.at is None:
        return None
    policy = ctx.policy
    start = ctx.at.astimezone(ctx.tz)
    hours = f"{policy.visiting_start:%H:%M}-{policy.visiting_end:%H:%M}"
    if not policy.visiting_start <= start.time() < policy.visiting_end:
        return Violation(
            OUTSIDE_LAWFUL_HOURS,
            f"{start:%H:%M} local time is outside visiting hours {hours}",
        )
    if ctx.until is not None:
        end = ctx.until.astimezone(ctx.tz)
        day_end = datetime.combine(start.date(), policy.visiting_end, tzinfo=ctx.tz)
        if end > day_end:
            return Violation(
                OUTSIDE_LAWFUL_HOURS,
                f"the visit lasts until {end:%H:%M} local time, after visiting hours {hours}",
            )
    return None


def staff_minimum(ctx: Context) -> Violation | None:
    if ctx.team_size is None or ctx.team_size >= ctx.policy.min_staff:
        return None
    return Violation(
        BELOW_MIN_STAFF,
        f"{ctx.team_size} staff on the visit, the policy asks for at least {ctx.policy.min_staff}",
    )


def visit_frequency(ctx: Context) -> Violation | None:
    """At most one visit per borrower in `visit_frequency_days`: another visit less than
    that many days before or after this one breaks it."""
    days = ctx.policy.visit_frequency_days
    day = ctx.local_day()
    if days <= 0 or day is None:
        return None
    close = sorted(o for o in ctx.other_visit_days if abs((o - day).days) < days)
    if not close:
        return None
    return Violation(
        VISIT_FREQUENCY,
        f"the borrower is also visited on {close[0]:%Y-%m-%d}, the policy allows one visit "
        f"in {days} days",
    )


def distance_from_address(ctx: Context) -> Violation | None:
    if ctx.location is None or ctx.address is None:
        return None
    home_lat, home_lon = ctx.address
    if home_lat is None or home_lon is None:
        return None
    lat, lon, accuracy = ctx.location
    distance = haversine_m(lat, lon, home_lat, home_lon)
    # Only flag when even the edge of the accuracy circle is too far.
    if distance - (accuracy or 0) <= ctx.policy.max_checkin_distance_m:
        return None
    return Violation(
        FAR_FROM_ADDRESS, f"checked in {distance / 1000:.1f} km from the borrower's address"
    )


def third_party_disclosure(ctx: Context) -> Violation | None:
    """With a third party only contact details may be asked for: hardship reasons or debt
    words in the outcome's texts mean the debt was discussed."""
    if ctx.contact != "third_party" or not ctx.policy.third_party_contact_details_only:
        return None
    if ctx.hardship_reasons:
        return Violation(
            THIRD_PARTY_DISCLOSURE,
            "hardship reasons were recorded for a talk with a third party (only ask third "
            "parties for the borrower's contact details)",
        )
    text = " ".join(ctx.texts).casefold()
    found = [term for term in ctx.policy.disclosure_terms if term.casefold() in text]
    if found:
        return Violation(
            THIRD_PARTY_DISCLOSURE,
            f"the notes of a talk with a third party mention {', '.join(found[:3])} (the "
            "debt must not be disclosed to third parties)",
        )
    return None


def overdue_checkout(ctx: Context) -> Violation | None:
    if ctx.checked_in_at is None:
        return None
    end = ctx.checked_out_at or ctx.now
    if end is None:
        return None
    limit = timedelta(minutes=ctx.policy.checkout_overdue_minutes)
    out = end - ctx.checked_in_at
    if out <= limit:
        return None
    minutes = int(out.total_seconds() // 60)
    what = "checked out" if ctx.checked_out_at is not None else "still not checked out"
    return Violation(
        OVERDUE_CHECKOUT,
        f"{what} {minutes} minutes after check-in (the policy expects a check-out within "
        f"{ctx.policy.checkout_overdue_minutes} minutes)",
    )


def call_frequency(ctx: Context, *, calls_that_day: int, limit: int) -> Violation | None:
    """At most `limit` calls to a borrower on one local day (calls count as contacts; the
    visit frequency rule counts visits only). Asked by `contact.log`, not by `evaluate`."""
    day = ctx.local_day()
    if day is None or calls_that_day < limit:
        return None
    return Violation(
        CALL_FREQUENCY,
        f"call number {calls_that_day + 1} to the borrower on {day:%Y-%m-%d}, at most {limit} "
        "calls a day are allowed",
    )


Rule = Callable[[Context], Violation | None]
RULES: tuple[Rule, ...] = (
    holiday,
    lawful_hours,
    staff_minimum,
    visit_frequency,
    distance_from_address,
    third_party_disclosure,
    overdue_checkout,
)


def evaluate(ctx: Context) -> list[Violation]:
    """Every rule's violation for this context, in a fixed order."""
    return [v for rule in RULES if (v := rule(ctx)) is not None]
