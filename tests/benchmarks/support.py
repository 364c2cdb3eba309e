"""What several benchmarks share."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def fresh_pg_database(url: str) -> tuple[str, Callable[[], None]]:
    """A new database next to `url`, and a function that drops it: benchmarks never
    touch the database the tests use."""
    name = f"fieldvisit_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return str(make_url(url).set(database=name)), drop
