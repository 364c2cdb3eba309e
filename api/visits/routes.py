"""Read endpoints for visits, borrowers, the branch, its people and reference data."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Request

from api.auth.schemas import UserPublic
from api.deps import ClockDep, CurrentBranch, CurrentManager, CurrentUser, SessionDep
from api.geo.service import open_proposal_counts
from api.visits import service
from api.visits.schemas import (
    BorrowerPublic,
    BranchPublic,
    HardshipReasonPublic,
    VisitPublic,
    borrower_public,
    visit_public,
)

router = APIRouter(tags=["visits"])


@router.get("/visits", operation_id="visits-list", response_model=list[VisitPublic])
def list_visits(
    user: CurrentUser,
    session: SessionDep,
    plan_date: date | None = None,
    officer_id: uuid.UUID | None = None,
) -> list[VisitPublic]:
    """An officer gets their own visits; a manager their branch's (filter by officer)."""
    rows = service.list_visits(
        session=session, user=user, plan_date=plan_date, officer_id=officer_id
    )
    return [visit_public(v, team) for v, team in rows]


@router.get("/visits/{visit_id}", operation_id="visits-get", response_model=VisitPublic)
def get_visit(visit_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> VisitPublic:
    visit, team = service.get_visit(session=session, user=user, visit_id=visit_id)
    return visit_public(visit, team)


def _header_location(value: str | None) -> tuple[float, float] | None:
    """`X-Location: <lat>,<lon>` as the phone or console knows it; ignored when malformed."""
    try:
        lat, lon = (float(part) for part in (value or "").split(",")[:2])
    except ValueError:
        return None
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None


@router.get("/borrowers/{borrower_id}", operation_id="borrowers-get", response_model=BorrowerPublic)
def get_borrower(
    borrower_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    now: ClockDep,
    request: Request,
    x_device_id: Annotated[uuid.UUID | None, Header()] = None,
    x_location: Annotated[str | None, Header()] = None,
) -> BorrowerPublic:
    """The borrower's full record, with location provenance and open proposals; the view
    is written to the audit trail."""
    borrower, loans = service.get_borrower(
        session=session,
        user=user,
        borrower_id=borrower_id,
        now=now,
        device_id=x_device_id,
        client_address=request.client.host if request.client else None,
        location=_header_location(x_location),
    )
    count = open_proposal_counts(session, [borrower.id]).get(borrower.id, 0)
    return borrower_public(borrower, loans, open_proposals=count)


@router.get(
    "/hardship-reasons",
    operation_id="hardship-reasons-list",
    response_model=list[HardshipReasonPublic],
)
def list_hardship_reasons(user: CurrentUser, session: SessionDep) -> list[HardshipReasonPublic]:
    return [
        HardshipReasonPublic.model_validate(r, from_attributes=True)
        for r in service.list_hardship_reasons(session=session)
    ]


@router.get("/branches/current", operation_id="branches-current", response_model=BranchPublic)
def current_branch(branch: CurrentBranch) -> BranchPublic:
    return BranchPublic.model_validate(branch, from_attributes=True)


@router.get("/users", operation_id="users-list", response_model=list[UserPublic])
def list_users(manager: CurrentManager, session: SessionDep) -> list[UserPublic]:
    return [
        UserPublic.model_validate(u, from_attributes=True)
        for u in service.list_branch_users(session=session, manager=manager)
    ]
