"""The branch's planning settings: priority rules and weights, planning and travel settings,
and the branch's time zone, each read over its defaults from `Branch.settings`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from api.audit import record_audit, record_manager_action
from api.planning.priority import PrioritySettings, merge_settings
from api.planning.schedule import (
    BreakPeriod,
    PlanningSettings,
    TravelSettings,
    WorkdaySettings,
    hhmm,
)
from api.scoping import get_branch, get_in_branch
from api.settings_merge import merge_model
from api.visits.assessment import FollowUpSettings, merge_follow_up
from models import Branch, User
from models.enums import Role


def branch_zone(branch: Branch) -> ZoneInfo:
    return ZoneInfo(branch.timezone or "Asia/Shanghai")


def priority_settings(branch: Branch) -> PrioritySettings:
    return merge_settings(branch.settings.get("priority"))


def planning_settings(branch: Branch) -> PlanningSettings:
    return merge_model(PlanningSettings, branch.settings.get("planning"))


def travel_settings(branch: Branch) -> TravelSettings:
    return merge_model(TravelSettings, branch.settings.get("travel"))


def get_priority_settings(*, session: Session, manager: User) -> PrioritySettings:
    """The branch's priority rules and weights, merged over the defaults."""
    return priority_settings(get_branch(session, manager.branch_id))


def update_priority_settings(
    *, session: Session, manager: User, values: PrioritySettings, now: datetime
) -> PrioritySettings:
    """Replace the branch's priority settings (fields left out take their defaults)."""
    branch = get_branch(session, manager.branch_id)
    before = priority_settings(branch).model_dump()
    after = values.model_dump()
    if before != after or branch.settings.get("priority") != after:
        # A new dict: JSON columns only notice assignment, not mutation.
        branch.settings = {**branch.settings, "priority": after}
        changed = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
        record_audit(
            session,
            at=now,
            action="branch.priority_settings",
            entity="branch",
            entity_id=branch.id,
            actor_id=manager.id,
            branch_id=branch.id,
            data={"changed": changed},
        )
        session.flush()
    return values


def follow_up_settings(branch: Branch) -> FollowUpSettings:
    return merge_follow_up(branch.settings.get("follow_up"))


def get_follow_up_settings(*, session: Session, manager: User) -> FollowUpSettings:
    """The branch's follow-up cadence, merged over the defaults."""
    return follow_up_settings(get_branch(session, manager.branch_id))


def update_follow_up_settings(
    *, session: Session, manager: User, values: FollowUpSettings, now: datetime
) -> FollowUpSettings:
    """Replace the branch's follow-up cadence (audited with before and after)."""
    branch = get_branch(session, manager.branch_id)
    before = follow_up_settings(branch)
    _replace_section(session, manager, branch, "follow_up", before, values, now=now)
    return values


def _replace_section(
    session: Session,
    manager: User,
    branch: Branch,
    key: str,
    before: BaseModel,
    after: BaseModel,
    *,
    now: datetime,
) -> None:
    """Store `after` as `Branch.settings[key]`, audited with before and after (as
    `branch.workday` or `branch.<key>_settings`). A new dict: JSON columns only notice
    assignment, not mutation."""
    stored = after.model_dump()
    branch.settings = {**branch.settings, key: stored}
    record_manager_action(
        session,
        manager,
        action=f"branch.{key}" if key == "workday" else f"branch.{key}_settings",
        entity="branch",
        entity_id=branch.id,
        now=now,
        data={"before": before.model_dump(), "after": stored},
    )
    session.flush()


# ---------------------------------------------------------------------------------------------
# Working days


def _stored_workday(raw: Any) -> WorkdaySettings | None:
    if not isinstance(raw, dict):
        return None
    try:
        return WorkdaySettings.model_validate(raw)
    except ValidationError:
        return None  # a bad stored value never stops planning: the default applies


def branch_workday(branch: Branch) -> WorkdaySettings:
    """`Branch.settings["workday"]`, else the branch's work_start/work_end with a 12:00-13:00
    lunch when it fits and at most 480 minutes of work."""
    stored = _stored_workday(branch.settings.get("workday"))
    if stored is not None:
        return stored
    start = branch.work_start.hour * 60 + branch.work_start.minute
    end = branch.work_end.hour * 60 + branch.work_end.minute
    if start >= end:
        return WorkdaySettings()
    lunch = [BreakPeriod(start="12:00", end="13:00")] if start <= 720 and end >= 780 else []
    span = end - start - 60 * len(lunch)
    return WorkdaySettings(
        start=hhmm(start), end=hhmm(end), breaks=lunch, max_work_minutes=max(30, min(480, span))
    )


def officer_workday(user: User, branch: Branch) -> WorkdaySettings:
    """The officer's own working day, or the branch's."""
    return officer_override(user) or branch_workday(branch)


def update_branch_workday(
    *, session: Session, manager: User, values: WorkdaySettings, now: datetime
) -> WorkdaySettings:
    """Set the branch's working day (audited)."""
    branch = get_branch(session, manager.branch_id)
    _replace_section(session, manager, branch, "workday", branch_workday(branch), values, now=now)
    return values


def list_officer_workdays(*, session: Session, manager: User) -> list[User]:
    """The branch's officers, by name."""
    rows = session.exec(
        select(User)
        .where(User.branch_id == manager.branch_id, User.role == Role.officer)
        .order_by(col(User.full_name), col(User.id))
    )
    return list(rows)


def officer_override(user: User) -> WorkdaySettings | None:
    return _stored_workday(user.workday)


def set_officer_workday(
    *,
    session: Session,
    manager: User,
    user_id: uuid.UUID,
    values: WorkdaySettings | None,
    now: datetime,
) -> User:
    """Give an officer of the branch their own working day, or (None) the branch's."""
    officer = get_in_branch(
        session, User, user_id, branch_id=manager.branch_id, missing="No such officer."
    )
    before = officer.workday
    officer.workday = values.model_dump() if values is not None else None
    record_manager_action(
        session,
        manager,
        action="user.workday",
        entity="user",
        entity_id=officer.id,
        now=now,
        data={"before": before, "after": officer.workday},
    )
    session.flush()
    return officer
