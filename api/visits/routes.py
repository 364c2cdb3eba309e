"""Read endpoints for visits, borrowers, the branch, its people and reference data."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from api.auth.routes import UserPublic
from api.deps import ClockDep, CurrentManager, CurrentUser, SessionDep
from api.errors import NotFound
from api.visits import service
from models import Borrower, Branch, Loan, Visit
from models.enums import LoanStatus, Segment, VisitStatus

router = APIRouter(tags=["visits"])


class VisitPublic(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID | None
    borrower_id: uuid.UUID
    officer_id: uuid.UUID
    officer_ids: list[uuid.UUID]
    loan_ids: list[str]
    plan_date: date
    route_position: int | None
    window_start: datetime | None
    window_end: datetime | None
    planned_arrival: datetime | None
    leg_distance_m: int | None
    status: VisitStatus
    priority: int
    reasons: list[dict[str, Any]]
    pinned: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    version: int


class LoanPublic(BaseModel):
    id: uuid.UUID
    account_number: str
    product: str
    principal_fen: int
    outstanding_fen: int
    overdue_fen: int
    dpd: int
    last_payment_date: date | None
    status: LoanStatus


class BorrowerPublic(BaseModel):
    id: uuid.UUID
    name: str
    national_id_masked: str
    phone: str
    address: str
    village: str
    lat: float | None
    lon: float | None
    segment: Segment
    language: str
    safety_flags: list[str]
    preferred_times: list[dict[str, Any]]
    loans: list[LoanPublic]
    version: int


class HardshipReasonPublic(BaseModel):
    id: uuid.UUID
    code: str
    label_zh: str
    label_en: str
    sort_order: int
    active: bool


class BranchPublic(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    address: str
    phone: str
    lat: float
    lon: float
    timezone: str
    work_start: time
    work_end: time


def _fields(row: object, model: type[BaseModel], **extra: object) -> dict[str, object]:
    # Attributes, not model_dump(): enum columns come back from the database as plain str.
    return {
        name: extra[name] if name in extra else getattr(row, name) for name in model.model_fields
    }


def visit_public(visit: Visit, officer_ids: list[uuid.UUID]) -> VisitPublic:
    return VisitPublic.model_validate(_fields(visit, VisitPublic, officer_ids=officer_ids))


def borrower_public(borrower: Borrower, loans: list[Loan]) -> BorrowerPublic:
    return BorrowerPublic.model_validate(
        _fields(
            borrower,
            BorrowerPublic,
            loans=[LoanPublic.model_validate(loan, from_attributes=True) for loan in loans],
        )
    )


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
    """The borrower's full record; the view is written to the audit trail."""
    borrower, loans = service.get_borrower(
        session=session,
        user=user,
        borrower_id=borrower_id,
        now=now,
        device_id=x_device_id,
        client_address=request.client.host if request.client else None,
        location=_header_location(x_location),
    )
    return borrower_public(borrower, loans)


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
def current_branch(user: CurrentUser, session: SessionDep) -> BranchPublic:
    branch = session.get(Branch, user.branch_id)
    if branch is None:
        raise NotFound("Your branch no longer exists.")
    return BranchPublic.model_validate(branch, from_attributes=True)


@router.get("/users", operation_id="users-list", response_model=list[UserPublic])
def list_users(manager: CurrentManager, session: SessionDep) -> list[UserPublic]:
    return [
        UserPublic.model_validate(u, from_attributes=True)
        for u in service.list_branch_users(session=session, manager=manager)
    ]
