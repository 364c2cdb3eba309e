"""The branch's planning settings: priority rules and weights, planning and travel settings,
and the branch's time zone, each read over its defaults from `Branch.settings`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from api.audit import record_audit
from api.planning.priority import PrioritySettings, merge_settings
from api.planning.schedule import PlanningSettings, TravelSettings
from api.scoping import get_branch
from api.settings_merge import merge_model
from models import Branch, User


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
