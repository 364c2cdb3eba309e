"""Teams and assignment: who may go on a visit, giving a visit to another officer or team,
and cancelling a visit that has not started.

A team is a list of users, lead first. A visit's team lives in `visit_officer` rows; its
lead is also `visit.officer_id` (phones and route order key on it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, not_, true
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from api.audit import record_audit
from api.compliance import rules as compliance
from api.compliance.policy import Policy
from api.compliance.service import current_policy
from api.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from api.planning import repository
from api.planning.repository import of_branch, replaceable_visit
from api.scoping import get_branch
from api.visits.service import team_ids
from models import Borrower, User, Visit, VisitOfficer
from models.enums import Role, VisitStatus

ACTIVE_VISIT = (VisitStatus.planned, VisitStatus.checked_in)
CLOSED_VISIT = (VisitStatus.done, VisitStatus.cancelled)
TEAM_ROLES = (Role.officer, Role.manager)

TeamKey = tuple[uuid.UUID, frozenset[uuid.UUID]]


def team_key(ids: Sequence[uuid.UUID]) -> TeamKey:
    """The same team whatever the order of its members after the lead."""
    return ids[0], frozenset(ids[1:])


def load_team(
    session: Session, *, branch_id: uuid.UUID, officer_ids: Sequence[uuid.UUID]
) -> list[User]:
    """The users, lead first; unknown ids and other branches' users answer 404."""
    if not officer_ids:
        raise InvalidInput("Name at least one officer.")
    if len(set(officer_ids)) != len(officer_ids):
        raise InvalidInput("An officer appears twice in the team.")
    users = {u.id: u for u in session.exec(repository.branch_users(branch_id, officer_ids))}
    team: list[User] = []
    for officer_id in officer_ids:
        user = users.get(officer_id)
        if user is None:
            raise NotFound(f"No officer {officer_id} in your branch.")
        if not user.is_active:
            raise InvalidInput(
                f"{user.full_name} ({user.username}) is disabled; choose another officer."
            )
        if user.role not in TEAM_ROLES:
            raise InvalidInput(f"{user.username} cannot go on visits (role {user.role}).")
        team.append(user)
    return team


def check_staff(policy: Policy, teams: Sequence[Sequence[User]]) -> None:
    """Every route is a team of at least the policy's minimum staff."""
    short = [team for team in teams if len(team) < policy.min_staff]
    if not short:
        return
    named = ", ".join(f"{' + '.join(u.username for u in team)} ({len(team)})" for team in short)
    raise PolicyViolation(
        f"The branch policy (version {policy.version}) asks for at least {policy.min_staff} "
        f"staff on every home visit; {'this route has' if len(short) == 1 else 'these routes have'}"
        f" fewer: {named}. Send teams of {policy.min_staff} or more (`teams`, lead first).",
        rules=[compliance.BELOW_MIN_STAFF],
        min_staff=policy.min_staff,
    )


def check_free(
    session: Session,
    *,
    branch_id: uuid.UUID,
    plan_date: date,
    user_ids: Sequence[uuid.UUID],
    replacing: bool = False,
) -> None:
    """Nobody in `user_ids` has a visit that day already (409 naming them). With
    `replacing` (a new plan for the day), visits a publish would replace do not count."""
    rows = session.exec(
        select(VisitOfficer.user_id, func.count())
        .join(Visit, col(Visit.id) == col(VisitOfficer.visit_id))
        .where(
            of_branch(Visit, branch_id),
            Visit.plan_date == plan_date,
            col(Visit.status).in_(ACTIVE_VISIT),
            col(VisitOfficer.user_id).in_(list(user_ids)),
            not_(replaceable_visit()) if replacing else true(),
        )
        .group_by(col(VisitOfficer.user_id))
    ).all()
    if rows:
        names = {
            u.id: u.username
            for u in session.exec(select(User).where(col(User.id).in_([r[0] for r in rows])))
        }
        busy = ", ".join(f"{names.get(uid, uid)} ({n} visits)" for uid, n in rows)
        raise Conflict(
            f"Already planned on {plan_date}: {busy}. Optimise or change that plan, or cancel "
            "those visits first."
        )


