"""The request session: work queued with `at_commit` runs right before the commit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from api import db


@pytest.fixture
def request_session(monkeypatch: pytest.MonkeyPatch) -> Any:
    engine = db.make_engine("sqlite://")
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    request = SimpleNamespace(url=SimpleNamespace(path="/api/v1/sync/push"))
    yield db.get_session(request)  # type: ignore[arg-type]
    engine.dispose()


def test_queued_work_runs_after_the_route_and_before_the_commit(request_session: Any) -> None:
    session = next(request_session)
    order: list[str] = []
    event.listen(session, "after_commit", lambda _s: order.append("commit"))
    db.at_commit(session, lambda _s: order.append("first"))
    db.at_commit(session, lambda _s: order.append("second"))
    order.append("route done")
    with pytest.raises(StopIteration):
        next(request_session)
    assert order == ["route done", "first", "second", "commit"]


def test_queued_work_is_dropped_when_the_request_fails(request_session: Any) -> None:
    session = next(request_session)
    ran: list[str] = []
    db.at_commit(session, lambda _s: ran.append("work"))
    with pytest.raises(ValueError):
        request_session.throw(ValueError("the route failed"))
    assert ran == []


def test_outside_a_request_work_runs_at_once() -> None:
    engine = db.make_engine("sqlite://")
    ran: list[str] = []
    with Session(engine) as session:
        db.at_commit(session, lambda _s: ran.append("work"))
        assert ran == ["work"]
    engine.dispose()
