"""Fixtures of the compliance tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import build_database


@pytest.fixture
def own_db(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of its own (SQLite file, or a fresh PostgreSQL database), for
    tests that commit or that must see an audit chain no other test touched."""
    if database_url.startswith("sqlite"):
        engine = build_database(f"sqlite:///{tmp_path / 'own.db'}")
        yield engine
        engine.dispose()
        return
    name = f"fieldvisit_compliance_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = build_database(str(make_url(database_url).set(database=name)))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
