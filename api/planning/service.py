"""Planning: candidates with explained priority, visit plans, assignment and route order.

Services flush and never commit (the request commits); every state change writes an audit
event; the clock is passed in. A manager works on their own branch only: other branches'
rows answer 404 as if they did not exist.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from api.audit import record_audit
from api.compliance import rules as compliance
from api.compliance.policy import Policy
from api.compliance.service import current_policy
from api.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from api.planning import priority
from api.planning.planner import PlanOutcome, RouteSpec, StopSpec, plan_routes
from api.planning.schedule import (
    DayClock,
    PlanningSettings,
    TravelSettings,

    visit_window,
)
from api.planning.schemas import CandidateFilters, PlanCreate, PlanOptimise
from api.settings_merge import merge_model
from api.routing.schemas import MAX_PRIZE
from api.routing.travel import HaversineTravelModel
from api.visits.service import team_ids
from models import (
    Borrower,
    Branch,
    Loan,
    Promise,
    User,
    Visit,
    VisitOfficer,
    VisitOutcome,
    VisitPlan,
)
from models.enums import (
    Contact,
    LoanStatus,
    PlanStatus,
    PromiseStatus,
    Role,
    VisitStatus,
)

ACTIVE_VISIT = (VisitStatus.planned, VisitStatus.checked_in)
COUNTS_AS_VISITED = (VisitStatus.done, VisitStatus.checked_in, VisitStatus.planned)
CLOSED_VISIT = (VisitStatus.done, VisitStatus.cancelled)
TEAM_ROLES = (Role.officer, Role.manager)

# ---------------------------------------------------------------------------------------------
# Branch, settings


def _branch(session: Session, manager: User) -> Branch:
    branch = session.get(Branch, manager.branch_id)
    if branch is None:
        raise NotFound("Your branch no longer exists.")
    return branch


def _zone(branch: Branch) -> ZoneInfo:
    return ZoneInfo(branch.timezone or "Asia/Shanghai")


def get_priority_settings(*, session: Session, manager: User) -> priority.PrioritySettings:
    """The branch's priority rules and weights, merged over the defaults."""
    return priority.merge_settings(_branch(session, manager).settings.get("priority"))


def update_priority_settings(
    *, session: Session, manager: User, values: priority.PrioritySettings, now: datetime
) -> priority.PrioritySettings:
    """Replace the branch's priority settings (fields left out take their defaults)."""
    branch = _branch(session, manager)
    before = priority.merge_settings(branch.settings.get("priority")).model_dump()
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


# ---------------------------------------------------------------------------------------------
# Candidates


@dataclass
class Candidate:
    borrower: Borrower
    scored: priority.Scored
    last_visit: date | None
    last_contact: date | None

    @property
    def clerk_key(self) -> tuple[str, str]:
        """Import order as a clerk sees it: the core-banking export lists accounts in order."""
        accounts = sorted(loan.account_number for loan in self.scored.loans)
        return (accounts[0] if accounts else "~", str(self.borrower.id))


def _loan_facts(loan: Loan) -> priority.LoanFacts:
    return priority.LoanFacts(
        id=str(loan.id),
        account_number=loan.account_number,
        dpd=loan.dpd,
        overdue_fen=loan.overdue_fen,
        outstanding_fen=loan.outstanding_fen,
        status=loan.status,
    )


@dataclass
class _Facts:
    borrower: Borrower
    facts: priority.BorrowerFacts


