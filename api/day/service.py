"""The manager's live view of a day, read in a few queries (the console polls it)."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.complaints import service as complaints
from api.compliance.policy import policy_from_settings
from api.day.schemas import (
    CheckInPlace,
    CheckOutPlace,
    DayAlert,
    DayBranch,
    DayRoute,
    DayView,
    DayVisit,
)
from api.public import from_record
from api.review.repository import open_change_requests, waiting_entries
from api.scoping import branch_statement
from models import (
    Borrower,
    Branch,
    ChangeRequest,
    MutationLog,
    SafetyAlert,
    User,
    Visit,
    VisitEvent,
    VisitOfficer,
    VisitPlan,
)
from models.enums import PlanStatus, VisitEventKind, VisitStatus

Team = tuple[uuid.UUID, ...]


@dataclass
class _VisitRows:
    """What the day's visits need from other tables, each read in one query."""

    teams: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))
    events: dict[uuid.UUID, list[VisitEvent]] = field(default_factory=lambda: defaultdict(list))
    borrowers: dict[uuid.UUID, Borrower] = field(default_factory=dict)


def _day_visits(session: Session, *, branch_id: uuid.UUID, day: date) -> list[Visit]:
    return list(
        session.exec(
            branch_statement(Visit, branch_id)
            .where(Visit.plan_date == day, Visit.status != VisitStatus.cancelled)
            .order_by(col(Visit.officer_id), col(Visit.route_position))
        )
    )


def _visit_rows(session: Session, visits: list[Visit]) -> _VisitRows:
    """Teams (lead first), check-in/out events (in time order) and borrowers of `visits`."""
    rows = _VisitRows()
    ids = [v.id for v in visits]
    if not ids:
        return rows
    for link in session.exec(
        select(VisitOfficer)
        .where(col(VisitOfficer.visit_id).in_(ids))
        .order_by(col(VisitOfficer.is_lead).desc())
    ):
        rows.teams[link.visit_id].append(link.user_id)
    for event in session.exec(
        select(VisitEvent).where(col(VisitEvent.visit_id).in_(ids)).order_by(col(VisitEvent.at))
    ):
        rows.events[event.visit_id].append(event)
    borrower_ids = {v.borrower_id for v in visits}
    rows.borrowers = {
        b.id: b for b in session.exec(select(Borrower).where(col(Borrower.id).in_(borrower_ids)))
    }
    return rows


def _check_in_place(events: list[VisitEvent]) -> CheckInPlace | None:
    """Where the first check-in was made, if the phone had a location."""
    event = next((e for e in events if e.kind == VisitEventKind.check_in), None)
    if event is None or event.lat is None or event.lon is None:
        return None
    return CheckInPlace(lat=event.lat, lon=event.lon, accuracy_m=event.accuracy_m)


def _check_out_place(events: list[VisitEvent]) -> CheckOutPlace | None:
    """Where the last check-out was made, if the phone had a location."""
    event = next((e for e in reversed(events) if e.kind == VisitEventKind.check_out), None)
    if event is None or event.lat is None or event.lon is None:
        return None
    return CheckOutPlace(lat=event.lat, lon=event.lon)


class OverdueTest:
    """Whether a visit is checked in, not out, for longer than the branch's policy allows."""

    def __init__(self, branch: Branch, now: datetime) -> None:
        policy = policy_from_settings(branch.settings)
        self.after = timedelta(minutes=policy.checkout_overdue_minutes)
        self.now = now

    def __call__(self, visit: Visit) -> bool:
        return (
            visit.status == VisitStatus.checked_in
            and visit.checked_in_at is not None
            and visit.checked_out_at is None
            and self.now - visit.checked_in_at > self.after
        )


