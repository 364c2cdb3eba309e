"""One bounded query per source of the timeline: each returns its newest rows before the
cursor (and after `since`), as entries ready to merge. No FastAPI; reads only."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from api.history import labels as lb
from api.history.cursor import Key, Position, position, typed_key
from models import (
    Agreement,
    AgreementLine,
    AuditEvent,
    BorrowerProposal,
    ChangeRequest,
    Complaint,
    ContactLog,
    FeedbackCall,
    HardshipReason,
    Loan,
    Note,
    Payment,
    Promise,
    Visit,
    VisitOutcome,
)
from models.enums import VisitStatus

# Fixed per source: the tie-break between items at the same instant (and the cursor's).
RANK = {
    "visit": 1,
    "skip": 2,
    "note": 3,
    "contact": 4,
    "promise": 5,
    "agreement": 6,
    "payment": 7,
    "change_request": 8,
    "location_audit": 9,
    "location_proposal": 10,
    "complaint": 11,
    "feedback": 12,
}


@dataclass
class Query:
    """What to read: whose file, which window, how many rows at most per source."""

    borrower_ids: list[uuid.UUID]
    limit: int
    before: Position | None = None
    since: datetime | None = None
    names: dict[uuid.UUID, str] = field(default_factory=dict)
    reasons: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Entry:
    pos: Position
    borrower_id: uuid.UUID
    item: dict[str, Any]


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _window(q: Query, source: str, at: Any, key: Any, *, integer: bool = False) -> list[Any]:
    """Rows strictly after the cursor in (at, rank, key) newest-first order, and since."""
    conds: list[Any] = [at >= q.since] if q.since else []
    c = q.before
    if c is not None:
        rank = RANK[source]
        if rank < c.rank:
            conds.append(at <= c.at)
        elif rank > c.rank:
            conds.append(at < c.at)
        else:
            conds.append(or_(at < c.at, and_(at == c.at, key < typed_key(c, integer=integer))))
    return conds


def _entry(
    q: Query,
    source: str,
    kind: str,
    *,
    key: Key,
    at: datetime,
    borrower_id: uuid.UUID,
    officer_id: uuid.UUID | None,
    summary: tuple[str, str],
    data: dict[str, Any],
) -> Entry:
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return Entry(
        pos=position(at, RANK[source], key),
        borrower_id=borrower_id,
        item={
            "id": f"{kind}:{key}",
            "kind": kind,
            "at": _iso(at),
            "officer_name": q.names.get(officer_id) if officer_id else None,
            "summary": summary[0],
            "summary_zh": summary[1],
            "data": data,
        },
    )


def _reason_label(q: Query, code: str) -> dict[str, str]:
    zh, en = q.reasons.get(code, (code, code))
    return {"code": code, "label_zh": zh, "label_en": en}


def visits(session: Session, q: Query) -> list[Entry]:
    """Outcomes recorded at the door, with the assessment and the next step."""
    rows = session.exec(
        select(VisitOutcome, col(Visit.borrower_id), col(Visit.plan_date))
        .join(Visit, col(Visit.id) == VisitOutcome.visit_id)
        .where(
            col(Visit.borrower_id).in_(q.borrower_ids),
            *_window(q, "visit", col(VisitOutcome.at), col(VisitOutcome.id)),
        )
        .order_by(col(VisitOutcome.at).desc(), col(VisitOutcome.id).desc())
        .limit(q.limit)
    ).all()
    out = []
    for o, borrower_id, plan_date in rows:
        data = {
            "visit_id": str(o.visit_id),
            "plan_date": _iso(plan_date),
            "contact": lb.label(lb.CONTACT, o.contact),
            "hardship_reasons": [_reason_label(q, c) for c in o.hardship_reasons],
            "hardship_detail": o.hardship_detail,
            "income_source": lb.label(lb.INCOME_SOURCE, o.income_source),
            "business_condition": lb.label(lb.BUSINESS_CONDITION, o.business_condition),
            "willingness": lb.label(lb.WILLINGNESS, o.willingness),
            "next_action": lb.label(lb.NEXT_ACTION, o.next_action),
            "follow_up_on": _iso(o.follow_up_on),
        }
        summary = lb.visit_summary({**data, "contact": o.contact, "next_action": o.next_action})
        out.append(
            _entry(
                q,
                "visit",
                "visit",
                key=o.id,
                at=o.at,
                borrower_id=borrower_id,
                officer_id=o.officer_id,
                summary=summary,
                data=data,
            )
        )
    return out


def skips(session: Session, q: Query) -> list[Entry]:
    skipped_at = col(Visit.skipped_at)
    rows = session.exec(
        select(Visit)
        .where(
            col(Visit.borrower_id).in_(q.borrower_ids),
            Visit.status == VisitStatus.skipped,
            skipped_at.is_not(None),
            *_window(q, "skip", skipped_at, col(Visit.id)),
        )
        .order_by(skipped_at.desc(), col(Visit.id).desc())
        .limit(q.limit)
    ).all()
    return [
        _entry(
            q,
            "skip",
            "skip",
            key=v.id,
            at=v.skipped_at,
            borrower_id=v.borrower_id,
            officer_id=v.officer_id,
            summary=lb.skip_summary(v.skip_reason),
            data={
                "visit_id": str(v.id),
                "plan_date": _iso(v.plan_date),
                "reason": lb.label(lb.SKIP_REASON, v.skip_reason),
            },
        )
        for v in rows
        if v.skipped_at is not None
    ]


def notes(session: Session, q: Query) -> list[Entry]:
    rows = session.exec(
        select(Note)
        .where(
            col(Note.borrower_id).in_(q.borrower_ids),
            *_window(q, "note", col(Note.at), col(Note.id)),
        )
        .order_by(col(Note.at).desc(), col(Note.id).desc())
        .limit(q.limit)
    ).all()
    return [
        _entry(
            q,
            "note",
            "note",
            key=n.id,
            at=n.at,
            borrower_id=n.borrower_id,
            officer_id=n.author_id,
            summary=(f"Note: {n.text[:80]}", f"备注：{n.text[:80]}"),
            data={"text": n.text, "visit_id": str(n.visit_id) if n.visit_id else None},
        )
        for n in rows
    ]


def contacts(session: Session, q: Query) -> list[Entry]:
    """Calls and text messages (ContactLog)."""
    rows = session.exec(
        select(ContactLog)
        .where(
            col(ContactLog.borrower_id).in_(q.borrower_ids),
            *_window(q, "contact", col(ContactLog.at), col(ContactLog.id)),
        )
        .order_by(col(ContactLog.at).desc(), col(ContactLog.id).desc())
        .limit(q.limit)
    ).all()
    out = []
    for c in rows:
        kind = "sms" if c.channel == "sms" else "call"
        data = {
            "channel": kind,
            "answered_by": lb.label(lb.CONTACT, c.answered_by),
            "result": lb.label(lb.CONTACT_RESULT, c.result),
            "note": c.note,
            "visit_id": str(c.visit_id) if c.visit_id else None,
            "agreement_line_id": c.agreement_line_id,
        }
        out.append(
            _entry(
                q,
                "contact",
                kind,
                key=c.id,
                at=c.at,
                borrower_id=c.borrower_id,
                officer_id=c.officer_id,
                summary=lb.contact_summary(kind, c.result),
                data=data,
            )
        )
    return out


def promises(session: Session, q: Query) -> list[Entry]:
    rows = session.exec(
        select(Promise)
        .where(
            col(Promise.borrower_id).in_(q.borrower_ids),
            *_window(q, "promise", col(Promise.made_at), col(Promise.id)),
        )
        .order_by(col(Promise.made_at).desc(), col(Promise.id).desc())
        .limit(q.limit)
    ).all()
    return [
        _entry(
            q,
            "promise",
            "promise",
            key=p.id,
            at=p.made_at,
            borrower_id=p.borrower_id,
            officer_id=p.officer_id,
            summary=lb.promise_summary(p.amount_fen, p.due_date.isoformat(), p.status),
            data={
                "amount_fen": p.amount_fen,
                "paid_fen": p.paid_fen,
                "due_date": _iso(p.due_date),
                "status": lb.label(lb.STATUS, p.status),
                "resolved_at": _iso(p.resolved_at),
                "loan_id": str(p.loan_id),
                "visit_id": str(p.visit_id) if p.visit_id else None,
            },
        )
        for p in rows
    ]


def _instalments(lines: list[AgreementLine]) -> dict[str, Any]:
    count = {"paid": 0, "due": 0, "missed": 0}
    for line in lines:
        count[str(line.status)] = count.get(str(line.status), 0) + 1
    upcoming = next((x for x in lines if x.status != "paid"), None)
    return {
        **count,
        "total": len(lines),
        "next": {
            "seq": upcoming.seq,
            "due_date": _iso(upcoming.due_date),
            "amount_fen": upcoming.amount_fen,
            "paid_fen": upcoming.paid_fen,
            "status": upcoming.status,
        }
        if upcoming
        else None,
    }


def agreements(session: Session, q: Query) -> list[Entry]:
    """Agreements with their instalments counted (one more query, for these agreements)."""
    rows = session.exec(
        select(Agreement)
        .where(
            col(Agreement.borrower_id).in_(q.borrower_ids),
            *_window(q, "agreement", col(Agreement.signed_at), col(Agreement.id)),
        )
        .order_by(col(Agreement.signed_at).desc(), col(Agreement.id).desc())
        .limit(q.limit)
    ).all()
    lines: dict[uuid.UUID, list[AgreementLine]] = defaultdict(list)
    if rows:
        for line in session.exec(
            select(AgreementLine)
            .where(col(AgreementLine.agreement_id).in_([a.id for a in rows]))
            .order_by(col(AgreementLine.seq))
        ):
            lines[line.agreement_id].append(line)
    out = []
    for a in rows:
        inst = _instalments(lines[a.id])
        data = {
            "status": lb.label(lb.STATUS, a.status),
            "principal_fen": a.principal_fen,
            "down_payment_fen": a.down_payment_fen,
            "down_payment_status": a.down_payment_status,
            "instalments": inst,
            "decided_at": _iso(a.decided_at),
            "decision_reason": a.decision_reason,
            "loan_id": str(a.loan_id),
        }
        summary = lb.agreement_summary(a.principal_fen, a.status, inst["paid"], inst["total"])
        out.append(
            _entry(
                q,
                "agreement",
                "agreement",
                key=a.id,
                at=a.signed_at,
                borrower_id=a.borrower_id,
                officer_id=a.officer_id,
                summary=summary,
                data=data,
            )
        )
    return out


def _payment_window(q: Query) -> list[Any]:
    """A payment's instant is midnight UTC of the day it was paid."""
    paid_on = col(Payment.paid_on)
    conds: list[Any] = [paid_on >= q.since.date()] if q.since else []
    c = q.before
    if c is not None:
        day, midnight = c.at.date(), c.at.time() == time(0)
        rank = RANK["payment"]
        if rank == c.rank and midnight:
            key = typed_key(c, integer=False)
            conds.append(or_(paid_on < day, and_(paid_on == day, col(Payment.id) < key)))
        elif midnight and rank > c.rank:
            conds.append(paid_on < day)
        else:
            conds.append(paid_on <= day)
    return conds


