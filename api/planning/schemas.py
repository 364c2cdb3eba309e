"""Request and response bodies of the planning endpoints."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from api.dates import SaneDate
from api.planning.schedule import TravelSettings, WorkdaySettings
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
    plan_date: date | None = Field(
        None, description="The day to visit (default: the branch's next working day)."
    )
    include_held: bool = Field(
        False,
        description="Also list borrowers an arrangement on track holds back, marked held "
        "with the reason arrangement_on_track.",
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
    held: bool = Field(
        False,
        description="Held back by an arrangement on track (listed only with include_held).",
    )


class CandidatePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CandidatePublic]


class PlanCreate(_Strict):
    """Either `borrower_ids` (in clerk order) or `auto` (the top candidates); either
    `officer_ids` (one route each) or `teams` (officers travelling together, lead first)."""

    plan_date: SaneDate
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
    fresh: bool = Field(
        False,
        description="false: each route keeps its own visits (its area); true: visits may "
        "move between routes.",
    )


class OfficerWorkday(BaseModel):
    """An officer's own working day; null = the branch's."""

    user_id: uuid.UUID
    full_name: str
    workday: WorkdaySettings | None


class VisitAssign(_Strict):
    officer_ids: OfficerIds = Field(min_length=1, max_length=MAX_TEAM, description="Lead first.")
    pinned: bool = Field(
        True, description="Keep this officer when the plan is optimised again (default true)."
    )


class VisitCancel(_Strict):
    reason: str = Field(min_length=1, max_length=500)


# ---------------------------------------------------------------------------------------------
# The plan's summary: the last solve's report, stored as JSON in `visit_plan.summary`
# (`model_dump(mode="json")`) and read back with `PlanSummary.model_validate`.


def _iso(value: datetime) -> str:
    # The offset as Python writes it ("+00:00"), as plans stored before these models have it.
    return value.isoformat()


IsoDateTime = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class _Report(BaseModel):
    # Every field is present in what the API sends, defaults or not.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class RouteSummary(_Report):
    """One route: its team (lead first), its visits in order and how far it drives compared
    with the clerk order."""

    officer_ids: list[uuid.UUID]
    lead_id: uuid.UUID
    visit_ids: list[uuid.UUID]
    stops: int
    distance_m: int
    duration_s: int
    start_at: IsoDateTime | None
    end_at: IsoDateTime | None
    clerk_distance_m: int
    saved_m: int
    saved_km: float
    clerk_late_visits: int = Field(description="Visits the clerk order would end too late.")
    clerk_order_kept: bool = Field(description="The clerk order was shorter and kept.")


class UnassignedBorrower(_Report):
    """A borrower the plan gives no visit, and why (in English and Chinese)."""

    borrower_id: uuid.UUID
    name: str
    score: int
    reason: str
    text: str
    text_zh: str


class PlanMove(_Report):
    """A visit the last optimisation moved: route indexes into `routes`; null = no route
    (unscheduled)."""

    visit_id: uuid.UUID
    borrower_name: str
    from_route: int | None
    to_route: int | None


class UnscheduledVisit(_Report):
    """A visit the optimiser could not place: it keeps its officer, without a position."""

    visit_id: uuid.UUID
    reason: str


class PlanTotals(_Report):
    """Sums over the routes."""

    distance_m: int = 0
    clerk_distance_m: int = 0
    saved_m: int = 0
    saved_km: float = 0.0
    visits: int = 0

    @classmethod
    def of(cls, routes: list[RouteSummary]) -> PlanTotals:
        distance = sum(r.distance_m for r in routes)
        clerk = sum(r.clerk_distance_m for r in routes)
        return cls(
            distance_m=distance,
            clerk_distance_m=clerk,
            saved_m=clerk - distance,
            saved_km=round((clerk - distance) / 1000, 1),
            visits=sum(r.stops for r in routes),
        )


class SolverSummary(_Report):
    iterations: int = 0
    solve_time_s: float = 0.0
    violations: list[str] = Field(default_factory=list)


class PlanSettingsSummary(_Report):
    """The settings the plan was made with."""

    visiting_hours: str = Field(description='Lawful visiting hours, "08:00-21:00".')
    shift: tuple[str, str] = Field(description="First departure and latest return, local.")
    breaks: list[tuple[str, str]] = Field(
        default_factory=list, description="The branch's breaks, local."
    )
    service_min: int
    working_time_weight: int = 0
    travel: TravelSettings
    timezone: str


class _PlanRoutes(_Report):
    routes: list[RouteSummary] = Field(default_factory=list)


# Bases in this order keep the key order plans have always been stored and sent with:
# routes, the totals, then the fields below.
class PlanSummary(PlanTotals, _PlanRoutes):
    """The last solve of the plan (creation or optimisation)."""

    unassigned: list[UnassignedBorrower] = Field(
        default_factory=list, description="Borrowers left without a visit when the plan was made."
    )
    unscheduled: list[UnscheduledVisit] = Field(
        default_factory=list, description="Visits the last optimisation could not place."
    )
    clerk_order: list[uuid.UUID] = Field(
        default_factory=list, description="The borrowers in the order a clerk would list them."
    )
    solver: SolverSummary = Field(default_factory=SolverSummary)
    settings: PlanSettingsSummary | None = None
    optimised_at: IsoDateTime | None = None
    moves: list[PlanMove] = Field(
        default_factory=list, description="What the last optimisation moved between routes."
    )


class PlanSummaryItem(BaseModel):
    id: uuid.UUID
    plan_date: date
    status: PlanStatus
    created_by: uuid.UUID
    created_at: datetime
    version: int
    summary: PlanSummary


class PlanPublic(PlanSummaryItem):
    visits: list[VisitPublic]


class ReplacedPlan(BaseModel):
    """A published plan that a later publish for the same day replaced."""

    plan_id: uuid.UUID
    cancelled_visit_ids: list[uuid.UUID] = Field(
        description="Its visits not yet started: cancelled, so phones drop them."
    )
    kept_visit_ids: list[uuid.UUID] = Field(
        description="Its visits already started or done: they stay as they are."
    )


class PlanPublished(PlanPublic):
    replaced: list[ReplacedPlan] = Field(
        default_factory=list,
        description="Plans for the same day this publish replaced (empty when none).",
    )
