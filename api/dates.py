"""Dates a caller may ask about: within a sane window, so that day arithmetic (the next
day, a time zone's midnight) never overflows and a typo never reaches the database."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def check_sane_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must be a day between {EARLIEST} and {LATEST}, not {value}")
    return value


SaneDate = Annotated[date, AfterValidator(check_sane_date)]
