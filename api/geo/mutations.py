"""The arguments of `borrower.propose` (sync push), with the bounds every write keeps."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from api.geo.preferences import MAX_TIME_ENTRIES, PreferenceError, check_time_entry
from api.writes.args import MAX_ACCURACY_M, Location, Moment, MutationArgs

SafetyFlag = Literal["aggressive_dog", "hostile_relative", "remote_road", "prior_threat"]


class PreferredTimeIn(MutationArgs):
    """One preferred time: any day (`weekdays` null) or the days given (Monday = 0)."""

    weekdays: list[Annotated[int, Field(ge=0, le=6)]] | None = Field(
        default=None, min_length=1, max_length=7
    )
    start: str = Field(max_length=5, description="HH:MM, branch time")
    end: str = Field(max_length=5, description="HH:MM, branch time (24:00 allowed)")

    @model_validator(mode="after")
    def _times(self) -> Self:
        try:
            check_time_entry({"start": self.start, "end": self.end})
        except PreferenceError as exc:
            raise ValueError(f"{exc}; write times as HH:MM, start before end") from exc
        if self.weekdays is not None:
            self.weekdays = sorted(set(self.weekdays))
        return self

    def stored(self) -> dict[str, Any]:
        return {"weekdays": self.weekdays, "start": self.start, "end": self.end}


PreferredTimes = Annotated[list[PreferredTimeIn], Field(max_length=MAX_TIME_ENTRIES)]
SafetyFlags = Annotated[list[SafetyFlag], Field(max_length=4)]


class ProposeArgs(MutationArgs):
    id: uuid.UUID
    borrower_id: uuid.UUID
    visit_id: uuid.UUID | None = None
    kind: Literal["location", "preferred_times", "safety_flags"]
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=MAX_ACCURACY_M)
    preferred_times: PreferredTimes | None = None
    safety_flags: SafetyFlags | None = None
    at: Moment

    @field_validator("safety_flags")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value is not None else None

    @model_validator(mode="after")
    def _what_kind_needs(self) -> Self:
        if self.kind == "location" and (self.lat is None or self.lon is None):
            raise ValueError("a location proposal needs lat and lon")
        if self.kind == "preferred_times" and self.preferred_times is None:
            raise ValueError("a preferred_times proposal needs preferred_times (a list)")
        if self.kind == "safety_flags" and self.safety_flags is None:
            raise ValueError("a safety_flags proposal needs safety_flags (a list)")
        return self

    def location(self) -> Location | None:
        if self.lat is None or self.lon is None:
            return None
        return Location(lat=self.lat, lon=self.lon, accuracy_m=self.accuracy_m)

    def data(self) -> dict[str, Any]:
        """What the proposal would change, as stored in `borrower_proposal.data`."""
        if self.kind == "location":
            return {"lat": self.lat, "lon": self.lon, "accuracy_m": self.accuracy_m}
        if self.kind == "preferred_times":
            return {"preferred_times": [t.stored() for t in self.preferred_times or []]}
        return {"safety_flags": list(self.safety_flags or [])}
