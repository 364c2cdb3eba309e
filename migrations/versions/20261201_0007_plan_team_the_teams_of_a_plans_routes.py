"""plan_team: the teams of a plan's routes, out of the summary JSON

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:52:11

The optimiser used to read a plan's teams back from `visit_plan.summary["routes"]`; they
are rows now. Existing plans get rows from their summary's routes, read the way the
optimiser read them: ids that are not UUIDs, empty teams, a team listed twice and users
that no longer exist are skipped. The summary keeps its routes (the API shows them), so a
downgrade only drops the table.
"""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

visit_plan = sa.table("visit_plan", sa.column("id", sa.Uuid()), sa.column("summary", sa.JSON()))
app_user = sa.table("app_user", sa.column("id", sa.Uuid()))


def _teams(summary: Any, users: set[uuid.UUID]) -> list[list[uuid.UUID]]:
    """The summary's route teams (lead first), as the optimiser used to read them."""
    routes = summary.get("routes") if isinstance(summary, dict) else None
    teams: list[list[uuid.UUID]] = []
    seen: set[tuple[uuid.UUID, frozenset[uuid.UUID]]] = set()
    for route in routes if isinstance(routes, list) else []:
        officer_ids = route.get("officer_ids") if isinstance(route, dict) else None
        try:
            ids = [uuid.UUID(str(u)) for u in officer_ids or []]
        except ValueError:
            continue
        key = (ids[0], frozenset(ids[1:])) if ids else None
        if key is None or key in seen or not set(ids) <= users:
            continue
        seen.add(key)
        teams.append(ids)
    return teams


def upgrade() -> None:
    plan_team = op.create_table(
        "plan_team",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("route", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["visit_plan.id"], name=op.f("fk_plan_team_plan_id_visit_plan")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_plan_team_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("plan_id", "route", "position", name=op.f("pk_plan_team")),
    )
    conn = op.get_bind()
    users = set(conn.execute(sa.select(app_user.c.id)).scalars())
    rows = [
        {"plan_id": plan_id, "route": route, "position": position, "user_id": user_id}
        for plan_id, summary in conn.execute(sa.select(visit_plan.c.id, visit_plan.c.summary))
        for route, team in enumerate(_teams(summary, users))
        for position, user_id in enumerate(team)
    ]
    if rows:
        op.bulk_insert(plan_team, rows)


def downgrade() -> None:
    op.drop_table("plan_team")
