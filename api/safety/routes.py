"""Safety endpoints for the branch manager: alerts (SOS, overdue check-out) and who is out."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import ClockDep, CurrentManager, SessionDep
from api.safety import service
from api.safety.schemas import AlertPublic, OutNowPublic

router = APIRouter(tags=["safety"])


@router.get("/safety/alerts", operation_id="safety-alerts-list", response_model=list[AlertPublic])
def list_alerts(manager: CurrentManager, session: SessionDep, now: ClockDep) -> list[AlertPublic]:
    """SOS and overdue check-out alerts of your branch: unacknowledged first, then newest.
    Check-outs overdue by now are turned into alerts (once per visit) before answering."""
    return service.list_alerts(session=session, manager=manager, now=now)


@router.post(
    "/safety/alerts/{alert_id}/acknowledge",
    operation_id="safety-alerts-acknowledge",
    response_model=AlertPublic,
)
def acknowledge_alert(
    alert_id: uuid.UUID, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> AlertPublic:
    """Mark the alert as seen and handled by you (again: no change)."""
    return service.acknowledge_alert(session=session, manager=manager, alert_id=alert_id, now=now)


@router.get("/safety/out-now", operation_id="safety-out-now", response_model=list[OutNowPublic])
def out_now(manager: CurrentManager, session: SessionDep, now: ClockDep) -> list[OutNowPublic]:
    """Who is out on a visit now (checked in, not out), where they were last seen, and
    whether their check-out is overdue."""
    return service.out_now(session=session, manager=manager, now=now)