def _day_visit(visit: Visit, rows: _VisitRows, *, overdue: bool) -> DayVisit:
    borrower = rows.borrowers.get(visit.borrower_id)
    events = rows.events[visit.id]
    return from_record(
        DayVisit,
        visit,
        position=visit.route_position,
        borrower_name=borrower.name if borrower else "",
        village=borrower.village if borrower else "",
        lat=borrower.lat if borrower else None,
        lon=borrower.lon if borrower else None,
        location_source=borrower.location_source if borrower else None,
        location_precision=borrower.location_precision if borrower else None,
        safety_flags=borrower.safety_flags if borrower else [],
        check_in_location=_check_in_place(events),
        check_out_location=_check_out_place(events),
        flags=sorted({f for e in events for f in e.flags}),
        overdue_checkout=overdue,
    )


def _planned_distances(
    session: Session, *, branch_id: uuid.UUID, day: date
) -> dict[frozenset[uuid.UUID], int]:
    """Each team's route length as the day's published plan computed it (the way back to
    the branch included): the same figure the officers' phones get with their route."""
    distances: dict[frozenset[uuid.UUID], int] = {}
    for summary in session.exec(
        select(VisitPlan.summary).where(
            VisitPlan.branch_id == branch_id,
            VisitPlan.plan_date == day,
            VisitPlan.status == PlanStatus.published,
        )
    ):
        for route in summary.get("routes", []):
            team = frozenset(uuid.UUID(i) for i in route.get("officer_ids", []))
            distances[team] = int(route.get("distance_m", 0))
    return distances


def _routes(
    visits: list[Visit],
    rows: _VisitRows,
    names: dict[uuid.UUID, str],
    is_overdue: OverdueTest,
    distances: dict[frozenset[uuid.UUID], int],
) -> list[DayRoute]:
    """One route per team (a visit without team rows is its officer's), stops in order."""
    stops: dict[Team, list[DayVisit]] = defaultdict(list)
    for visit in visits:
        team = tuple(rows.teams.get(visit.id, [visit.officer_id]))
        stops[team].append(_day_visit(visit, rows, overdue=is_overdue(visit)))
    return [
        DayRoute(
            officer_ids=list(team),
            officer_names=[names.get(i, "") for i in team],
            distance_m=distances.get(frozenset(team)),
            visits=sorted(team_stops, key=lambda v: v.position or 0),
        )
        for team, team_stops in stops.items()
    ]


def _alerts(
    session: Session, *, branch_id: uuid.UUID, since: datetime, names: dict[uuid.UUID, str]
) -> list[DayAlert]:
    """The branch's alerts since `since`: open ones first, newest first."""
    return [
        from_record(
            DayAlert,
            a,
            officer_name=names.get(a.officer_id, ""),
            acknowledged=a.acknowledged_at is not None,
        )
        for a in session.exec(
            branch_statement(SafetyAlert, branch_id)
            .where(col(SafetyAlert.at) >= since)
            .order_by(col(SafetyAlert.acknowledged_at).is_not(None), col(SafetyAlert.at).desc())
        )
    ]


def _review_waiting(session: Session, branch_id: uuid.UUID) -> int:
    """Entries, change requests and open complaints the review screen shows."""
    entries = session.exec(
        select(func.count()).select_from(MutationLog).where(*waiting_entries(branch_id))
    ).one()
    requests = session.exec(
        select(func.count()).select_from(ChangeRequest).where(*open_change_requests(branch_id))
    ).one()
    return entries + requests + complaints.open_count(session, branch_id)


def live_day(*, session: Session, branch: Branch, day: date, now: datetime) -> DayView:
    """Every route of `day` with each visit's status, places and times, the branch's alerts
    since the day before, and how much waits for review."""
    visits = _day_visits(session, branch_id=branch.id, day=day)
    names = {u.id: u.full_name for u in session.exec(branch_statement(User, branch.id))}
    since = datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo) - timedelta(days=1)
    return DayView(
        date=day,
        generated_at=now,
        branch=DayBranch(id=branch.id, name=branch.name, lat=branch.lat, lon=branch.lon),
        routes=_routes(
            visits,
            _visit_rows(session, visits),
            names,
            OverdueTest(branch, now),
            _planned_distances(session, branch_id=branch.id, day=day),
        ),
        alerts=_alerts(session, branch_id=branch.id, since=since, names=names),
        counts=dict(Counter(str(v.status) for v in visits)),
        review_waiting=_review_waiting(session, branch.id),
    )