def _gather(
    session: Session,
    *,
    branch: Branch,
    settings: priority.PrioritySettings,
    today: date,
    borrower_ids: Sequence[uuid.UUID] | None = None,
) -> dict[uuid.UUID, _Facts]:
    """Everything the priority rules read, in five queries for the whole branch."""
    zone = _zone(branch)
    loan_query = (
        select(Loan, Borrower)
        .join(Borrower, col(Borrower.id) == col(Loan.borrower_id))
        .where(
            Loan.branch_id == branch.id,
            col(Loan.status).not_in([LoanStatus.legal, LoanStatus.closed]),
        )
    )
    if borrower_ids is None:
        loan_query = loan_query.where(Loan.dpd >= settings.min_dpd)
    else:
        loan_query = loan_query.where(col(Loan.borrower_id).in_(list(borrower_ids)))
    found: dict[uuid.UUID, _Facts] = {}
    for loan, borrower in session.exec(loan_query):
        entry = found.setdefault(
            borrower.id, _Facts(borrower=borrower, facts=priority.BorrowerFacts(loans=[]))
        )
        entry.facts.loans.append(_loan_facts(loan))
    if borrower_ids is not None:
        for borrower in session.exec(
            select(Borrower).where(
                col(Borrower.id).in_(list(borrower_ids)), Borrower.branch_id == branch.id
            )
        ):
            found.setdefault(
                borrower.id, _Facts(borrower=borrower, facts=priority.BorrowerFacts(loans=[]))
            )
    if not found:
        return found

    in_branch = select(Borrower.id).where(Borrower.branch_id == branch.id)
    scope = list(borrower_ids) if borrower_ids is not None else in_branch
    since = today - timedelta(days=settings.promise_lookback_days)
    promises = session.exec(
        select(Promise).where(
            col(Promise.borrower_id).in_(scope),
            or_(
                col(Promise.status) == PromiseStatus.open,
                and_(col(Promise.status) == PromiseStatus.broken, col(Promise.due_date) >= since),
            ),
        )
    )
    for promise in promises:
        if promise.borrower_id in found:
            found[promise.borrower_id].facts.promises.append(
                priority.PromiseFacts(
                    due_date=promise.due_date,
                    status=promise.status,
                    amount_fen=promise.amount_fen,
                    paid_fen=promise.paid_fen,
                )
            )
    from api.agreements.service import agreement_facts  # agreements import planning's priority

    for borrower_id, facts in agreement_facts(
        session=session, borrower_ids=scope, zone=zone, since=since
    ).items():
        if borrower_id in found:
            found[borrower_id].facts.agreements = facts
    contacts = session.exec(
        select(Visit.borrower_id, func.max(VisitOutcome.at))
        .join(Visit, col(Visit.id) == col(VisitOutcome.visit_id))
        .where(
            Visit.branch_id == branch.id,
            col(Visit.borrower_id).in_(scope),
            VisitOutcome.contact == Contact.borrower,
        )
        .group_by(col(Visit.borrower_id))
    )
    for borrower_id, at in contacts:
        if borrower_id in found and at is not None:
            found[borrower_id].facts.last_contact = at.astimezone(zone).date()
    visits = session.exec(
        select(Visit.borrower_id, func.max(Visit.plan_date))
        .where(
            Visit.branch_id == branch.id,
            col(Visit.borrower_id).in_(scope),
            col(Visit.status).in_(COUNTS_AS_VISITED),
        )
        .group_by(col(Visit.borrower_id))
    )
    for borrower_id, day in visits:
        if borrower_id in found:
            found[borrower_id].facts.last_visit = day
    return found


def _last_visited_with(
    session: Session, *, branch_id: uuid.UUID, officer_id: uuid.UUID
) -> set[uuid.UUID]:
    """Borrowers whose latest visit (not cancelled) had this officer on the team."""
    ranked = (
        select(
            col(Visit.id).label("visit_id"),
            col(Visit.borrower_id).label("borrower_id"),
            func.row_number()
            .over(
                partition_by=col(Visit.borrower_id),
                order_by=(col(Visit.plan_date).desc(), col(Visit.created_at).desc()),
            )
            .label("rank"),
        )
        .where(Visit.branch_id == branch_id, Visit.status != VisitStatus.cancelled)
        .subquery()
    )
    rows = session.exec(
        select(ranked.c.borrower_id)
        .join(VisitOfficer, col(VisitOfficer.visit_id) == ranked.c.visit_id)
        .where(ranked.c.rank == 1, VisitOfficer.user_id == officer_id)
    )
    return set(rows)


def _visit_days(
    session: Session,
    *,
    branch_id: uuid.UUID,
    day: date,
    days: int,
    borrower_ids: Sequence[uuid.UUID] | None = None,
) -> dict[uuid.UUID, tuple[date, ...]]:
    """Days of each borrower's visits (planned, checked in or done) less than `days` days
    from `day`, in one query: what the policy's frequency rule looks at."""
    if days <= 0:
        return {}
    query = select(col(Visit.borrower_id), col(Visit.plan_date)).where(
        Visit.branch_id == branch_id,
        col(Visit.status).in_(COUNTS_AS_VISITED),
        col(Visit.plan_date) > day - timedelta(days=days),
        col(Visit.plan_date) < day + timedelta(days=days),
    )
    if borrower_ids is not None:
        query = query.where(col(Visit.borrower_id).in_(list(borrower_ids)))
    found: dict[uuid.UUID, set[date]] = {}
    for borrower_id, other in session.exec(query):
        found.setdefault(borrower_id, set()).add(other)
    return {b: tuple(sorted(d)) for b, d in found.items()}


def _frequency_breach(
    policy: Policy, branch: Branch, day: date, other_days: tuple[date, ...]
) -> compliance.Violation | None:
    return compliance.visit_frequency(
        compliance.Context(policy=policy, tz=_zone(branch), day=day, other_visit_days=other_days)
    )


