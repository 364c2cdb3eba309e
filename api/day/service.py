"""The manager's live view of a day, read in a few queries (the console polls it)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.compliance.policy import policy_from_settings
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
)
from models.enums import VisitEventKind, VisitStatus


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def live_day(*, session: Session, manager: User, day: date, now: datetime) -> dict[str, Any]:
    branch = session.get(Branch, manager.branch_id)
    assert branch is not None
    policy = policy_from_settings(branch.settings)
    overdue_after = timedelta(minutes=policy.checkout_overdue_minutes)
    visits = list(
        session.exec(
            select(Visit)
            .where(
                Visit.branch_id == branch.id,
                Visit.plan_date == day,
                Visit.status != VisitStatus.cancelled,
            )
            .order_by(col(Visit.officer_id), col(Visit.route_position))
        )
    )
    ids = [v.id for v in visits]
    names = {
        u.id: u.full_name for u in session.exec(select(User).where(User.branch_id == branch.id))
    }
    teams: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    events: dict[uuid.UUID, list[VisitEvent]] = defaultdict(list)
    borrowers: dict[uuid.UUID, Borrower] = {}
    if ids:
        for link in session.exec(
            select(VisitOfficer)
            .where(col(VisitOfficer.visit_id).in_(ids))
            .order_by(col(VisitOfficer.is_lead).desc())
        ):
            teams[link.visit_id].append(link.user_id)
        for event in session.exec(
            select(VisitEvent).where(col(VisitEvent.visit_id).in_(ids)).order_by(col(VisitEvent.at))
        ):
            events[event.visit_id].append(event)
        borrowers = {
            b.id: b
            for b in session.exec(
                select(Borrower).where(col(Borrower.id).in_({v.borrower_id for v in visits}))
            )
        }

    routes: dict[tuple[uuid.UUID, ...], list[dict[str, Any]]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for visit in visits:
        team = tuple(teams.get(visit.id, [visit.officer_id]))
        check_in = next((e for e in events[visit.id] if e.kind == VisitEventKind.check_in), None)
        check_out = next(
            (e for e in reversed(events[visit.id]) if e.kind == VisitEventKind.check_out), None
        )
        overdue = (
            visit.status == VisitStatus.checked_in
            and visit.checked_in_at is not None
            and visit.checked_out_at is None
            and now - visit.checked_in_at > overdue_after
        )
        borrower = borrowers.get(visit.borrower_id)
        counts[visit.status] += 1
        routes[team].append(
            {
                "id": str(visit.id),
                "position": visit.route_position,
                "borrower_id": str(visit.borrower_id),
                "borrower_name": borrower.name if borrower else "",
                "village": borrower.village if borrower else "",
                "lat": borrower.lat if borrower else None,
                "lon": borrower.lon if borrower else None,
                "safety_flags": borrower.safety_flags if borrower else [],
                "status": visit.status,
                "priority": visit.priority,
                "window_start": _iso(visit.window_start),
                "window_end": _iso(visit.window_end),
                "planned_arrival": _iso(visit.planned_arrival),
                "leg_distance_m": visit.leg_distance_m,
                "checked_in_at": _iso(visit.checked_in_at),
                "check_in_location": {
                    "lat": check_in.lat,
                    "lon": check_in.lon,
                    "accuracy_m": check_in.accuracy_m,
                }
                if check_in and check_in.lat is not None
                else None,
                "checked_out_at": _iso(visit.checked_out_at),
                "check_out_location": {"lat": check_out.lat, "lon": check_out.lon}
                if check_out and check_out.lat is not None
                else None,
                "flags": sorted({f for e in events[visit.id] for f in e.flags}),
                "overdue_checkout": overdue,
            }
        )
    since = datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo) - timedelta(days=1)
    alerts = [
        {
            "id": str(a.id),
            "kind": a.kind,
            "officer_id": str(a.officer_id),
            "officer_name": names.get(a.officer_id, ""),
            "visit_id": str(a.visit_id) if a.visit_id else None,
            "at": _iso(a.at),
            "received_at": _iso(a.received_at),
            "lat": a.lat,
            "lon": a.lon,
            "message": a.message,
            "acknowledged": a.acknowledged_at is not None,
        }
        for a in session.exec(
            select(SafetyAlert)
            .where(SafetyAlert.branch_id == branch.id, col(SafetyAlert.at) >= since)
            .order_by(col(SafetyAlert.acknowledged_at).is_not(None), col(SafetyAlert.at).desc())
        )
    ]
    waiting = (
        session.exec(
            select(func.count())
            .select_from(MutationLog)
            .where(
                MutationLog.branch_id == branch.id,
                col(MutationLog.status).in_(["flagged", "rejected"]),
                col(MutationLog.reviewed_at).is_(None),
            )
        ).one()
        + session.exec(
            select(func.count())
            .select_from(ChangeRequest)
            .where(ChangeRequest.branch_id == branch.id, ChangeRequest.status == "open")
        ).one()
    )
    return {
        "date": day.isoformat(),
        "generated_at": _iso(now),
        "branch": {"id": str(branch.id), "name": branch.name, "lat": branch.lat, "lon": branch.lon},
        "routes": [
            {
                "officer_ids": [str(i) for i in team],
                "officer_names": [names.get(i, "") for i in team],
                "distance_m": sum(v["leg_distance_m"] or 0 for v in stops),
                "visits": sorted(stops, key=lambda v: v["position"] or 0),
            }
            for team, stops in routes.items()
        ],
        "alerts": alerts,
        "counts": dict(counts),
        "review_waiting": waiting,
    }
