"""Migrations and models agree, and the whole history runs down and up again."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, text
from sqlmodel import Session, SQLModel, col, select

import models  # noqa: F401
from api.db import make_engine
from models import Branch, PlanTeam, User, VisitPlan
from models.enums import Role
from tests.conftest import alembic_config, build_database
from tests.factories import make_branch


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_downgrade_base_then_upgrade_head(database_url: str, tmp_path: Path) -> None:
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


def _user_at_0006(session: Session, branch: Branch, role: Role) -> User:
    """A user row with the columns app_user had at 0006 (the model has more since)."""
    user = User(
        id=uuid.uuid4(),
        branch_id=branch.id,
        username=f"u{uuid.uuid4().hex[:12]}",
        full_name="用户",
        role=role,
        password_hash="x",
    )
    columns = ("id", "branch_id", "username", "full_name", "role", "password_hash")
    values = {name: getattr(user, name) for name in columns}
    session.execute(insert(User).values(version=1, is_active=True, phone="", **values))
    return user


def test_plan_teams_are_read_from_existing_summaries(database_url: str, tmp_path: Path) -> None:
    """0007 gives existing plans their plan_team rows from the summary's routes, skipping
    what the optimiser skipped: ids that are not UUIDs, empty and repeated teams, and
    users that do not exist."""
    if database_url.startswith("sqlite"):
        engine = build_database(f"sqlite:///{tmp_path / 'teams.db'}")
    else:
        engine = make_engine(database_url)  # at head; everything below is rolled back
    try:
        with engine.connect() as conn:
            outer = conn.begin()
            command.downgrade(alembic_config(conn), "0006")
            session = Session(bind=conn)
            branch = make_branch(session)
            manager = _user_at_0006(session, branch, Role.manager)
            a, b, c = (_user_at_0006(session, branch, Role.officer) for _ in range(3))
            routes: list[list[object]] = [
                [a.id, b.id],
                [c.id],
                [a.id, b.id],
                ["not-a-uuid"],
                [uuid.uuid4()],
                [],
            ]
            plan = VisitPlan(
                branch_id=branch.id,
                plan_date=date(2026, 11, 24),
                created_by=manager.id,
                summary={"routes": [{"officer_ids": [str(u) for u in r]} for r in routes]},
            )
            empty = VisitPlan(branch_id=branch.id, plan_date=date(2026, 11, 25), created_by=a.id)
            session.add_all([plan, empty])
            session.flush()
            command.upgrade(alembic_config(conn), "head")
            teams = session.exec(
                select(PlanTeam).order_by(col(PlanTeam.route), col(PlanTeam.position))
            ).all()
            assert [(t.plan_id, t.route, t.position, t.user_id) for t in teams] == [
                (plan.id, 0, 0, a.id),
                (plan.id, 0, 1, b.id),
                (plan.id, 1, 0, c.id),
            ]
            session.close()
            outer.rollback()
    finally:
        engine.dispose()
