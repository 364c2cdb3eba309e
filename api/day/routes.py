"""The console's live day view (polled every few seconds)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter

from api.day import service
from api.deps import ClockDep, CurrentManager, SessionDep
from models import Branch

router = APIRouter(tags=["day"])


@router.get("/day", operation_id="day-live")
def live_day(
    manager: CurrentManager, session: SessionDep, now: ClockDep, day: date | None = None
) -> dict[str, Any]:
    """Every route of the day with each visit's status, check-in place and time, and the
    branch's safety alerts. `day` defaults to today in the branch's time zone."""
    if day is None:
        branch = session.get(Branch, manager.branch_id)
        day = now.astimezone(ZoneInfo(branch.timezone if branch else "Asia/Shanghai")).date()
    return service.live_day(session=session, manager=manager, day=day, now=now)
