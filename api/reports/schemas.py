"""Effectiveness reports: query and public models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.compliance.schemas import Period
from api.public import from_record
from api.reports.kpis import KpiRow

Grouping = Literal["all", "officer", "bucket", "segment"]
TableFormat = Literal["json", "csv", "xlsx"]


class KpiQuery(Period):
    group_by: Grouping = "all"
    format: TableFormat = "json"


class HardshipQuery(Period):
    format: TableFormat = "json"


class KpiRowPublic(BaseModel):
    """Every KPI of one group; a rate is null when its denominator is zero."""

    group: str
    visits_planned: int
    visits_completed: int
    met: int
    promised: int
    promises_due: int
    promises_kept: int
    overdue_at_visit_fen: int
    recovered_fen: int
    loans_visited: int
    loans_cured: int
    km: float
    contact_rate: float | None
    ptp_rate: float | None
    ptp_kept_rate: float | None
    recovery_rate: float | None
    cure_rate: float | None
    km_per_visit: float | None
    travel_cost_fen: int
    cost_per_100_recovered_fen: int | None
    feedback_calls: int = Field(description="Follow-up calls answered about the group's visits.")
    courteous_rate: float | None
    lawful_rate: float | None
    explained_rate: float | None
    mean_satisfaction: float | None = Field(description="1-5, over the answered calls.")
    group_label: str

    @classmethod
    def of(cls, row: KpiRow, *, label: str) -> KpiRowPublic:
        """The row's figures (fields and computed rates) with its readable label."""
        return from_record(cls, row, group_label=label)


class KpiReport(Period):
    group_by: Grouping
    rows: list[KpiRowPublic]


class HardshipRow(BaseModel):
    code: str
    label_zh: str
    label_en: str
    count: int
    share: float | None


class HardshipReport(Period):
    rows: list[HardshipRow]
