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

from api.audit import audit_row, write_audit_rows
from api.compliance import rules as compliance
from api.compliance.policy import Policy
from api.compliance.service import current_policy
from api.errors import NotFound
from models import Borrower, Branch, SafetyAlert, User, Visit, VisitEvent, VisitOfficer
from models.enums import VisitEventKind

SOS = "sos"
OVERDUE_CHECKOUT = "overdue_checkout"
# Check-ins older than this are not "out now" (a check-out the phone never sent).
LOOKBACK = timedelta(hours=24)
MAX_ALERTS = 200
_ALERT_NAMESPACE = uuid.UUID("0b8d6c1e-5f3a-4c2e-9a47-3d1f0e6b2c58")


def overdue_alert_id(visit_id: uuid.UUID) -> uuid.UUID:
    """One overdue check-out alert per visit, whoever notices it first."""
    return uuid.uuid5(_ALERT_NAMESPACE, f"overdue_checkout:{visit_id}")


def _branch(session: Session, user: User) -> Branch:
    branch = session.get(Branch, user.branch_id)
    if branch is None:
        raise NotFound("Your branch no longer exists.")
    return branch


@dataclass
class _Out:
    visit: Visit
    check_in: VisitEvent | None


def _visits_out(session: Session, *, branch: Branch, now: datetime) -> list[_Out]:
    """Visits checked in during the last day and not checked out, with their first
    check-in event (who checked in, from which device, where)."""
    visits = list(
        session.exec(
            select(Visit).where(
                Visit.branch_id == branch.id,
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
    limit = timedelta(minutes=policy.checkout_overdue_minutes)
    created = 0
    for alert_id, out in ids.items():
        if alert_id in existing:
            continue
        checked_in_at = out.visit.checked_in_at
        assert checked_in_at is not None  # selected on it
        event = out.check_in
        values: dict[str, Any] = {
            "id": alert_id,
            "branch_id": branch.id,
            "officer_id": event.officer_id if event else out.visit.officer_id,
            "device_id": event.device_id if event else None,
            "visit_id": out.visit.id,
            "kind": OVERDUE_CHECKOUT,
            "at": checked_in_at + limit,
            "received_at": now,
            "lat": event.lat if event else None,
            "lon": event.lon if event else None,
            "accuracy_m": event.accuracy_m if event else None,
            "message": (
                f"No check-out {policy.checkout_overdue_minutes} minutes after the check-in "
                f"at {checked_in_at.astimezone(tz):%H:%M}."
            ),
        }
        try:
            # Two managers looking at once: the second insert of the same id is a no-op.
            with session.begin_nested():
                session.execute(insert(SafetyAlert), [values])
        except IntegrityError:
            continue
        write_audit_rows(
            session,
            [
                audit_row(
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
            ],
        )
        created += 1
    return created


@dataclass(frozen=True)
class AlertView:
    alert: SafetyAlert
    officer_name: str
    borrower_id: uuid.UUID | None
    borrower_name: str | None


def list_alerts(*, session: Session, manager: User, now: datetime) -> list[AlertView]:
    """The branch's SOS and overdue check-out alerts: unacknowledged first, newest first.
    Overdue check-outs found now are created before answering."""
    branch = _branch(session, manager)
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
        .where(SafetyAlert.branch_id == branch.id)
        .order_by(acknowledged, col(SafetyAlert.at).desc(), col(SafetyAlert.id))
        .limit(MAX_ALERTS)
    ).all()
    return [
        AlertView(alert, name, borrower_id, borrower) for alert, name, borrower_id, borrower in rows
    ]


def acknowledge_alert(
    *, session: Session, manager: User, alert_id: uuid.UUID, now: datetime
) -> AlertView:
    """The manager has seen the alert and is acting on it (idempotent)."""
    alert = session.get(SafetyAlert, alert_id)
    if alert is None or alert.branch_id != manager.branch_id:
        raise NotFound("No such alert in your branch.")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = manager.id
        session.add(alert)
        write_audit_rows(
            session,
            [
                audit_row(
                    at=now,
                    action="safety.acknowledge",
                    entity="safety_alert",
                    entity_id=alert.id,
                    actor_id=manager.id,
                    branch_id=alert.branch_id,
                    data={"kind": alert.kind},
                )
            ],
        )
        session.flush()
    officer = session.get(User, alert.officer_id)
    visit = session.get(Visit, alert.visit_id) if alert.visit_id else None
    borrower = session.get(Borrower, visit.borrower_id) if visit else None
    return AlertView(
        alert,
        officer.full_name if officer else "",
        visit.borrower_id if visit else None,
        borrower.name if borrower else None,
    )


@dataclass(frozen=True)
class LastLocation:
    lat: float
    lon: float
    accuracy_m: float | None
    at: datetime
    source: str


@dataclass(frozen=True)
class OutNow:
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
    last_location: LastLocation | None


def out_now(*, session: Session, manager: User, now: datetime) -> list[OutNow]:
    """Officers on a visit checked in and not out, overdue first, each with where they
    were last seen (latest check-in, check-out or SOS location)."""
    branch = _branch(session, manager)
    policy = current_policy(session, branch)
    tz = ZoneInfo(branch.timezone)
    outs = _visits_out(session, branch=branch, now=now)
    if not outs:
        return []
    visit_ids = [o.visit.id for o in outs]
    team: dict[uuid.UUID, list[uuid.UUID]] = {}
    for link in session.exec(
        select(VisitOfficer)
        .where(col(VisitOfficer.visit_id).in_(visit_ids))
        .order_by(col(VisitOfficer.is_lead).desc())
    ):
        team.setdefault(link.visit_id, []).append(link.user_id)
    for out in outs:
        # Whoever checked in is out, on the team or not (facts from the field win).
        members = team.setdefault(out.visit.id, [])
        if out.check_in is not None:
            for person in [out.check_in.officer_id, *map(uuid.UUID, out.check_in.co_visitor_ids)]:
                if person not in members:
                    members.append(person)
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
    last: dict[uuid.UUID, LastLocation] = {}
    since = now - LOOKBACK
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
    limit = timedelta(minutes=policy.checkout_overdue_minutes)
    entries = []
    for out in outs:
        checked_in_at = out.visit.checked_in_at
        assert checked_in_at is not None
        borrower = borrowers.get(out.visit.borrower_id)
        overdue = _overdue(policy, tz, out, now)
        for person in team[out.visit.id]:
            entries.append(
                OutNow(
                    officer_id=person,
                    officer_name=names.get(person, ""),
                    visit_id=out.visit.id,
                    borrower_id=out.visit.borrower_id,
                    borrower_name=borrower.name if borrower else "",
                    address=borrower.address if borrower else "",
                    village=borrower.village if borrower else "",
                    checked_in_at=checked_in_at,
                    due_back_at=checked_in_at + limit,
                    minutes_out=max(0, int((now - checked_in_at).total_seconds() // 60)),
                    overdue=overdue,
                    open_sos=person in open_sos,
                    last_location=last.get(person),
                )
            )
    entries.sort(key=lambda e: (not e.open_sos, not e.overdue, e.checked_in_at, e.officer_name))
    return entries


def _seen(
    last: dict[uuid.UUID, LastLocation],
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
        last[officer_id] = LastLocation(lat, lon, accuracy_m, at, source)