def _candidates(
    session: Session,
    *,
    branch: Branch,
    today: date,
    settings: priority.PrioritySettings,
    policy: Policy,
    day: date | None = None,
) -> list[Candidate]:
    """Borrowers to visit on `day` (default today), best first. Borrowers the priority rules
    leave out and those the policy's frequency rule forbids that day are not candidates."""
    found = _gather(session, branch=branch, settings=settings, today=today)
    near = _visit_days(
        session, branch_id=branch.id, day=day or today, days=policy.visit_frequency_days
    )
    out: list[Candidate] = []
    for entry in found.values():
        other_days = near.get(entry.borrower.id, ())
        if other_days and _frequency_breach(policy, branch, day or today, other_days):
            continue
        scored = priority.candidate(entry.facts, today=today, settings=settings)
        if scored is not None:
            out.append(
                Candidate(entry.borrower, scored, entry.facts.last_visit, entry.facts.last_contact)
            )
    out.sort(
        key=lambda c: (-c.scored.score, -c.scored.overdue_fen, c.borrower.name, str(c.borrower.id))
    )
    return out


def list_candidates(
    *, session: Session, manager: User, filters: CandidateFilters, now: datetime
) -> tuple[int, list[Candidate]]:
    """Borrowers of the branch that should be visited, best first: (total, page)."""
    branch = _branch(session, manager)
    today = now.astimezone(_zone(branch)).date()
    settings = priority.merge_settings(branch.settings.get("priority"))
    policy = current_policy(session, branch)
    rows = _candidates(session, branch=branch, today=today, settings=settings, policy=policy)
    if filters.bucket is not None:
        rows = [c for c in rows if c.scored.bucket == filters.bucket]
    if filters.min_overdue_fen is not None:
        rows = [c for c in rows if c.scored.overdue_fen >= filters.min_overdue_fen]
    if filters.max_overdue_fen is not None:
        rows = [c for c in rows if c.scored.overdue_fen <= filters.max_overdue_fen]
    if filters.segment is not None:
        rows = [c for c in rows if c.borrower.segment == filters.segment]
    if filters.village:
        needle = filters.village.strip().lower()
        rows = [c for c in rows if needle in c.borrower.village.lower()]
    if filters.officer_id is not None:
        theirs = _last_visited_with(session, branch_id=branch.id, officer_id=filters.officer_id)
        rows = [c for c in rows if c.borrower.id in theirs]
    return len(rows), rows[filters.offset : filters.offset + filters.limit]


def candidate_public(c: Candidate) -> dict[str, Any]:
    b = c.borrower
    return {
        "borrower_id": b.id,
        "name": b.name,
        "village": b.village,
        "address": b.address,
        "segment": b.segment,
        "lat": b.lat,
        "lon": b.lon,
        "loan_ids": [loan.id for loan in c.scored.loans],
        "account_numbers": [loan.account_number for loan in c.scored.loans],
        "overdue_fen": c.scored.overdue_fen,
        "outstanding_fen": c.scored.outstanding_fen,
        "dpd": c.scored.dpd,
        "bucket": c.scored.bucket,
        "score": c.scored.score,
        "reasons": [r.as_dict() for r in c.scored.reasons],
        "last_visit_on": c.last_visit,
        "last_contact_on": c.last_contact,
    }


# ---------------------------------------------------------------------------------------------
# Teams


def _load_team(
    session: Session, *, branch_id: uuid.UUID, officer_ids: Sequence[uuid.UUID]
) -> list[User]:
    """The users, lead first; unknown ids and other branches' users answer 404."""
    if not officer_ids:
        raise InvalidInput("Name at least one officer.")
    if len(set(officer_ids)) != len(officer_ids):
        raise InvalidInput("An officer appears twice in the team.")
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(list(officer_ids))))}
    team: list[User] = []
    for officer_id in officer_ids:
        user = users.get(officer_id)
        if user is None or user.branch_id != branch_id:
            raise NotFound(f"No officer {officer_id} in your branch.")
        if not user.is_active:
            raise InvalidInput(
                f"{user.full_name} ({user.username}) is disabled; choose another officer."
            )
        if user.role not in TEAM_ROLES:
            raise InvalidInput(f"{user.username} cannot go on visits (role {user.role}).")
        team.append(user)
    return team