def payments(session: Session, q: Query) -> list[Entry]:
    rows = session.exec(
        select(Payment, Loan.borrower_id, Loan.account_number)
        .join(Loan, col(Loan.id) == Payment.loan_id)
        .where(col(Loan.borrower_id).in_(q.borrower_ids), *_payment_window(q))
        .order_by(col(Payment.paid_on).desc(), col(Payment.id).desc())
        .limit(q.limit)
    ).all()
    return [
        _entry(
            q,
            "payment",
            "payment",
            key=p.id,
            at=datetime.combine(p.paid_on, time(0), tzinfo=UTC),
            borrower_id=borrower_id,
            officer_id=None,
            summary=lb.payment_summary(p.amount_fen),
            data={
                "amount_fen": p.amount_fen,
                "paid_on": _iso(p.paid_on),
                "reference": p.reference,
                "account_number": account,
            },
        )
        for p, borrower_id, account in rows
    ]


def change_requests(session: Session, q: Query) -> list[Entry]:
    """Requests from the field, with the manager's decision when made."""
    created = col(ChangeRequest.created_at)
    rows = session.exec(
        select(ChangeRequest)
        .where(
            col(ChangeRequest.borrower_id).in_(q.borrower_ids),
            *_window(q, "change_request", created, col(ChangeRequest.id)),
        )
        .order_by(created.desc(), col(ChangeRequest.id).desc())
        .limit(q.limit)
    ).all()
    return [
        _entry(
            q,
            "change_request",
            "change_request",
            key=r.id,
            at=r.created_at,
            borrower_id=r.borrower_id,
            officer_id=r.officer_id,
            summary=lb.change_summary(r.kind, r.status),
            data={
                "kind": lb.label(lb.CHANGE_KIND, r.kind),
                "reason": r.reason,
                "proposed": r.proposed,
                "status": lb.label(lb.STATUS, r.status),
                "decided_at": _iso(r.decided_at),
                "decision_reason": r.decision_reason,
                "decided_by_name": q.names.get(r.decided_by) if r.decided_by else None,
                "visit_id": str(r.visit_id),
            },
        )
        for r in rows
    ]


