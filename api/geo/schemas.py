"""The public shapes of the borrower endpoints (console) and the geocoder search."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.geo.mutations import PreferredTimeIn, SafetyFlag
from api.geo.provider import Precision as LocationPrecisionName
from api.geo.provider import Source as LocationSourceName
from api.geo.public import PreferredTime


class BorrowerItem(BaseModel):
    id: uuid.UUID
    name: str
    address: str
    village: str
    lat: float | None
    lon: float | None
    location_source: LocationSourceName | None
    location_precision: LocationPrecisionName | None
    located_at: datetime | None
    location_note: str
    preferred_times: list[PreferredTime]
    safety_flags: list[str]
    open_proposals: int


class BorrowerPage(BaseModel):
    items: list[BorrowerItem]
    total: int


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationPut(_Strict):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    precision: LocationPrecisionName = "exact"


class PreferredTimeEdit(PreferredTimeIn):
    model_config = ConfigDict(extra="forbid")


class BorrowerPatch(_Strict):
    preferred_times: list[PreferredTimeEdit] | None = Field(default=None, max_length=7)
    safety_flags: list[SafetyFlag] | None = Field(default=None, max_length=4)


class GeocodeResult(BaseModel):
    lat: float
    lon: float
    precision: LocationPrecisionName
    formatted: str
    provider: str


class GeocodeResults(BaseModel):
    results: list[GeocodeResult]


class ProposalPublic(BaseModel):
    id: uuid.UUID
    borrower_id: uuid.UUID
    borrower_name: str
    address: str
    kind: Literal["location", "preferred_times", "safety_flags"]
    data: dict[str, Any]
    source: Literal["check_in", "officer"]
    proposed_by: uuid.UUID | None
    proposed_by_name: str
    visit_id: uuid.UUID | None
    at: datetime
    received_at: datetime
    status: Literal["open", "accepted", "declined"]
    distance_m: float | None = Field(
        description="For a location: metres from the borrower's stored location (null if none)."
    )


class ProposalDecision(_Strict):
    decision: Literal["accepted", "declined"]
    note: str = Field(default="", max_length=500)
