"""Sign-in throttling (issue 13, item 9): per user at an address, a per-user backoff that
does not refuse the right password from another address, a NAT'd address not locked for
everyone, Retry-After the time actually left, and counting that holds under parallel
attempts on both databases."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from api.auth import service, throttle
from api.config import Settings
from api.errors import NotAuthenticated, TooManyAttempts
from models import LoginAttempt, LoginCounter
from tests.conftest import FIXED_NOW, Clock
from tests.factories import PASSWORD, make_branch, make_user


def _attempt(
    session: Session, settings: Settings, username: str, password: str, address: str, clock: Clock
) -> int:
    """What the route does: take a slot, then check the password. Returns the status."""
    try:
        throttle.reserve(
            session, settings=settings, username=username, address=address, now=clock.now
        )
        service.login(
            session=session,
            settings=settings,
            username=username,
            password=password,
            address=address,
            now=clock.now,
        )
    except TooManyAttempts:
        return 429
    except NotAuthenticated:
        return 401
    return 200


def test_retry_after_is_the_time_left(session: Session, settings: Settings, clock: Clock) -> None:
    officer = make_user(session, make_branch(session))
    for _ in range(5):
        assert _attempt(session, settings, officer.username, "bad", "10.0.0.1", clock) == 401
    clock.now += timedelta(minutes=10)
    with pytest.raises(TooManyAttempts) as refused:
        throttle.reserve(
            session, settings=settings, username=officer.username, address="10.0.0.1", now=clock.now
        )
    assert refused.value.headers == {"Retry-After": str(5 * 60)}


def test_a_branch_signing_in_all_morning_never_locks_its_address(
    session: Session, settings: Settings, clock: Clock
) -> None:
    """Every attempt takes a slot before the password is checked; a right password gives
    the address slot back, so a whole office behind one address signs in as often as it
    likes (found by the sync benchmark: its 51st phone was refused)."""
    branch = make_branch(session)
    staff = [make_user(session, branch) for _ in range(12)]
    per_address = settings.login_max_failures_per_address
    for attempt in range(per_address + 10):
        user = staff[attempt % len(staff)]
        assert _attempt(session, settings, user.username, PASSWORD, "10.0.0.9", clock) == 200
    # Failures still count there: one user's wrong passwords lock that user only.
    for _ in range(settings.login_max_failures_per_user_address):
        assert _attempt(session, settings, staff[0].username, "bad", "10.0.0.9", clock) == 401
    assert _attempt(session, settings, staff[0].username, PASSWORD, "10.0.0.9", clock) == 429
    assert _attempt(session, settings, staff[1].username, PASSWORD, "10.0.0.9", clock) == 200


def test_the_right_password_from_another_address_gets_in(
    session: Session, settings: Settings, clock: Clock
) -> None:
    officer = make_user(session, make_branch(session))
    # Someone guesses from three addresses, past the per-user backoff threshold.
    for address, n in (("6.6.6.1", 5), ("6.6.6.2", 5), ("6.6.6.3", 1)):
        for _ in range(n):
            assert _attempt(session, settings, officer.username, "guess", address, clock) == 401
    assert _attempt(session, settings, officer.username, "guess", "6.6.6.1", clock) == 429
    # An address that already failed for the user backs off ...
    assert _attempt(session, settings, officer.username, "guess", "6.6.6.3", clock) == 429
    # ... the officer's own phone does not.
    assert _attempt(session, settings, officer.username, PASSWORD, "10.1.2.3", clock) == 200


def test_the_backoff_grows_and_ends(session: Session, settings: Settings, clock: Clock) -> None:
    officer = make_user(session, make_branch(session))
    for i in range(10):
        _attempt(session, settings, officer.username, "guess", f"6.6.{i}.1", clock)
        _attempt(session, settings, officer.username, "guess", f"6.6.{i}.1", clock)
    with pytest.raises(TooManyAttempts) as refused:
        throttle.reserve(
            session, settings=settings, username=officer.username, address="6.6.9.1", now=clock.now
        )
    assert int(refused.value.headers["Retry-After"]) > 1  # type: ignore[index]
    clock.now += timedelta(minutes=15)
    assert _attempt(session, settings, officer.username, PASSWORD, "6.6.9.1", clock) == 200


def test_parallel_wrong_passwords_are_counted_atomically(
    engine: Engine, settings: Settings
) -> None:
    """30 parallel wrong passwords from one address: at most the limit are evaluated."""
    username = f"victim-{uuid.uuid4().hex[:8]}"
    clock = Clock(FIXED_NOW)
    start = threading.Barrier(30)
    statuses: list[int] = []

    def one() -> None:
        with Session(engine) as s:
            start.wait()
            try:
                throttle.reserve(
                    s, settings=settings, username=username, address="7.7.7.7", now=clock.now
                )
                s.commit()  # as the route does, before the slow password check
                status = _attempt_after_reserve(s, settings, username, clock)
            except TooManyAttempts:
                status = 429
            s.commit()
            statuses.append(status)

    threads = [threading.Thread(target=one) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        with Session(engine) as s:
            evaluated = s.exec(select(LoginAttempt).where(LoginAttempt.username == username)).all()
        assert len(evaluated) == settings.login_max_failures_per_user_address
        assert sorted(statuses) == [401] * 5 + [429] * 25
    finally:
        with Session(engine) as s:
            s.execute(delete(LoginAttempt).where(col(LoginAttempt.username) == username))
            keys = [
                throttle.counter_key("pair", username, "7.7.7.7"),
                throttle.counter_key("user", username),
                throttle.counter_key("address", "7.7.7.7"),
            ]
            s.execute(delete(LoginCounter).where(col(LoginCounter.key).in_(keys)))
            s.commit()


def _attempt_after_reserve(s: Session, settings: Settings, username: str, clock: Clock) -> int:
    try:
        service.login(
            session=s,
            settings=settings,
            username=username,
            password="wrong-password",
            address="7.7.7.7",
            now=clock.now,
        )
    except NotAuthenticated:
        return 401
    return 200