def set_team(session: Session, visit: Visit, team: Sequence[User]) -> bool:
    """Rewrite the visit's team rows (lead first); True when the team changed."""
    links = {
        link.user_id: link
        for link in session.exec(select(VisitOfficer).where(VisitOfficer.visit_id == visit.id))
    }
    wanted = [u.id for u in team]
    changed = False
    for user_id, link in links.items():
        if user_id not in wanted:
            session.delete(link)
            changed = True
    for k, user_id in enumerate(wanted):
        existing = links.get(user_id)
        if existing is None:
            session.add(VisitOfficer(visit_id=visit.id, user_id=user_id, is_lead=k == 0))
            changed = True
        elif existing.is_lead != (k == 0):
            existing.is_lead = k == 0
            changed = True
    if visit.officer_id != wanted[0]:
        visit.officer_id = wanted[0]
    elif changed:
        # The team rows are not versioned; bump the visit so phones pull the new team.
        flag_modified(visit, "officer_id")
    return changed


def get_visit(*, session: Session, manager: User, visit_id: uuid.UUID) -> Visit:
    return repository.get_visit(session, visit_id, branch_id=manager.branch_id)


def _not_started(visit: Visit, refusal: str) -> None:
    if visit.status in (*CLOSED_VISIT, VisitStatus.checked_in):
        raise Conflict(f"This visit is {visit.status}; {refusal}")


def assign_visit(
    *,
    session: Session,
    manager: User,
    visit_id: uuid.UUID,
    officer_ids: Sequence[uuid.UUID],
    pinned: bool,
    now: datetime,
) -> Visit:
    """Give a visit to another officer or team (lead first)."""
    visit = get_visit(session=session, manager=manager, visit_id=visit_id)
    _not_started(visit, "only visits not yet started can be reassigned.")
    team = load_team(session, branch_id=manager.branch_id, officer_ids=officer_ids)
    check_staff(current_policy(session, get_branch(session, manager.branch_id)), [team])
    before = team_ids(session, [visit.id])[visit.id]
    old_lead = visit.officer_id
    set_team(session, visit, team)
    unlocated = _mark_unlocated(session, visit)
    if old_lead != team[0].id or unlocated:
        _to_end_of_route(session, visit)
    visit.pinned = pinned
    after = [u.id for u in team]
    if before != after or session.is_modified(visit):
        record_audit(
            session,
            at=now,
            action="visit.assign",
            entity="visit",
            entity_id=visit.id,
            actor_id=manager.id,
            branch_id=visit.branch_id,
            data={
                "from": [str(u) for u in before],
                "to": [str(u) for u in after],
                "pinned": pinned,
            },
        )
    session.flush()
    return visit


FIND_ADDRESS = {
    "code": "find_address",
    "text": "no location yet: find the address on the spot (no planned arrival time)",
    "text_zh": "暂无位置：请现场寻找地址（无预计到达时间）",
    "points": 0,
}


def _mark_unlocated(session: Session, visit: Visit) -> bool:
    """A visit to a borrower without a location: it gets no arrival time and goes last on
    the route, marked "find the address" for the officer. True when so."""
    borrower = session.get(Borrower, visit.borrower_id)
    if borrower is None or (borrower.lat is not None and borrower.lon is not None):
        return False
    if not any(r.get("code") == FIND_ADDRESS["code"] for r in visit.reasons):
        visit.reasons = [*visit.reasons, dict(FIND_ADDRESS)]
    return True


def _to_end_of_route(session: Session, visit: Visit) -> None:
    """Onto the end of the new lead's route that day until the plan is optimised again."""
    last = session.exec(
        select(func.max(Visit.route_position)).where(
            of_branch(Visit, visit.branch_id),
            Visit.plan_date == visit.plan_date,
            Visit.officer_id == visit.officer_id,
            Visit.id != visit.id,
            Visit.status != VisitStatus.cancelled,
        )
    ).one()
    visit.route_position = (last or 0) + 1
    visit.planned_arrival = None
    visit.leg_distance_m = None


def cancel_visit(
    *, session: Session, manager: User, visit_id: uuid.UUID, reason: str, now: datetime
) -> Visit:
    """Cancel a visit that has not started; the reason goes into the audit trail."""
    visit = get_visit(session=session, manager=manager, visit_id=visit_id)
    _not_started(visit, "it can no longer be cancelled.")
    visit.status = VisitStatus.cancelled
    record_audit(
        session,
        at=now,
        action="visit.cancel",
        entity="visit",
        entity_id=visit.id,
        actor_id=manager.id,
        branch_id=visit.branch_id,
        data={"reason": reason, "plan_id": str(visit.plan_id) if visit.plan_id else None},
    )
    session.flush()
    return visit
