"""Migrations and models agree, and the whole history runs down and up again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import models  # noqa: F401
from tests.conftest import alembic_config, build_database


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_downgrade_base_then_upgrade_head(database_url: str, tmp_path) -> None:
    url = database_url
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'cycle.db'}"
    engine = build_database(url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(SQLModel.metadata.tables) <= tables
            count = conn.execute(text("SELECT count(*) FROM hardship_reason")).scalar_one()
            assert count == 8
    finally:
        if not database_url.startswith("sqlite"):
            # Leave PostgreSQL as the session expects it: migrated to head.
            with engine.begin() as conn:
                command.upgrade(alembic_config(conn), "head")
        engine.dispose()
