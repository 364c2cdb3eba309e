"""HTTP endpoints for planning (branch managers only): candidates, priority settings, plans,
assignment and cancellation of visits.

Path ids are resolved by dependencies (`BranchPlan`, `BranchVisit`) before the body is
read, so another branch's id answers 404 whatever the body says.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import ClockDep, CurrentBranch, CurrentManager, CurrentUser, SessionDep, SettingsDep
from api.planning import assignment, candidates, plans, repository, settings
from api.planning.priority import PrioritySettings
from api.planning.schedule import WorkdaySettings
from api.planning.schemas import (
    CandidateFilters,
    CandidatePage,
    OfficerWorkday,
    PlanCreate,
    PlanOptimise,
    PlanPublic,
    PlanPublished,
    PlanSummaryItem,
    VisitAssign,
    VisitCancel,
)
from api.public import from_record
from api.routing.travel import TravelChoice
from api.visits.assessment import FollowUpSettings
from api.visits.schemas import VisitPublic, visit_public
from api.visits.service import team_ids
from models import Visit, VisitPlan

router = APIRouter(tags=["planning"])


def branch_plan(plan_id: uuid.UUID, manager: CurrentManager, session: SessionDep) -> VisitPlan:
    return repository.get_plan(session, plan_id, branch_id=manager.branch_id)


def branch_visit(visit_id: uuid.UUID, manager: CurrentManager, session: SessionDep) -> Visit:
    return repository.get_visit(session, visit_id, branch_id=manager.branch_id)


BranchPlan = Annotated[VisitPlan, Depends(branch_plan)]
BranchVisit = Annotated[Visit, Depends(branch_visit)]


def plan_public(session: SessionDep, plan: VisitPlan) -> PlanPublic:
    visits = [visit_public(v, team) for v, team in plans.plan_visits(session, plan)]
    return from_record(PlanPublic, plan, visits=visits)


def _visit_public(session: SessionDep, visit: Visit) -> VisitPublic:
    return visit_public(visit, team_ids(session, [visit.id])[visit.id])


@router.get("/candidates", operation_id="planning-candidates", response_model=CandidatePage)
def list_candidates(
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
    filters: Annotated[CandidateFilters, Query()],
) -> CandidatePage:
    """Borrowers of your branch to visit, highest priority first, each with its reasons.

    One row per borrower: several overdue loans are summed (overdue) and listed (loan_ids).
    """
    total, page = candidates.list_candidates(
        session=session, manager=manager, filters=filters, now=now
    )
    return CandidatePage(
        total=total,
        limit=filters.limit,
        offset=filters.offset,
        items=[candidates.candidate_public(c) for c in page],
    )


@router.get(
    "/branches/current/settings/priority",
    operation_id="planning-priority-settings-get",
    response_model=PrioritySettings,
)
def get_priority_settings(manager: CurrentManager, session: SessionDep) -> PrioritySettings:
    """Your branch's priority rules and weights (defaults where the branch set nothing)."""
    return settings.get_priority_settings(session=session, manager=manager)