def located(session: Session, q: Query) -> list[Entry]:
    """A manager's pin or a first check-in location (audit `borrower.locate`)."""
    ids = {str(b): b for b in q.borrower_ids}
    rows = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity == "borrower",
            AuditEvent.action == "borrower.locate",
            col(AuditEvent.entity_id).in_(list(ids)),
            *_window(q, "location_audit", col(AuditEvent.at), col(AuditEvent.id), integer=True),
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(q.limit)
    ).all()
    out = []
    for e in rows:
        source = str(e.data.get("source") or "manager")
        lat, lon = e.data.get("lat", e.lat), e.data.get("lon", e.lon)
        data = {"source": source, "lat": lat, "lon": lon, "precision": e.data.get("precision")}
        out.append(
            _entry(
                q,
                "location_audit",
                "location",
                key=e.id or 0,
                at=e.at,
                borrower_id=ids[e.entity_id],
                officer_id=e.actor_id,
                summary=lb.location_summary(source),
                data=data,
            )
        )
    return out


def proposals(session: Session, q: Query) -> list[Entry]:
    """Locations proposed from the field and accepted by the manager."""
    decided = col(BorrowerProposal.decided_at)
    rows = session.exec(
        select(BorrowerProposal)
        .where(
            col(BorrowerProposal.borrower_id).in_(q.borrower_ids),
            BorrowerProposal.kind == "location",
            BorrowerProposal.status == "accepted",
            decided.is_not(None),
            *_window(q, "location_proposal", decided, col(BorrowerProposal.id)),
        )
        .order_by(decided.desc(), col(BorrowerProposal.id).desc())
        .limit(q.limit)
    ).all()
    return [
        _entry(
            q,
            "location_proposal",
            "location",
            key=p.id,
            at=p.decided_at,
            borrower_id=p.borrower_id,
            officer_id=p.decided_by,
            summary=lb.location_summary("check_in"),
            data={
                "source": "check_in",
                "lat": p.data.get("lat"),
                "lon": p.data.get("lon"),
                "precision": "exact",
                "distance_m": p.data.get("distance_m"),
                "proposed_by_name": q.names.get(p.proposed_by) if p.proposed_by else None,
            },
        )
        for p in rows
        if p.decided_at is not None
    ]


