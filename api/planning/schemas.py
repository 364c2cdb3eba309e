"""Request and response bodies of the planning endpoints."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.routing.schemas import MAX_ITERATIONS, MAX_STOPS, MAX_TIME_LIMIT_S, MIN_TIME_LIMIT_S
from api.visits.schemas import VisitPublic
from models.enums import PlanStatus, Segment

BucketName = Literal["M1", "M2", "M3", "M3+"]
MAX_TEAM = 5
MAX_ROUTES = 50

OfficerIds = list[uuid.UUID]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CandidateFilters(BaseModel):
    bucket: BucketName | None = Field(None, description="DPD bucket of the worst loan.")
    min_overdue_fen: int | None = Field(None, ge=0, description="Total overdue at least (fen).")
    max_overdue_fen: int | None = Field(None, ge=0, description="Total overdue at most (fen).")
    segment: Segment | None = None
    village: str | None = Field(None, max_length=120, description="Part of the village name.")
    officer_id: uuid.UUID | None = Field(
        None, description="Borrowers whose last visit was with this officer."
    )
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class ReasonPublic(BaseModel):
    code: str
    text: str
    text_zh: str
    points: int


class CandidatePublic(BaseModel):
    """One borrower to visit (a borrower with several overdue loans is one candidate)."""

    borrower_id: uuid.UUID
    name: str
    village: str
    address: str
    segment: Segment
    lat: float | None
    lon: float | None
    loan_ids: list[uuid.UUID] = Field(description="The eligible loans, worst first.")
    account_numbers: list[str]
    overdue_fen: int = Field(description="Sum over the listed loans.")
    outstanding_fen: int
    dpd: int = Field(description="Days past due of the worst loan.")
    bucket: str
    score: int
    reasons: list[ReasonPublic]
    last_visit_on: date | None = Field(
        description="Latest visit done, checked in or planned (not cancelled or skipped)."
    )
    last_contact_on: date | None = Field(description="Last day the borrower was met.")


class CandidatePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CandidatePublic]


class PlanCreate(_Strict):
    """Either `borrower_ids` (in clerk order) or `auto` (the top candidates); either
    `officer_ids` (one route each) or `teams` (officers travelling together, lead first)."""

    plan_date: date
    borrower_ids: list[uuid.UUID] | None = Field(None, max_length=MAX_STOPS)
    auto: bool = False
    limit: int | None = Field(
        None,
        ge=1,
        le=MAX_STOPS,
        description="Candidates taken when auto (default: the planning setting per route).",
    )
    officer_ids: OfficerIds | None = Field(None, max_length=MAX_ROUTES)
    teams: list[OfficerIds] | None = Field(None, max_length=MAX_ROUTES)
    time_limit_s: float | None = Field(None, ge=MIN_TIME_LIMIT_S, le=MAX_TIME_LIMIT_S)
    max_iterations: int | None = Field(None, ge=1, le=MAX_ITERATIONS)

    @model_validator(mode="after")
    def _one_of_each(self) -> Self:
        if (self.borrower_ids is not None) == self.auto:
            raise ValueError("give either borrower_ids or auto: true (not both)")
        if self.borrower_ids is not None and not self.borrower_ids:
            raise ValueError("borrower_ids is empty: name at least one borrower")
        if (self.officer_ids is None) == (self.teams is None):
            raise ValueError("give either officer_ids or teams (not both)")
        routes = self.route_teams()
        if not routes:
            raise ValueError("name at least one officer")
        for team in routes:
            if not 1 <= len(team) <= MAX_TEAM:
                raise ValueError(f"a team has 1 to {MAX_TEAM} officers")
        everyone = [o for team in routes for o in team]
        if len(set(everyone)) != len(everyone):
            raise ValueError("an officer appears twice; each officer is on one route")
        return self

    def route_teams(self) -> list[list[uuid.UUID]]:
        if self.teams is not None:
            return [list(team) for team in self.teams]
        return [[officer] for officer in self.officer_ids or []]


class PlanOptimise(_Strict):
    time_limit_s: float | None = Field(None, ge=MIN_TIME_LIMIT_S, le=MAX_TIME_LIMIT_S)
    max_iterations: int | None = Field(None, ge=1, le=MAX_ITERATIONS)


class VisitAssign(_Strict):
    officer_ids: OfficerIds = Field(min_length=1, max_length=MAX_TEAM, description="Lead first.")
    pinned: bool = Field(
        True, description="Keep this officer when the plan is optimised again (default true)."
    )


class VisitCancel(_Strict):
    reason: str = Field(min_length=1, max_length=500)


class PlanSummaryItem(BaseModel):
    id: uuid.UUID
    plan_date: date
    status: PlanStatus
    created_by: uuid.UUID
    created_at: datetime
    version: int
    summary: dict[str, Any] = Field(
        description=(
            "routes: [{officer_ids, lead_id, visit_ids, stops, distance_m, duration_s, start_at, "
            "end_at, clerk_distance_m, saved_m, saved_km, clerk_late_visits, clerk_order_kept}], "
            "unassigned: [{borrower_id, name, score, reason, text, text_zh}], unscheduled, "
            "distance_m, clerk_distance_m, saved_m, saved_km, visits, solver, settings"
        )
    )


class PlanPublic(PlanSummaryItem):
    visits: list[VisitPublic]
