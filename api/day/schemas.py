"""The live day view's public models (the console polls `GET /day`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from models.enums import VisitStatus


class CheckInPlace(BaseModel):
    lat: float
    lon: float
    accuracy_m: float | None


class CheckOutPlace(BaseModel):
    lat: float
    lon: float


class DayVisit(BaseModel):
    id: uuid.UUID
    position: int | None
    borrower_id: uuid.UUID
    borrower_name: str
    village: str
    lat: float | None
    lon: float | None
    location_source: str | None = Field(
        description="How the borrower's location is known: import, geocoder, check_in, manager."
    )
    location_precision: str | None = Field(description="exact, village or township.")
    safety_flags: list[str]
    status: VisitStatus
    priority: int
    window_start: datetime | None
    window_end: datetime | None
    planned_arrival: datetime | None
    leg_distance_m: int | None
    checked_in_at: datetime | None
    check_in_location: CheckInPlace | None
    checked_out_at: datetime | None
    check_out_location: CheckOutPlace | None
    flags: list[str]
    overdue_checkout: bool


class DayRoute(BaseModel):
    officer_ids: list[uuid.UUID]
    officer_names: list[str]
    distance_m: int | None = Field(
        description="The published plan's length of this team's route, the way back "
        "included (what the phones show); null when the team has no published route."
    )
    visits: list[DayVisit]


class DayAlert(BaseModel):
    id: uuid.UUID
    kind: str
    officer_id: uuid.UUID
    officer_name: str
    visit_id: uuid.UUID | None
    at: datetime
    received_at: datetime
    lat: float | None
    lon: float | None
    message: str
    acknowledged: bool


class DayBranch(BaseModel):
    id: uuid.UUID
    name: str
    lat: float
    lon: float


class DayView(BaseModel):
    date: date
    generated_at: datetime
    branch: DayBranch
    routes: list[DayRoute]
    alerts: list[DayAlert]
    counts: dict[str, int]
    review_waiting: int
