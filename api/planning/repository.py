"""Planning's readable statements: a manager reads and plans their own branch only.

Rows of another branch answer 404 as if they did not exist. Whole rows start from
`scoping.branch_statement`; column and aggregate reads filter with `of_branch`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from api.scoping import branch_column, branch_statement, get_in_branch
from models import PlanTeam, User, Visit, VisitPlan
from models.enums import PlanStatus, VisitStatus


def of_branch(model: type[SQLModel], branch_id: uuid.UUID) -> ColumnElement[bool]:
    """`model.branch_id = :branch_id`, for selects of columns rather than whole rows."""
    clause: ColumnElement[bool] = branch_column(model) == branch_id
    return clause


def replaceable_visit() -> ColumnElement[bool]:
    """Visits a new plan for their day may take over: not started, in a published plan.
    Publishing the new plan replaces that plan and cancels exactly these."""
    published = select(VisitPlan.id).where(VisitPlan.status == PlanStatus.published)
    return and_(col(Visit.status) == VisitStatus.planned, col(Visit.plan_id).in_(published))


def get_plan(session: Session, plan_id: uuid.UUID, *, branch_id: uuid.UUID) -> VisitPlan:
    return get_in_branch(
        session, VisitPlan, plan_id, branch_id=branch_id, missing="No such plan in your branch."
    )


def get_visit(session: Session, visit_id: uuid.UUID, *, branch_id: uuid.UUID) -> Visit:
    return get_in_branch(
        session, Visit, visit_id, branch_id=branch_id, missing="No such visit in your branch."
    )


def branch_plans(branch_id: uuid.UUID, plan_date: date | None) -> SelectOfScalar[VisitPlan]:
    """The branch's plans (of one day if given), latest first."""
    query = branch_statement(VisitPlan, branch_id)
    if plan_date is not None:
        query = query.where(VisitPlan.plan_date == plan_date)
    return query.order_by(col(VisitPlan.plan_date).desc(), col(VisitPlan.created_at).desc())


def branch_users(branch_id: uuid.UUID, user_ids: Sequence[uuid.UUID]) -> SelectOfScalar[User]:
    return branch_statement(User, branch_id).where(col(User.id).in_(list(user_ids)))


def plan_visits(plan_id: uuid.UUID) -> SelectOfScalar[Visit]:
    """The plan's visits route by route (lead officer, then position)."""
    return (
        select(Visit)
        .where(Visit.plan_id == plan_id)
        .order_by(col(Visit.officer_id), col(Visit.route_position), col(Visit.created_at))
    )


def plan_teams(session: Session, plan_id: uuid.UUID) -> list[list[uuid.UUID]]:
    """The plan's routes as teams (lead first), in route order."""
    teams: dict[int, list[uuid.UUID]] = {}
    rows = session.exec(
        select(PlanTeam)
        .where(PlanTeam.plan_id == plan_id)
        .order_by(col(PlanTeam.route), col(PlanTeam.position))
    )
    for row in rows:
        teams.setdefault(row.route, []).append(row.user_id)
    return list(teams.values())


def add_plan_teams(
    session: Session, plan_id: uuid.UUID, teams: Sequence[Sequence[uuid.UUID]], *, first: int
) -> None:
    """Store `teams` as the plan's routes `first`, `first + 1`, ... (routes are only added:
    a plan keeps every route it ever had)."""
    rows: list[Any] = [
        PlanTeam(plan_id=plan_id, route=first + k, position=position, user_id=user_id)
        for k, team in enumerate(teams)
        for position, user_id in enumerate(team)
    ]
    session.add_all(rows)
