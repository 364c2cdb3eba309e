"""Safety endpoints for the branch manager: alerts (SOS, overdue check-out) and who is out."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ClockDep, CurrentManager, SessionDep
from api.safety import service

router = APIRouter(tags=["safety"])


class AlertPublic(BaseModel):
    id: uuid.UUID
    kind: str
    visit_id: uuid.UUID | None
    borrower_id: uuid.UUID | None
    borrower_name: str | None
    officer_id: uuid.UUID
    officer_name: str
    device_id: uuid.UUID | None
    at: datetime
    received_at: datetime
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    message: str
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None


class LocationPublic(BaseModel):
    lat: float
    lon: float
    accuracy_m: float | None
    at: datetime
    source: str


class OutNowPublic(BaseModel):
    officer_id: uuid.UUID
    officer_name: str
    visit_id: uuid.UUID
    borrower_id: uuid.UUID
    borrower_name: str
    address: str
    village: str
    checked_in_at: datetime
    due_back_at: datetime
    minutes_out: int
    overdue: bool
    open_sos: bool
    last_location: LocationPublic | None


def _alert_public(view: service.AlertView) -> AlertPublic:
    a = view.alert
    return AlertPublic(
        id=a.id,
        kind=a.kind,
        visit_id=a.visit_id,
        borrower_id=view.borrower_id,
        borrower_name=view.borrower_name,
        officer_id=a.officer_id,
        officer_name=view.officer_name,
        device_id=a.device_id,
        at=a.at,
        received_at=a.received_at,
        lat=a.lat,
        lon=a.lon,
        accuracy_m=a.accuracy_m,
        message=a.message,
        acknowledged_at=a.acknowledged_at,
        acknowledged_by=a.acknowledged_by,
    )


@router.get("/safety/alerts", operation_id="safety-alerts-list", response_model=list[AlertPublic])
def list_alerts(manager: CurrentManager, session: SessionDep, now: ClockDep) -> list[AlertPublic]:
    """SOS and overdue check-out alerts of your branch: unacknowledged first, then newest.
    Check-outs overdue by now are turned into alerts (once per visit) before answering."""
    return [
        _alert_public(v) for v in service.list_alerts(session=session, manager=manager, now=now)
    ]


@router.post(
    "/safety/alerts/{alert_id}/acknowledge",
    operation_id="safety-alerts-acknowledge",
    response_model=AlertPublic,
)
def acknowledge_alert(
    alert_id: uuid.UUID, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> AlertPublic:
    """Mark the alert as seen and handled by you (again: no change)."""
    return _alert_public(
        service.acknowledge_alert(session=session, manager=manager, alert_id=alert_id, now=now)
    )


@router.get("/safety/out-now", operation_id="safety-out-now", response_model=list[OutNowPublic])
def out_now(manager: CurrentManager, session: SessionDep, now: ClockDep) -> list[OutNowPublic]:
    """Who is out on a visit now (checked in, not out), where they were last seen, and
    whether their check-out is overdue."""
    return [
        OutNowPublic.model_validate(
            {
                **{k: getattr(e, k) for k in OutNowPublic.model_fields if k != "last_location"},
                "last_location": LocationPublic.model_validate(e.last_location.__dict__)
                if e.last_location
                else None,
            }
        )
        for e in service.out_now(session=session, manager=manager, now=now)
    ]
