"""Engine and request-scoped session: the request dependency is the only place that commits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from api.config import PROJECT_ROOT, get_settings


def normalise_url(url: str) -> str:
    """Relative SQLite paths are relative to the project, and their folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database or "")
        if not path.is_absolute():
            path = PROJECT_ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(parsed.set(database=str(path)))
    if parsed.drivername == "postgresql":
        return str(parsed.set(drivername="postgresql+psycopg"))
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,  # query parameters carry names and phones: never log them
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True, **kwargs
    )


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; take over BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front so concurrent writers queue instead of failing.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


# Reads that must see one consistent snapshot (sync pull: scope, diff, last mutation id).
SNAPSHOT_PATHS = frozenset({"/api/v1/sync/pull"})


_AT_COMMIT = "at_commit"


def at_commit(session: Session, work: Callable[[Session], None]) -> None:
    """Run `work` right before the request's commit, in the same thread: row and advisory
    locks it takes are held for a few statements, not for the rest of the request. Outside
    a request (the CLI, tests calling services), it runs now."""
    queue = session.info.get(_AT_COMMIT)
    if queue is None:
        work(session)
    else:
        queue.append(work)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the route returns, rolled back on any error."""
    engine = get_engine()
    with Session(engine, expire_on_commit=False) as session:
        if request.url.path in SNAPSHOT_PATHS and engine.dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        session.info[_AT_COMMIT] = []
        try:
            yield session
            for work in session.info.pop(_AT_COMMIT):
                work(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
