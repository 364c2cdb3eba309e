"""The console's live day view (polled every few seconds)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter

from api.dates import SaneDate
from api.day import service
from api.day.schemas import DayView
from api.deps import ClockDep, CurrentBranch, CurrentManager, SessionDep

router = APIRouter(tags=["day"])


@router.get("/day", operation_id="day-live", response_model=DayView)
def live_day(
    _manager: CurrentManager,
    branch: CurrentBranch,
    session: SessionDep,
    now: ClockDep,
    day: SaneDate | None = None,
) -> DayView:
    """Every route of the day with each visit's status, check-in place and time, and the
    branch's safety alerts. `day` defaults to today in the branch's time zone."""
    if day is None:
        day = now.astimezone(ZoneInfo(branch.timezone)).date()
    return service.live_day(session=session, branch=branch, day=day, now=now)
