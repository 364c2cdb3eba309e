"""Visit plans, visits and what happened on them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Versioned
from models.enums import Contact, PlanStatus, VisitEventKind, VisitStatus
from models.types import JSONType, UTCDateTime, new_id, utcnow


class VisitPlan(Versioned, table=True):
    __tablename__ = "visit_plan"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    plan_date: date = Field(index=True)
    status: PlanStatus = Field(default=PlanStatus.draft, sa_type=sa.String(16))
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The last solve's report (`api.planning.schemas.PlanSummary` as JSON): per-route
    # distance, duration, km saved, left-out visits. The routes' teams are in plan_team.
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class PlanTeam(SQLModel, table=True):
    """The officers of each route of a plan, lead first (position 0): the routes the
    optimiser plans again. Routes are numbered from 0 in the order the plan made them."""

    __tablename__ = "plan_team"

    plan_id: uuid.UUID = Field(foreign_key="visit_plan.id", primary_key=True)
    route: int = Field(primary_key=True)
    position: int = Field(primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id")


class Visit(Versioned, table=True):
    __tablename__ = "visit"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    plan_id: uuid.UUID | None = Field(default=None, foreign_key="visit_plan.id", index=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    # Lead officer; the whole team (lead included) is in visit_officer.
    officer_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    loan_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    plan_date: date = Field(index=True)
    route_position: int | None = None
    window_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    window_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    planned_arrival: datetime | None = Field(default=None, sa_type=UTCDateTime)
    leg_distance_m: int | None = None
    status: VisitStatus = Field(default=VisitStatus.planned, sa_type=sa.String(16), index=True)
    priority: int = 0
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    pinned: bool = False
    policy_version: int | None = None
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set with status `skipped`: why the visit could not be made (`SkipReason`) and when.
    skip_reason: str = Field(default="", max_length=24)
    skipped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VisitOfficer(SQLModel, table=True):
    """Every officer on a visit's team: scope queries join here, never into JSON."""

    __tablename__ = "visit_officer"

    visit_id: uuid.UUID = Field(foreign_key="visit.id", primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", primary_key=True, index=True)
    is_lead: bool = True


class HardshipReason(Versioned, table=True):
    __tablename__ = "hardship_reason"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    label_zh: str = Field(max_length=80)
    label_en: str = Field(max_length=80)
    sort_order: int = 0
    active: bool = True


class VisitOutcome(Versioned, table=True):
    __tablename__ = "visit_outcome"

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", index=True)
    officer_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    contact: Contact = Field(sa_type=sa.String(16))
    hardship_reasons: list[str] = Field(default_factory=list, sa_type=JSONType)
    hardship_detail: str = Field(default="", sa_type=sa.Text)
    next_action: str = Field(default="", max_length=255)
    # When the next action is due (default: the branch's cadence for the action).
    follow_up_on: date | None = Field(default=None, index=True)
    # The doorstep assessment (reference codes, api.visits.assessment): ability to pay as
    # income source and business condition, and willingness to pay.
    income_source: str = Field(default="", max_length=24)
    business_condition: str = Field(default="", max_length=24)
    willingness: str = Field(default="", max_length=24)
    at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    policy_version: int | None = None
    flags: list[str] = Field(default_factory=list, sa_type=JSONType)


class Note(SQLModel, table=True):
    __tablename__ = "note"

    id: uuid.UUID = Field(primary_key=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    visit_id: uuid.UUID | None = Field(default=None, foreign_key="visit.id", index=True)
    author_id: uuid.UUID = Field(foreign_key="app_user.id")
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    text: str = Field(sa_type=sa.Text)
    at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VisitEvent(SQLModel, table=True):
    """A check-in or check-out, with where and when the phone says it happened."""

    __tablename__ = "visit_event"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", index=True)
    officer_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    kind: VisitEventKind = Field(sa_type=sa.String(16))
    at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    co_visitor_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    policy_version: int | None = None
    flags: list[str] = Field(default_factory=list, sa_type=JSONType)


class ChangeRequest(Versioned, table=True):
    """Reschedule, extension, restructure or legal escalation asked for from the field."""

    __tablename__ = "change_request"

    id: uuid.UUID = Field(primary_key=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", index=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    officer_id: uuid.UUID = Field(foreign_key="app_user.id")
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    kind: str = Field(max_length=16)
    reason: str = Field(default="", sa_type=sa.Text)
    proposed: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    status: str = Field(default="open", max_length=16, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str = Field(default="", max_length=500)


class SafetyAlert(SQLModel, table=True):
    """SOS from a phone, or an overdue check-out found by the server."""

    __tablename__ = "safety_alert"

    id: uuid.UUID = Field(primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    officer_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    visit_id: uuid.UUID | None = Field(default=None, foreign_key="visit.id")
    kind: str = Field(default="sos", max_length=24)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    message: str = Field(default="", max_length=1000)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")


class ContactLog(SQLModel, table=True):
    """A call or a text message to a borrower (from the phone, the console or a reminder):
    a contact in the borrower's file and in the frequency rules."""

    __tablename__ = "contact_log"

    id: uuid.UUID = Field(primary_key=True)
    branch_id: uuid.UUID = Field(foreign_key="branch.id", index=True)
    borrower_id: uuid.UUID = Field(foreign_key="borrower.id", index=True)
    visit_id: uuid.UUID | None = Field(default=None, foreign_key="visit.id")
    officer_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="device.id")
    channel: str = Field(max_length=8)  # call | sms
    # Who answered (`Contact` codes) and what came of it (`ContactResult` codes).
    answered_by: str = Field(default="", max_length=16)
    result: str = Field(default="", max_length=24)
    note: str = Field(default="", max_length=500)
    # An instalment reminder marked sent names its instalment.
    agreement_line_id: int | None = Field(default=None, foreign_key="agreement_line.id")
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
