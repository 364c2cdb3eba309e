"""The base of every mutation's arguments, and the location a phone attaches to a fact."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MutationArgs(BaseModel):
    """Unknown keys are ignored: a newer phone may send more than this server reads."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Location(MutationArgs):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0)
