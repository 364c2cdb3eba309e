"""Safety alerts and who is out now, per branch. The API keeps no state between requests,
so an overdue check-out is noticed when someone looks: listing the alerts first creates the
missing `overdue_checkout` alerts (idempotently: one per visit, with an id derived from the
visit). Services flush and never commit; the clock is passed in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.audit import record_audit
from api.compliance import rules as compliance
from api.compliance.policy import Policy
from api.compliance.service import current_policy
from api.safety.schemas import AlertPublic, LocationPublic, OutNowPublic, alert_public
from api.safety.sos import SOS
from api.scoping import branch_column, branch_statement, get_branch, get_in_branch
from api.visits.service import team_ids
from models import Borrower, Branch, SafetyAlert, User, Visit, VisitEvent
from models.enums import VisitEventKind

OVERDUE_CHECKOUT = "overdue_checkout"
# Check-ins older than this are not "out now" (a check-out the phone never sent).
LOOKBACK = timedelta(hours=24)
MAX_ALERTS = 200
_ALERT_NAMESPACE = uuid.UUID("0b8d6c1e-5f3a-4c2e-9a47-3d1f0e6b2c58")


def overdue_alert_id(visit_id: uuid.UUID) -> uuid.UUID:
    """One overdue check-out alert per visit, whoever notices it first."""
    return uuid.uuid5(_ALERT_NAMESPACE, f"overdue_checkout:{visit_id}")


@dataclass
class _Out:
    visit: Visit
    check_in: VisitEvent | None

    @property
    def checked_in_at(self) -> datetime:
        checked_in_at = self.visit.checked_in_at
        assert checked_in_at is not None  # selected on it
        return checked_in_at


def _visits_out(session: Session, *, branch: Branch, now: datetime) -> list[_Out]:
    """Visits checked in during the last day and not checked out, with their first
    check-in event (who checked in, from which device, where)."""
    visits = list(
        session.exec(
            branch_statement(Visit, branch.id).where(
                col(Visit.checked_in_at).is_not(None),
                col(Visit.checked_in_at) >= now - LOOKBACK,
                col(Visit.checked_out_at).is_(None),
            )
        )
    )
    first: dict[uuid.UUID, VisitEvent] = {}
    if visits:
        for event in session.exec(
            select(VisitEvent)
            .where(
                col(VisitEvent.visit_id).in_([v.id for v in visits]),
                VisitEvent.kind == VisitEventKind.check_in,
            )
            .order_by(col(VisitEvent.at).desc())
        ):
            first[event.visit_id] = event
    return [_Out(v, first.get(v.id)) for v in visits]


def _overdue(policy: Policy, tz: ZoneInfo, out: _Out, now: datetime) -> bool:
    return (
        compliance.overdue_checkout(
            compliance.Context(policy=policy, tz=tz, checked_in_at=out.visit.checked_in_at, now=now)
        )
        is not None
    )


# --- alerts ---------------------------------------------------------------------------------


def detect_overdue_checkouts(
    *, session: Session, branch: Branch, policy: Policy, now: datetime
) -> int:
    """Create the missing overdue check-out alerts of the branch; the number created."""
    tz = ZoneInfo(branch.timezone)
    late = [o for o in _visits_out(session, branch=branch, now=now) if _overdue(policy, tz, o, now)]
    if not late:
        return 0
    ids = {overdue_alert_id(o.visit.id): o for o in late}
    existing = set(session.exec(select(SafetyAlert.id).where(col(SafetyAlert.id).in_(list(ids)))))
    created = 0
    for alert_id, out in ids.items():
        if alert_id in existing:
            continue
        values = _overdue_alert(alert_id, out, branch=branch, policy=policy, tz=tz, now=now)
        try:
            # Two managers looking at once: the second insert of the same id is a no-op.
            with session.begin_nested():
                session.execute(insert(SafetyAlert), [values])
        except IntegrityError:
            continue
        record_audit(
            session,
            at=now,
            action="safety.overdue_checkout",
            entity="safety_alert",
            entity_id=alert_id,
            branch_id=branch.id,
            data={
                "visit_id": str(out.visit.id),
                "officer_id": str(values["officer_id"]),
                "policy_version": policy.version,
            },
        )
        created += 1
    return created


def _overdue_alert(
    alert_id: uuid.UUID, out: _Out, *, branch: Branch, policy: Policy, tz: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """The alert row: who checked in (the visit's lead when the event is missing), from
    which device and where, due back when the policy's limit ran out."""
    event = out.check_in
    checked_in_at = out.checked_in_at
    return {
        "id": alert_id,
        "branch_id": branch.id,
        "officer_id": event.officer_id if event else out.visit.officer_id,
        "device_id": event.device_id if event else None,
        "visit_id": out.visit.id,
        "kind": OVERDUE_CHECKOUT,
        "at": checked_in_at + timedelta(minutes=policy.checkout_overdue_minutes),
        "received_at": now,
        "lat": event.lat if event else None,
        "lon": event.lon if event else None,
        "accuracy_m": event.accuracy_m if event else None,
        "message": (
            f"No check-out {policy.checkout_overdue_minutes} minutes after the check-in "
            f"at {checked_in_at.astimezone(tz):%H:%M}."
        ),
    }


def list_alerts(*, session: Session, manager: User, now: datetime) -> list[AlertPublic]:
    """The branch's SOS and overdue check-out alerts: unacknowledged first, newest first.
    Overdue check-outs found now are created before answering."""
    branch = get_branch(session, manager.branch_id)
    detect_overdue_checkouts(
        session=session, branch=branch, policy=current_policy(session, branch), now=now
    )
    session.flush()
    acknowledged = case((col(SafetyAlert.acknowledged_at).is_(None), 0), else_=1)
    rows = session.exec(
        select(SafetyAlert, User.full_name, Visit.borrower_id, Borrower.name)
        .join(User, col(User.id) == col(SafetyAlert.officer_id))
        .outerjoin(Visit, col(Visit.id) == col(SafetyAlert.visit_id))
        .outerjoin(Borrower, col(Borrower.id) == col(Visit.borrower_id))
        .where(branch_column(SafetyAlert) == branch.id)
        .order_by(acknowledged, col(SafetyAlert.at).desc(), col(SafetyAlert.id))
        .limit(MAX_ALERTS)
    ).all()
    return [
        alert_public(alert, officer_name=name, borrower_id=borrower_id, borrower_name=borrower)
        for alert, name, borrower_id, borrower in rows
    ]


def acknowledge_alert(
    *, session: Session, manager: User, alert_id: uuid.UUID, now: datetime
) -> AlertPublic:
    """The manager has seen the alert and is acting on it (idempotent)."""
    alert = get_in_branch(
        session,
        SafetyAlert,
        alert_id,
        branch_id=manager.branch_id,
        missing="No such alert in your branch.",
    )
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = manager.id
        session.add(alert)
        record_audit(
            session,
            at=now,
            action="safety.acknowledge",
            entity="safety_alert",
            entity_id=alert.id,
            actor_id=manager.id,
            branch_id=alert.branch_id,
            data={"kind": alert.kind},
        )
        session.flush()
    officer = session.get(User, alert.officer_id)
    visit = session.get(Visit, alert.visit_id) if alert.visit_id else None
    borrower = session.get(Borrower, visit.borrower_id) if visit else None
    return alert_public(
        alert,
        officer_name=officer.full_name if officer else "",
        borrower_id=visit.borrower_id if visit else None,
        borrower_name=borrower.name if borrower else None,
    )


# --- who is out now -------------------------------------------------------------------------


def out_now(*, session: Session, manager: User, now: datetime) -> list[OutNowPublic]:
    """Officers on a visit checked in and not out, overdue first, each with where they
    were last seen (latest check-in, check-out or SOS location)."""
    branch = get_branch(session, manager.branch_id)
    policy = current_policy(session, branch)
    tz = ZoneInfo(branch.timezone)
    outs = _visits_out(session, branch=branch, now=now)
    if not outs:
        return []
    team = _people_out(session, outs)
    people = {p for members in team.values() for p in members}
    names = dict(
        session.exec(select(User.id, User.full_name).where(col(User.id).in_(people))).all()
    )
    borrowers = {
        b.id: b
        for b in session.exec(
            select(Borrower).where(col(Borrower.id).in_([o.visit.borrower_id for o in outs]))
        )
    }
    last, open_sos = _last_seen(session, people, since=now - LOOKBACK)
    due_in = timedelta(minutes=policy.checkout_overdue_minutes)
    entries = [
        OutNowPublic(
            officer_id=person,
            officer_name=names.get(person, ""),
            visit_id=out.visit.id,
            borrower_id=out.visit.borrower_id,
            **_borrower_fields(borrowers.get(out.visit.borrower_id)),
            checked_in_at=out.checked_in_at,
            due_back_at=out.checked_in_at + due_in,
            minutes_out=max(0, int((now - out.checked_in_at).total_seconds() // 60)),
            overdue=_overdue(policy, tz, out, now),
            open_sos=person in open_sos,
            last_location=last.get(person),
        )
        for out in outs
        for person in team[out.visit.id]
    ]
    entries.sort(key=lambda e: (not e.open_sos, not e.overdue, e.checked_in_at, e.officer_name))
    return entries


def _borrower_fields(borrower: Borrower | None) -> dict[str, str]:
    return {
        "borrower_name": borrower.name if borrower else "",
        "address": borrower.address if borrower else "",
        "village": borrower.village if borrower else "",
    }


def _people_out(session: Session, outs: list[_Out]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Who is out on each visit: its team, lead first, plus whoever checked in (on the team
    or not: facts from the field win)."""
    team = team_ids(session, [o.visit.id for o in outs])
    for out in outs:
        members = team[out.visit.id]
        if out.check_in is not None:
            for person in [out.check_in.officer_id, *map(uuid.UUID, out.check_in.co_visitor_ids)]:
                if person not in members:
                    members.append(person)
    return team


def _last_seen(
    session: Session, people: set[uuid.UUID], *, since: datetime
) -> tuple[dict[uuid.UUID, LocationPublic], set[uuid.UUID]]:
    """Where each person was last seen since `since` (check-in, check-out or SOS with a
    location), and who has an SOS not yet acknowledged."""
    last: dict[uuid.UUID, LocationPublic] = {}
    for event in session.exec(
        select(VisitEvent).where(
            col(VisitEvent.officer_id).in_(people),
            col(VisitEvent.at) >= since,
            col(VisitEvent.lat).is_not(None),
        )
    ):
        _seen(last, event.officer_id, event.lat, event.lon, event.accuracy_m, event.at, event.kind)
    open_sos: set[uuid.UUID] = set()
    for alert in session.exec(
        select(SafetyAlert).where(
            col(SafetyAlert.officer_id).in_(people),
            SafetyAlert.kind == SOS,
            col(SafetyAlert.at) >= since,
        )
    ):
        if alert.acknowledged_at is None:
            open_sos.add(alert.officer_id)
        _seen(last, alert.officer_id, alert.lat, alert.lon, alert.accuracy_m, alert.at, SOS)
    return last, open_sos


def _seen(
    last: dict[uuid.UUID, LocationPublic],
    officer_id: uuid.UUID,
    lat: float | None,
    lon: float | None,
    accuracy_m: float | None,
    at: datetime,
    source: str,
) -> None:
    if lat is None or lon is None:
        return
    current = last.get(officer_id)
    if current is None or at > current.at:
        last[officer_id] = LocationPublic(
            lat=lat, lon=lon, accuracy_m=accuracy_m, at=at, source=source
        )
