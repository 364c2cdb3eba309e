"""Sign-in throttling. Each attempt first takes a slot, with conditional UPDATEs that the
database serialises (row locks on PostgreSQL, the write lock on SQLite), so parallel
attempts never get more passwords evaluated than the limits allow:

- per user at an address: `login_max_failures_per_user_address` failures in the window;
- per address: `login_max_failures_per_address` (a NAT'd office: one user's failures stop
  counting there once that user is locked, so they never lock the others out);
- per user, everywhere: after `login_user_backoff_after` failures an address that already
  failed for the user waits 1, 2, 4 ... seconds (at most the window). An address with no
  failure for the user is not held back, so the right password from the officer's own
  phone still signs in while someone guesses from elsewhere.

A slot is a provisional failure; a right password clears the user's counts and gives the
address its slot back."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.config import Settings
from api.errors import TooManyAttempts
from models import LoginCounter


def counter_key(kind: str, *parts: str) -> str:
    return hashlib.sha256("\0".join((kind, *parts)).encode("utf-8", "replace")).hexdigest()


def _ensure(session: Session, key: str, now: datetime) -> None:
    if session.exec(select(LoginCounter.key).where(LoginCounter.key == key)).first():
        return
    try:
        with session.begin_nested():
            session.execute(insert(LoginCounter).values(key=key, window_start=now, failures=0))
    except IntegrityError:
        pass  # a parallel attempt created it


def _take(
    session: Session, key: str, *, now: datetime, window: timedelta, limit: int, gated: bool
) -> bool:
    """Count one attempt on `key` if it is under `limit` (and, `gated`, not backing off)."""
    _ensure(session, key, now)
    session.execute(
        update(LoginCounter)
        .where(col(LoginCounter.key) == key, col(LoginCounter.window_start) <= now - window)
        .values(window_start=now, failures=0, blocked_until=None)
    )
    condition = [col(LoginCounter.key) == key, col(LoginCounter.failures) < limit]
    if gated:
        blocked = col(LoginCounter.blocked_until)
        condition.append(or_(blocked.is_(None), blocked <= now))
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(LoginCounter).where(*condition).values(failures=col(LoginCounter.failures) + 1)
    )
    return result.rowcount == 1


def _counter(session: Session, key: str) -> LoginCounter:
    row = session.exec(
        select(LoginCounter)
        .where(LoginCounter.key == key)
        .execution_options(populate_existing=True)
    ).one()
    return row


def _refuse(until: datetime, now: datetime) -> TooManyAttempts:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    return TooManyAttempts(
        f"Too many failed sign-ins. Wait {minutes} minute{'s' if minutes > 1 else ''} and "
        "try again, or ask your branch manager to reset the password.",
        headers={"Retry-After": str(seconds)},
    )


def reserve(
    session: Session, *, settings: Settings, username: str, address: str, now: datetime
) -> None:
    """Take a slot for one password check, or raise TooManyAttempts (nothing counted)."""
    pair = counter_key("pair", username, address)
    user = counter_key("user", username)
    by_address = counter_key("address", address)
    savepoint = session.begin_nested()
    refusal = _take_all(session, settings=settings, keys=(pair, user, by_address), now=now)
    if refusal is not None:
        savepoint.rollback()  # a refused attempt counts nowhere
        raise refusal
    savepoint.commit()


def _take_all(
    session: Session, *, settings: Settings, keys: tuple[str, str, str], now: datetime
) -> TooManyAttempts | None:
    pair, user, by_address = keys
    window = timedelta(minutes=settings.login_window_minutes)
    per_pair = settings.login_max_failures_per_user_address
    if not _take(session, pair, now=now, window=window, limit=per_pair, gated=False):
        return _refuse(_counter(session, pair).window_start + window, now)
    suspect = _counter(session, pair).failures > 1  # this address failed for the user
    if not _take(session, user, now=now, window=window, limit=2**31 - 1, gated=suspect):
        return _refuse(_counter(session, user).blocked_until or now, now)
    per_address = settings.login_max_failures_per_address
    if not _take(session, by_address, now=now, window=window, limit=per_address, gated=False):
        return _refuse(_counter(session, by_address).window_start + window, now)
    return None


def settle(
    session: Session, *, settings: Settings, username: str, address: str, ok: bool, now: datetime
) -> None:
    """After the check: a right password clears the user's counts and gives back the slot
    it took at the address (else an office behind one address would lock itself out by
    signing in); a wrong one may start the user's backoff."""
    pair, user = counter_key("pair", username, address), counter_key("user", username)
    if ok:
        session.execute(
            update(LoginCounter)
            .where(col(LoginCounter.key).in_([pair, user]))
            .values(failures=0, blocked_until=None)
        )
        by_address = counter_key("address", address)
        session.execute(
            update(LoginCounter)
            .where(col(LoginCounter.key) == by_address, col(LoginCounter.failures) > 0)
            .values(failures=col(LoginCounter.failures) - 1)
        )
        return
    failures = _counter(session, user).failures
    over = failures - settings.login_user_backoff_after
    if over >= 0:
        delay = min(2.0 ** min(over, 20), settings.login_window_minutes * 60.0)
        session.execute(
            update(LoginCounter)
            .where(col(LoginCounter.key) == user)
            .values(blocked_until=now + timedelta(seconds=delay))
        )
