"""Instalment plans: the schedule maths and what an officer may agree alone. Pure: no FastAPI,
no database.

Money is integer fen. The schedule is built exactly like the phone's calculator
(`pwa/src/domain/schedule.ts`): `amount - down payment` is split into `count` equal lines of
whole fen and the remainder goes to the last line, so down payment + lines == amount exactly;
line n (from 0) is due `n` periods after the first due date, and monthly dates keep the first
date's day of month, clamped to the month's end (Jan 31 -> Feb 28 -> Mar 31).

Branch limits live in `Branch.settings["agreements"]`, merged over `AgreementSettings`.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.settings_merge import merge_model

Frequency = Literal["weekly", "fortnightly", "monthly"]
FREQUENCIES: tuple[Frequency, ...] = ("weekly", "fortnightly", "monthly")
# The most lines any schedule may have (the phone's MAX_INSTALMENTS); branch limits are lower.
MAX_INSTALMENTS = 60
SETTINGS_KEY = "agreements"


class ScheduleError(ValueError):
    """Inputs that make no schedule; `code` matches the phone's ScheduleError."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Line:
    seq: int
    due_date: date
    amount_fen: int


@dataclass(frozen=True)
class Schedule:
    amount_fen: int
    down_payment_fen: int
    lines: tuple[Line, ...]

    @property
    def total_fen(self) -> int:
        return self.down_payment_fen + sum(line.amount_fen for line in self.lines)


def add_months(day: date, months: int) -> date:
    """The same day of month `months` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(first: date, frequency: Frequency, n: int) -> date:
    """The due date `n` periods after `first` (n = 0 is `first`)."""
    if frequency == "monthly":
        return add_months(first, n)
    step = 7 if frequency == "weekly" else 14
    return first + timedelta(days=step * n)


def build_schedule(
    *,
    amount_fen: int,
    down_payment_fen: int,
    count: int,
    frequency: Frequency,
    first_due: date,
) -> Schedule:
    """Equal lines of whole fen, the remainder on the last line."""
    if amount_fen <= 0:
        raise ScheduleError("amount", "The amount must be more than zero.")
    if down_payment_fen < 0 or down_payment_fen >= amount_fen:
        raise ScheduleError(
            "down_payment", "The down payment must be at least zero and less than the amount."
        )
    if not 1 <= count <= MAX_INSTALMENTS:
        raise ScheduleError(
            "count", f"The number of instalments must be between 1 and {MAX_INSTALMENTS}."
        )
    if frequency not in FREQUENCIES:
        raise ScheduleError("frequency", f"Unknown frequency {frequency!r}.")
    rest = amount_fen - down_payment_fen
    base = rest // count
    if base < 1:
        raise ScheduleError("too_small", "Each instalment would be less than one fen.")
    lines = tuple(
        Line(
            seq=i + 1,
            due_date=due_date(first_due, frequency, i),
            amount_fen=rest - base * (count - 1) if i == count - 1 else base,
        )
        for i in range(count)
    )
    return Schedule(amount_fen=amount_fen, down_payment_fen=down_payment_fen, lines=lines)


# --- branch settings ------------------------------------------------------------------


class AgreementSettings(BaseModel):
    """`Branch.settings["agreements"]`: what an officer may agree alone, and how agreements
    and promises are tracked against imported payments. Unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    max_instalments: int = Field(
        12, ge=1, le=MAX_INSTALMENTS, description="Most instalments without approval."
    )
    min_down_payment_pct: float = Field(
        10,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Least down payment, in percent of the amount, without approval.",
    )
    max_term_days: int = Field(
        365,
        ge=1,
        le=3660,
        description="Most days from signing to the last instalment without approval.",
    )
    grace_days: int = Field(
        3, ge=0, le=60, description="Days after a due date before it counts as missed."
    )
    broken_after_missed: int = Field(
        2, ge=1, le=MAX_INSTALMENTS, description="Missed instalments that break an agreement."
    )


def settings_from_branch(branch_settings: Any) -> AgreementSettings:
    """The stored dict over the defaults; invalid stored values fall back to the default."""
    stored = branch_settings.get(SETTINGS_KEY) if isinstance(branch_settings, dict) else None
    return merge_model(AgreementSettings, stored)


# --- limits -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    text_zh: str

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text, "text_zh": self.text_zh}


@dataclass(frozen=True)
class Terms:
    """Signed terms as the limits see them."""

    amount_fen: int
    down_payment_fen: int
    due_dates: tuple[date, ...]
    signed_on: date

    @classmethod
    def of(
        cls,
        *,
        amount_fen: int,
        down_payment_fen: int,
        due_dates: Sequence[date],
        signed_on: date,
    ) -> Terms:
        return cls(amount_fen, down_payment_fen, tuple(due_dates), signed_on)


def _pct(value: Fraction | float) -> str:
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def limits_exceeded(terms: Terms, limits: AgreementSettings) -> list[Reason]:
    """Why these terms need the manager's approval; empty when the officer may agree alone."""
    reasons: list[Reason] = []
    count = len(terms.due_dates)
    if count > limits.max_instalments:
        reasons.append(
            Reason(
                "max_instalments",
                f"{count} instalments; an officer may agree at most {limits.max_instalments}",
                f"分期{count}期，超过客户经理可自行同意的{limits.max_instalments}期",
            )
        )
    minimum = Fraction(str(limits.min_down_payment_pct))
    if terms.amount_fen > 0 and terms.down_payment_fen * 100 < minimum * terms.amount_fen:
        share = Fraction(terms.down_payment_fen * 100, terms.amount_fen)
        reasons.append(
            Reason(
                "min_down_payment",
                f"down payment {_pct(share)}% of the amount; at least {_pct(minimum)}% needed",
                f"首付比例{_pct(share)}%，低于要求的{_pct(minimum)}%",
            )
        )
    if terms.due_dates:
        days = (max(terms.due_dates) - terms.signed_on).days
        if days > limits.max_term_days:
            reasons.append(
                Reason(
                    "max_term",
                    f"term of {days} days; an officer may agree at most {limits.max_term_days}",
                    f"还款期限{days}天，超过{limits.max_term_days}天",
                )
            )
    return reasons