@router.put(
    "/branches/current/settings/priority",
    operation_id="planning-priority-settings-put",
    response_model=PrioritySettings,
)
def put_priority_settings(
    values: PrioritySettings, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> PrioritySettings:
    """Replace your branch's priority settings; fields left out take their default."""
    return settings.update_priority_settings(
        session=session, manager=manager, values=values, now=now
    )


@router.get(
    "/branches/current/settings/follow-up",
    operation_id="planning-follow-up-settings-get",
    response_model=FollowUpSettings,
)
def get_follow_up_settings(manager: CurrentManager, session: SessionDep) -> FollowUpSettings:
    """Your branch's follow-up cadence: days after a visit per next action and DPD bucket."""
    return settings.get_follow_up_settings(session=session, manager=manager)


@router.put(
    "/branches/current/settings/follow-up",
    operation_id="planning-follow-up-settings-put",
    response_model=FollowUpSettings,
)
def put_follow_up_settings(
    values: FollowUpSettings, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> FollowUpSettings:
    """Replace your branch's follow-up cadence (1 to 90 days, or null for no default date);
    actions left out take their default."""
    return settings.update_follow_up_settings(
        session=session, manager=manager, values=values, now=now
    )


@router.get(
    "/branches/current/settings/workday",
    operation_id="planning-workday-get",
    response_model=WorkdaySettings,
)
def get_workday(user: CurrentUser, branch: CurrentBranch) -> WorkdaySettings:
    """Your branch's working day (officers of the branch may read it)."""
    return settings.branch_workday(branch)


@router.put(
    "/branches/current/settings/workday",
    operation_id="planning-workday-put",
    response_model=WorkdaySettings,
)
def put_workday(
    values: WorkdaySettings, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> WorkdaySettings:
    """Set your branch's working day: start, end, breaks, most working minutes."""
    return settings.update_branch_workday(session=session, manager=manager, values=values, now=now)


@router.get(
    "/branches/current/settings/workday/officers",
    operation_id="planning-workday-officers",
    response_model=list[OfficerWorkday],
)
def list_officer_workdays(manager: CurrentManager, session: SessionDep) -> list[OfficerWorkday]:
    """Every officer of your branch with their own working day (null: the branch's)."""
    return [
        OfficerWorkday(user_id=u.id, full_name=u.full_name, workday=settings.officer_override(u))
        for u in settings.list_officer_workdays(session=session, manager=manager)
    ]


@router.put(
    "/branches/current/settings/workday/officers/{user_id}",
    operation_id="planning-workday-officer-put",
    response_model=OfficerWorkday,
)
def put_officer_workday(
    user_id: uuid.UUID,
    values: WorkdaySettings,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> OfficerWorkday:
    """Give one officer their own working day (teams plan on what all members share)."""
    officer = settings.set_officer_workday(
        session=session, manager=manager, user_id=user_id, values=values, now=now
    )
    return OfficerWorkday(user_id=officer.id, full_name=officer.full_name, workday=values)


@router.delete(
    "/branches/current/settings/workday/officers/{user_id}",
    operation_id="planning-workday-officer-delete",
    status_code=204,
    response_class=Response,
)
def delete_officer_workday(
    user_id: uuid.UUID, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> Response:
    """The officer goes back to the branch's working day."""
    settings.set_officer_workday(
        session=session, manager=manager, user_id=user_id, values=None, now=now
    )
    return Response(status_code=204)


@router.post("/plans", operation_id="plans-create", response_model=PlanPublic, status_code=201)
def create_plan(
    body: PlanCreate,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
    config: SettingsDep,
) -> PlanPublic:
    """Plan a day: create the visits, share them among the officers or teams and order each
    route. Borrowers that do not fit are listed in `summary.unassigned`, without a visit.

    A plain `def`: the solver is CPU-bound, so FastAPI runs it in its thread pool.
    """
    plan = plans.create_plan(
        session=session, manager=manager, request=body, now=now, travel=TravelChoice.of(config)
    )
    return plan_public(session, plan)


@router.get("/plans", operation_id="plans-list", response_model=list[PlanSummaryItem])
def list_plans(
    manager: CurrentManager, session: SessionDep, plan_date: date | None = None
) -> list[PlanSummaryItem]:
    return [
        PlanSummaryItem.model_validate(p, from_attributes=True)
        for p in plans.list_plans(session=session, manager=manager, plan_date=plan_date)
    ]


@router.get("/plans/{plan_id}", operation_id="plans-get", response_model=PlanPublic)
def get_plan(plan: BranchPlan, session: SessionDep) -> PlanPublic:
    return plan_public(session, plan)


@router.post("/plans/{plan_id}/optimise", operation_id="plans-optimise", response_model=PlanPublic)
def optimise_plan(
    plan: BranchPlan,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
    config: SettingsDep,
    body: PlanOptimise | None = None,
) -> PlanPublic:
    """Re-order every route after manual changes; pinned visits keep their officer, and
    unless `fresh` every visit stays on its route. `summary.moves` says what moved."""
    options = body or PlanOptimise()
    plans.optimise_plan(
        session=session,
        manager=manager,
        plan_id=plan.id,
        options=options,
        now=now,
        travel=TravelChoice.of(config),
    )
    return plan_public(session, plan)


@router.post("/plans/{plan_id}/publish", operation_id="plans-publish", response_model=PlanPublished)
def publish_plan(
    plan: BranchPlan, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> PlanPublished:
    """Send the plan to the officers' phones. A plan already published for that day is
    replaced: its visits not yet started are cancelled; `replaced` lists them."""
    replaced = plans.publish_plan(session=session, manager=manager, plan_id=plan.id, now=now)
    public = plan_public(session, plan)
    return PlanPublished(**public.model_dump(), replaced=replaced)


@router.delete("/plans/{plan_id}", operation_id="plans-delete", status_code=204)
def delete_plan(
    plan: BranchPlan, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> None:
    """Discard a draft plan with its visits. A published plan answers 409: cancel its
    visits, or publish a new plan for the day to replace it."""
    plans.delete_plan(session=session, manager=manager, plan_id=plan.id, now=now)


@router.post("/visits/{visit_id}/assign", operation_id="visits-assign", response_model=VisitPublic)
def assign_visit(
    visit: BranchVisit,
    body: VisitAssign,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> VisitPublic:
    """Give a visit to another officer or team (lead first). Pinned by default, so the
    optimiser keeps it with them."""
    assignment.assign_visit(
        session=session,
        manager=manager,
        visit_id=visit.id,
        officer_ids=body.officer_ids,
        pinned=body.pinned,
        now=now,
    )
    return _visit_public(session, visit)


@router.post("/visits/{visit_id}/cancel", operation_id="visits-cancel", response_model=VisitPublic)
def cancel_visit(
    visit: BranchVisit,
    body: VisitCancel,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> VisitPublic:
    assignment.cancel_visit(
        session=session, manager=manager, visit_id=visit.id, reason=body.reason, now=now
    )
    return _visit_public(session, visit)
