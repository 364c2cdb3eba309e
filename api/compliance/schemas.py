"""Compliance endpoints: the policy, the compliance report and the audit export's query."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.compliance.policy import PolicyData
from api.dates import SaneDate


class PolicyPublic(BaseModel):
    branch_id: uuid.UUID
    version: int
    is_default: bool
    created_at: datetime | None
    created_by: uuid.UUID | None
    data: PolicyData


class Period(BaseModel):
    """`from` and `to`: local days, both inclusive (query parameters). The reports use it too."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    date_from: SaneDate = Field(alias="from")
    date_to: SaneDate = Field(alias="to")


class ReportQuery(Period):
    format: Literal["json", "csv"] = "json"


class AuditExportQuery(Period):
    format: Literal["csv", "jsonl"] = "csv"


BreachKind = Literal[
    "outside_hours", "single_staff", "frequency", "overdue_checkout", "third_party"
]


class Breach(BaseModel):
    """One visit that broke the policy in one way (one line per visit and kind)."""

    kind: BreachKind
    visit_id: uuid.UUID
    plan_date: date
    borrower_id: uuid.UUID
    borrower_name: str
    officer_id: uuid.UUID
    officer_name: str
    at: datetime | None
    local_time: str = Field(description="`at` in the branch's time zone, YYYY-MM-DD HH:MM.")
    codes: list[str]
    policy_version: int | None


class KindLabel(BaseModel):
    en: str
    zh: str


class ComplaintSummary(BaseModel):
    """Complaints made in the period (by their local date) and how fast they were resolved."""

    count: int = 0
    open: int = 0
    median_hours_to_resolve: float | None = Field(
        None, description="Over the period's resolved complaints; null when none is resolved."
    )
    by_category: dict[str, int] = Field(default_factory=dict)


class ComplianceReportPublic(Period):
    policy_version: int
    target: int = Field(description="What every count should be: 0.")
    counts: dict[BreachKind, int]
    total: int
    on_target: bool
    labels: dict[BreachKind, KindLabel]
    items: dict[BreachKind, list[Breach]]
    complaints: ComplaintSummary = Field(default_factory=ComplaintSummary)