def _officers_busy(
    session: Session, *, branch_id: uuid.UUID, plan_date: date, user_ids: Sequence[uuid.UUID]
) -> None:
    rows = session.exec(
        select(VisitOfficer.user_id, func.count())
        .join(Visit, col(Visit.id) == col(VisitOfficer.visit_id))
        .where(
            Visit.branch_id == branch_id,
            Visit.plan_date == plan_date,
            col(Visit.status).in_(ACTIVE_VISIT),
            col(VisitOfficer.user_id).in_(list(user_ids)),
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


def _set_team(session: Session, visit: Visit, team: Sequence[User]) -> bool:
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


def _team_key(ids: Sequence[uuid.UUID]) -> tuple[uuid.UUID, frozenset[uuid.UUID]]:
    return ids[0], frozenset(ids[1:])


def _check_staff(policy: Policy, teams: Sequence[Sequence[User]]) -> None:
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


# ---------------------------------------------------------------------------------------------
# Plans


@dataclass
class _DaySetup:
    branch: Branch
    clock: DayClock
    lawful: tuple[time, time]
    shift: tuple[int, int]
    service_s: int
    planning: PlanningSettings
    travel: TravelSettings
    policy: Policy


def _day_setup(branch: Branch, plan_date: date, now: datetime, policy: Policy) -> _DaySetup:
    zone = _zone(branch)
    today = now.astimezone(zone).date()
    if plan_date < today:
        raise InvalidInput(f"{plan_date} is in the past; plan today ({today}) or a later day.")
    if plan_date in policy.holidays:
        raise PolicyViolation(
            f"{plan_date} is a holiday of your branch (policy version {policy.version}): no "
            "visits may be made on it. Plan another day.",
            rules=[compliance.HOLIDAY],
        )
    planning = merge_model(PlanningSettings, branch.settings.get("planning"))
    travel = merge_model(TravelSettings, branch.settings.get("travel"))
    lawful = (policy.visiting_start, policy.visiting_end)
    clock = DayClock(plan_date, zone)
    service_s = planning.service_min * 60
    start, end = clock.seconds(lawful[0]), clock.seconds(lawful[1])
    if plan_date == today:
        # Nobody can arrive in the past: today's routes start now (to the next minute).
        start = max(start, math.ceil(clock.seconds_of(now) / 60) * 60)
    if end - start < service_s:
        raise InvalidInput(
            f"No time is left for a visit on {plan_date} within visiting hours "
            f"{lawful[0]:%H:%M}-{lawful[1]:%H:%M}; plan another day."
        )
    return _DaySetup(branch, clock, lawful, (start, end), service_s, planning, travel, policy)


def _route_spec(setup: _DaySetup, lead: User) -> RouteSpec:
    if lead.home_lat is not None and lead.home_lon is not None:
        home = (lead.home_lat, lead.home_lon)
    else:
        home = (setup.branch.lat, setup.branch.lon)
    return RouteSpec(start=home, end=home, shift=setup.shift)


def _unassigned(
    borrower: Borrower, score: int, reason: str, text: str, text_zh: str
) -> dict[str, Any]:
    return {
        "borrower_id": str(borrower.id),
        "name": borrower.name,
        "score": score,
        "reason": reason,
        "text": text,
        "text_zh": text_zh,
    }


def _route_summary(
    setup: _DaySetup, team: Sequence[uuid.UUID], visit_ids: list[str], route: Any
) -> dict[str, Any]:
    return {
        "officer_ids": [str(u) for u in team],
        "lead_id": str(team[0]),
        "visit_ids": visit_ids,
        "stops": len(visit_ids),
        "distance_m": route.distance_m,
        "duration_s": route.duration_s,
        "start_at": setup.clock.at(route.start_s).isoformat()
        if route.start_s is not None
        else None,
        "end_at": setup.clock.at(route.end_s).isoformat() if route.end_s is not None else None,
        "clerk_distance_m": route.clerk_distance_m,
        "saved_m": route.saved_m,
        "saved_km": round(route.saved_m / 1000, 1),
        "clerk_late_visits": route.clerk_late,
        "clerk_order_kept": route.clerk_order_kept,
    }


def _totals(routes: list[dict[str, Any]]) -> dict[str, Any]:
    distance = sum(int(r["distance_m"]) for r in routes)
    clerk = sum(int(r["clerk_distance_m"]) for r in routes)
    return {
        "distance_m": distance,
        "clerk_distance_m": clerk,
        "saved_m": clerk - distance,
        "saved_km": round((clerk - distance) / 1000, 1),
        "visits": sum(int(r["stops"]) for r in routes),
    }


def _settings_summary(setup: _DaySetup) -> dict[str, Any]:
    return {
        "visiting_hours": f"{setup.lawful[0]:%H:%M}-{setup.lawful[1]:%H:%M}",
        "shift": [setup.clock.local_hhmm(setup.shift[0]), setup.clock.local_hhmm(setup.shift[1])],
        "service_min": setup.planning.service_min,
        "travel": setup.travel.model_dump(),
        "timezone": setup.clock.zone.key,
    }


def _solve(
    setup: _DaySetup,
    routes: list[RouteSpec],
    stops: list[StopSpec],
    *,
    time_limit_s: float | None,
    max_iterations: int | None,
) -> PlanOutcome:
    return plan_routes(
        routes,
        stops,
        travel=HaversineTravelModel(setup.travel.detour_factor, setup.travel.speed_kmh),
        time_limit_s=time_limit_s or setup.planning.time_limit_s,
        max_iterations=max_iterations or setup.planning.max_iterations,
    )


def _planned_violations(
    setup: _DaySetup, arrival_s: int, departure_s: int, team_size: int
) -> list[compliance.Violation]:
    """What the policy says about a visit placed from `arrival_s` to `departure_s`."""
    return compliance.evaluate(
        compliance.Context(
            policy=setup.policy,
            tz=setup.clock.zone,
            at=setup.clock.at(arrival_s),
            until=setup.clock.at(departure_s),
            team_size=team_size,
        )
    )


def create_plan(
    *, session: Session, manager: User, request: PlanCreate, now: datetime
) -> VisitPlan:
    """Create the plan's visits, share them among the routes and order each route.

    Borrowers that do not fit the day (lowest priority first), that have no location or
    that already have a visit that day are not given a visit: they are listed in
    `summary["unassigned"]` with the reason.
    """
    branch = _branch(session, manager)
    policy = current_policy(session, branch)
    setup = _day_setup(branch, request.plan_date, now, policy)
    teams = [
        _load_team(session, branch_id=branch.id, officer_ids=ids) for ids in request.route_teams()
    ]
    _check_staff(policy, teams)
    _officers_busy(
        session,
        branch_id=branch.id,
        plan_date=request.plan_date,
        user_ids=[u.id for team in teams for u in team],
    )
    today = now.astimezone(_zone(branch)).date()
    settings = priority.merge_settings(branch.settings.get("priority"))

    picks: list[Candidate] = []
    if request.auto:
        limit = request.limit or setup.planning.routes_day_capacity * len(teams)
        ranked = _candidates(
            session,
            branch=branch,
            today=today,
            settings=settings,
            policy=policy,
            day=request.plan_date,
        )[:limit]
        picks = sorted(ranked, key=lambda c: c.clerk_key)
    else:
        wanted = list(dict.fromkeys(request.borrower_ids or []))
        found = _gather(session, branch=branch, settings=settings, today=today, borrower_ids=wanted)
        for borrower_id in wanted:
            entry = found.get(borrower_id)
            if entry is None:
                raise NotFound(f"No borrower {borrower_id} in your branch.")
            scored = priority.score(
                entry.facts,
                today=today,
                settings=settings,
                loans=priority.overdue_loans(entry.facts.loans),
            )
            picks.append(
                Candidate(entry.borrower, scored, entry.facts.last_visit, entry.facts.last_contact)
            )

    unassigned: list[dict[str, Any]] = []
    already = set(
        session.exec(
            select(Visit.borrower_id).where(
                Visit.branch_id == branch.id,
                Visit.plan_date == request.plan_date,
                Visit.status != VisitStatus.cancelled,
                col(Visit.borrower_id).in_([c.borrower.id for c in picks]),
            )
        )
    )
    near = _visit_days(
        session,
        branch_id=branch.id,
        day=request.plan_date,
        days=policy.visit_frequency_days,
        borrower_ids=[c.borrower.id for c in picks],
    )
    stops: list[StopSpec] = []
    chosen: dict[str, Candidate] = {}
    notes: dict[str, dict[str, Any]] = {}
    windows: dict[str, tuple[int, int]] = {}
    for pick in picks:
        b = pick.borrower
        if b.id in already:
            unassigned.append(
                _unassigned(
                    b,
                    pick.scored.score,
                    "already_planned",
                    f"already has a visit on {request.plan_date}",
                    f"{request.plan_date}已有走访安排",
                )
            )
            continue
        breach = _frequency_breach(policy, branch, request.plan_date, near.get(b.id, ()))
        if breach is not None:
            unassigned.append(
                _unassigned(
                    b,
                    pick.scored.score,
                    compliance.VISIT_FREQUENCY,
                    breach.message,
                    f"合规政策规定{policy.visit_frequency_days}天内最多走访一次，"
                    f"该借款人{near[b.id][0]}已有走访",
                )
            )
            continue
        if b.lat is None or b.lon is None:
            unassigned.append(
                _unassigned(
                    b,
                    pick.scored.score,
                    "no_location",
                    "no location: add lat/lon for this borrower in the import file",
                    "缺少借款人位置，请在导入文件中补充经纬度",
                )
            )
            continue
        window = visit_window(
            b.preferred_times, clock=setup.clock, lawful=setup.lawful, service_s=setup.service_s
        )
        key = str(b.id)
        if window.note is not None:
            notes[key] = window.note
        windows[key] = (window.start, window.end)
        chosen[key] = pick
        prize = min(MAX_PRIZE, max(1, pick.scored.score) * setup.planning.prize_m_per_point)
        stops.append(
            StopSpec(
                key=key,
                point=(b.lat, b.lon),
                window=(window.start, window.end),
                service_s=setup.service_s,
                prize=prize,
            )
        )

    outcome = _solve(
        setup,
        [_route_spec(setup, team[0]) for team in teams],
        stops,
        time_limit_s=request.time_limit_s,
        max_iterations=request.max_iterations,
    )
    plan = VisitPlan(
        branch_id=branch.id,
        plan_date=request.plan_date,
        status=PlanStatus.draft,
        created_by=manager.id,
        created_at=now,
    )
    session.add(plan)
    session.flush()

    visits: list[tuple[Visit, list[User]]] = []
    route_summaries: list[dict[str, Any]] = []
    outside: list[tuple[Candidate, compliance.Violation]] = []
    for team, route in zip(teams, outcome.routes, strict=True):
        visit_ids: list[str] = []
        position = 0
        for stop in route.stops:
            pick = chosen[stop.key]
            unlawful = _planned_violations(setup, stop.arrival_s, stop.departure_s, len(team))
            if unlawful:
                # The windows keep visits within hours; never store one the solver missed.
                outside.append((pick, unlawful[0]))
                continue
            position += 1
            reasons = [r.as_dict() for r in pick.scored.reasons]
            if stop.key in notes:
                reasons.append(notes[stop.key])
            start, end = windows[stop.key]
            visit = Visit(
                branch_id=branch.id,
                plan_id=plan.id,
                borrower_id=pick.borrower.id,
                officer_id=team[0].id,
                loan_ids=[loan.id for loan in pick.scored.loans],
                plan_date=request.plan_date,
                route_position=position,
                window_start=setup.clock.at(start),
                window_end=setup.clock.at(end),
                planned_arrival=setup.clock.at(stop.arrival_s),
                leg_distance_m=stop.leg_m,
                status=VisitStatus.planned,
                priority=pick.scored.score,
                reasons=reasons,
                policy_version=policy.version,
                created_at=now,
            )
            visits.append((visit, team))
            visit_ids.append(str(visit.id))
        route_summaries.append(_route_summary(setup, [u.id for u in team], visit_ids, route))
    session.add_all([v for v, _ in visits])
    session.flush()
    for visit, team in visits:
        for k, user in enumerate(team):
            session.add(VisitOfficer(visit_id=visit.id, user_id=user.id, is_lead=k == 0))
        record_audit(
            session,
            at=now,
            action="visit.plan",
            entity="visit",
            entity_id=visit.id,
            actor_id=manager.id,
            branch_id=branch.id,
            data={
                "plan_id": str(plan.id),
                "borrower_id": str(visit.borrower_id),
                "officer_ids": [str(u.id) for u in team],
                "route_position": visit.route_position,
                "policy_version": policy.version,
            },
        )
    for pick, violation in outside:
        unassigned.append(
            _unassigned(
                pick.borrower,
                pick.scored.score,
                violation.code,
                violation.message,
                "无法在合规走访时间内安排",
            )
        )
    left_out = sorted((chosen[key] for key in outcome.unassigned), key=lambda c: -c.scored.score)
    for pick in left_out:
        unassigned.append(
            _unassigned(
                pick.borrower,
                pick.scored.score,
                "does_not_fit",
                "the day is full: visits with a higher priority were planned first",
                "当天时间已排满，优先安排了优先级更高的走访",
            )
        )
    plan.summary = {
        "routes": route_summaries,
        **_totals(route_summaries),
        "unassigned": unassigned,
        "unscheduled": [],
        "clerk_order": [str(c.borrower.id) for c in picks],
        "solver": {
            "iterations": outcome.iterations,
            "solve_time_s": outcome.solve_time_s,
            "violations": outcome.violations,
        },
        "settings": _settings_summary(setup),
        "optimised_at": None,
    }
    record_audit(
        session,
        at=now,
        action="plan.create",
        entity="visit_plan",
        entity_id=plan.id,
        actor_id=manager.id,
        branch_id=branch.id,
        data={
            "plan_date": request.plan_date.isoformat(),
            "visits": len(visits),
            "unassigned": len(unassigned),
            "routes": len(teams),
            "auto": request.auto,
            "policy_version": policy.version,
        },
    )
    session.flush()
    return plan


def get_plan(*, session: Session, manager: User, plan_id: uuid.UUID) -> VisitPlan:
    plan = session.get(VisitPlan, plan_id)
    if plan is None or plan.branch_id != manager.branch_id:
        raise NotFound("No such plan in your branch.")
    return plan


def plan_visits(session: Session, plan: VisitPlan) -> list[tuple[Visit, list[uuid.UUID]]]:
    visits = list(
        session.exec(
            select(Visit)
            .where(Visit.plan_id == plan.id)
            .order_by(col(Visit.officer_id), col(Visit.route_position), col(Visit.created_at))
        )
    )
    teams = team_ids(session, [v.id for v in visits])
    return [(v, teams[v.id]) for v in visits]


def list_plans(*, session: Session, manager: User, plan_date: date | None) -> list[VisitPlan]:
    query = select(VisitPlan).where(VisitPlan.branch_id == manager.branch_id)
    if plan_date is not None:
        query = query.where(VisitPlan.plan_date == plan_date)
    return list(
        session.exec(
            query.order_by(col(VisitPlan.plan_date).desc(), col(VisitPlan.created_at).desc())
        )
    )


def publish_plan(
    *, session: Session, manager: User, plan_id: uuid.UUID, now: datetime
) -> VisitPlan:
    """Make the plan visible as final to the officers (idempotent)."""
    plan = get_plan(session=session, manager=manager, plan_id=plan_id)
    if plan.status != PlanStatus.published:
        plan.status = PlanStatus.published
        record_audit(
            session,
            at=now,
            action="plan.publish",
            entity="visit_plan",
            entity_id=plan.id,
            actor_id=manager.id,
            branch_id=plan.branch_id,
        )
        session.flush()
    return plan


# ---------------------------------------------------------------------------------------------
# One visit


def get_visit(*, session: Session, manager: User, visit_id: uuid.UUID) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None or visit.branch_id != manager.branch_id:
        raise NotFound("No such visit in your branch.")
    return visit


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
    if visit.status in (*CLOSED_VISIT, VisitStatus.checked_in):
        raise Conflict(
            f"This visit is {visit.status}; only visits not yet started can be reassigned."
        )
    team = _load_team(session, branch_id=manager.branch_id, officer_ids=officer_ids)
    _check_staff(current_policy(session, _branch(session, manager)), [team])
    before = team_ids(session, [visit.id])[visit.id]
    old_lead = visit.officer_id
    _set_team(session, visit, team)
    if old_lead != team[0].id:
        # Onto the end of the new lead's route that day until the plan is optimised again.
        last = session.exec(
            select(func.max(Visit.route_position)).where(
                Visit.branch_id == visit.branch_id,
                Visit.plan_date == visit.plan_date,
                Visit.officer_id == team[0].id,
                Visit.id != visit.id,
                Visit.status != VisitStatus.cancelled,
            )
        ).one()
        visit.route_position = (last or 0) + 1
        visit.planned_arrival = None
        visit.leg_distance_m = None
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


def cancel_visit(
    *, session: Session, manager: User, visit_id: uuid.UUID, reason: str, now: datetime
) -> Visit:
    """Cancel a visit that has not started; the reason goes into the audit trail."""
    visit = get_visit(session=session, manager=manager, visit_id=visit_id)
    if visit.status in (*CLOSED_VISIT, VisitStatus.checked_in):
        raise Conflict(f"This visit is {visit.status}; it can no longer be cancelled.")
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


# ---------------------------------------------------------------------------------------------
# Optimise


def optimise_plan(
    *,
    session: Session,
    manager: User,
    plan_id: uuid.UUID,
    options: PlanOptimise,
    now: datetime,
) -> VisitPlan:
    """Re-order every route of the plan after manual changes.

    Only visits still `planned` move. Pinned visits keep their officer; the others may move
    between the plan's routes to balance the day. A visit that no longer fits keeps its
    officer, loses its position and is listed in `summary["unscheduled"]`.
    """
    plan = get_plan(session=session, manager=manager, plan_id=plan_id)
    branch = _branch(session, manager)
    setup = _day_setup(branch, plan.plan_date, now, current_policy(session, branch))
    rows = [(v, team) for v, team in plan_visits(session, plan) if v.status == VisitStatus.planned]

    # Routes: the plan's teams as created, then any team a visit was reassigned to.
    team_order: list[list[uuid.UUID]] = []
    seen: set[tuple[uuid.UUID, frozenset[uuid.UUID]]] = set()
    for route in plan.summary.get("routes", []):
        try:
            ids = [uuid.UUID(str(u)) for u in route.get("officer_ids", [])]
        except ValueError:
            continue
        if ids and _team_key(ids) not in seen:
            seen.add(_team_key(ids))
            team_order.append(ids)
    for _visit, team in sorted(
        rows, key=lambda r: (str(r[0].officer_id), r[0].route_position or 0)
    ):
        if team and _team_key(team) not in seen:
            seen.add(_team_key(team))
            team_order.append(team)
    if not rows or not team_order:
        return plan
    users = {
        u.id: u
        for u in session.exec(
            select(User).where(col(User.id).in_([u for team in team_order for u in team]))
        )
    }
    team_order = [t for t in team_order if all(u in users for u in t)]
    route_of = {_team_key(t): k for k, t in enumerate(team_order)}

    clerk_rank = {b: k for k, b in enumerate(plan.summary.get("clerk_order", []))}
    borrowers = {
        b.id: b
        for b in session.exec(
            select(Borrower).where(col(Borrower.id).in_([v.borrower_id for v, _ in rows]))
        )
    }
    ordered = sorted(
        rows,
        key=lambda r: (
            clerk_rank.get(str(r[0].borrower_id), len(clerk_rank)),
            str(r[0].officer_id),
            r[0].route_position or 0,
        ),
    )
    stops: list[StopSpec] = []
    by_key: dict[str, Visit] = {}
    unscheduled: list[dict[str, Any]] = []
    for visit, team in ordered:
        borrower = borrowers.get(visit.borrower_id)
        route = route_of.get(_team_key(team)) if team else None
        if route is None:
            unscheduled.append({"visit_id": str(visit.id), "reason": "no_route"})
            continue
        if borrower is None or borrower.lat is None or borrower.lon is None:
            unscheduled.append({"visit_id": str(visit.id), "reason": "no_location"})
            continue
        window = _stored_window(setup, visit, borrower)
        stops.append(
            StopSpec(
                key=str(visit.id),
                point=(borrower.lat, borrower.lon),
                window=window,
                service_s=setup.service_s,
                prize=None,
                pinned_route=route if visit.pinned else None,
            )
        )
        by_key[str(visit.id)] = visit

    outcome = _solve(
        setup,
        [_route_spec(setup, users[t[0]]) for t in team_order],
        stops,
        time_limit_s=options.time_limit_s,
        max_iterations=options.max_iterations,
    )
    moved = 0
    route_summaries: list[dict[str, Any]] = []
    current_team = {v.id: team for v, team in rows}
    unlawful: list[tuple[str, str]] = []
    for team, route in zip(team_order, outcome.routes, strict=True):
        visit_ids: list[str] = []
        position = 0
        for stop in route.stops:
            visit = by_key[stop.key]
            broken = _planned_violations(setup, stop.arrival_s, stop.departure_s, len(team))
            if broken:
                unlawful.append((stop.key, broken[0].code))
                continue
            position += 1
            if _team_key(current_team[visit.id]) != _team_key(team):
                _set_team(session, visit, [users[u] for u in team])
                moved += 1
            _assign_fields(
                visit,
                route_position=position,
                planned_arrival=setup.clock.at(stop.arrival_s),
                leg_distance_m=stop.leg_m,
                policy_version=setup.policy.version,
            )
            visit_ids.append(stop.key)
        route_summaries.append(_route_summary(setup, team, visit_ids, route))
    for key, code in unlawful:
        visit = by_key[key]
        _assign_fields(visit, route_position=None, planned_arrival=None, leg_distance_m=None)
        unscheduled.append({"visit_id": key, "reason": code})
    for key in outcome.unassigned:
        visit = by_key[key]
        _assign_fields(visit, route_position=None, planned_arrival=None, leg_distance_m=None)
        unscheduled.append({"visit_id": key, "reason": "does_not_fit"})
    plan.summary = {
        **plan.summary,
        "routes": route_summaries,
        **_totals(route_summaries),
        "unscheduled": unscheduled,
        "solver": {
            "iterations": outcome.iterations,
            "solve_time_s": outcome.solve_time_s,
            "violations": outcome.violations,
        },
        "settings": _settings_summary(setup),
        "optimised_at": now.isoformat(),
    }
    record_audit(
        session,
        at=now,
        action="plan.optimise",
        entity="visit_plan",
        entity_id=plan.id,
        actor_id=manager.id,
        branch_id=plan.branch_id,
        data={"visits": len(stops), "moved": moved, "unscheduled": len(unscheduled)},
    )
    session.flush()
    return plan


def _assign_fields(visit: Visit, **values: Any) -> None:
    for name, value in values.items():
        if getattr(visit, name) != value:
            setattr(visit, name, value)


def _stored_window(setup: _DaySetup, visit: Visit, borrower: Borrower) -> tuple[int, int]:
    """The window the visit was planned with, or (if missing or too short) a fresh one."""
    if visit.window_start is not None and visit.window_end is not None:
        start = setup.clock.seconds_of(visit.window_start)
        end = setup.clock.seconds_of(visit.window_end)
        if start >= 0 and end - start >= setup.service_s:
            return start, end
    fresh = visit_window(
        borrower.preferred_times, clock=setup.clock, lawful=setup.lawful, service_s=setup.service_s
    )
    return fresh.start, fresh.end