def complaints(session: Session, q: Query) -> list[Entry]:
    """Complaints about collection, with the resolution once resolved."""
    rows = session.exec(
        select(Complaint)
        .where(
            col(Complaint.borrower_id).in_(q.borrower_ids),
            *_window(q, "complaint", col(Complaint.at), col(Complaint.id)),
        )
        .order_by(col(Complaint.at).desc(), col(Complaint.id).desc())
        .limit(q.limit)
    ).all()
    return [
        _entry(
            q,
            "complaint",
            "complaint",
            key=c.id,
            at=c.at,
            borrower_id=c.borrower_id,
            officer_id=c.recorded_by,
            summary=lb.complaint_summary(c.category, c.status),
            data={
                "category": lb.label(lb.COMPLAINT_CATEGORY, c.category),
                "channel": lb.label(lb.COMPLAINT_CHANNEL, c.channel),
                "text": c.text,
                "status": lb.label(lb.STATUS, c.status),
                "about_officer_name": q.names.get(c.about_officer_id)
                if c.about_officer_id
                else None,
                "resolved_at": _iso(c.resolved_at),
                "resolution": c.resolution,
                "visit_id": str(c.visit_id) if c.visit_id else None,
            },
        )
        for c in rows
    ]


def feedback(session: Session, q: Query) -> list[Entry]:
    """Follow-up calls (回访) once made: the borrower's answers, or unreachable."""
    called = col(FeedbackCall.called_at)
    rows = session.exec(
        select(FeedbackCall)
        .where(
            col(FeedbackCall.borrower_id).in_(q.borrower_ids),
            called.is_not(None),
            *_window(q, "feedback", called, col(FeedbackCall.id)),
        )
        .order_by(called.desc(), col(FeedbackCall.id).desc())
        .limit(q.limit)
    ).all()
    return [
        _entry(
            q,
            "feedback",
            "feedback",
            key=f.id,
            at=f.called_at or f.sampled_at,
            borrower_id=f.borrower_id,
            officer_id=f.called_by,
            summary=lb.feedback_summary(f.status, f.satisfied),
            data={
                "status": lb.label(lb.STATUS, f.status),
                "courteous": f.courteous,
                "lawful": f.lawful,
                "explained": f.explained,
                "satisfied": f.satisfied,
                "note": f.note,
                "visit_id": str(f.visit_id),
                "officer_name": q.names.get(f.officer_id),
            },
        )
        for f in rows
    ]


def reason_labels(session: Session) -> dict[str, tuple[str, str]]:
    rows = session.exec(
        select(HardshipReason.code, HardshipReason.label_zh, HardshipReason.label_en)
    )
    return {code: (zh, en) for code, zh, en in rows}


Source = Callable[[Session, Query], list[Entry]]
SOURCES: tuple[Source, ...] = (
    visits,
    skips,
    notes,
    contacts,
    promises,
    agreements,
    payments,
    change_requests,
    located,
    proposals,
    complaints,
    feedback,
)
