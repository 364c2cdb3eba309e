"""Complaints recorded at the console, listed for the manager's Review and resolved there.
Services flush, never commit."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, col, func, select

from api.audit import record_manager_action
from api.complaints.labels import CATEGORIES, label
from api.complaints.schemas import ComplaintCreate, ComplaintPublic
from api.errors import Conflict, InvalidInput, NotFound
from api.scoping import get_in_branch
from models import Borrower, Complaint, User, Visit


def record(
    *, session: Session, manager: User, body: ComplaintCreate, now: datetime
) -> ComplaintPublic:
    """A complaint the branch received (by phone, at the counter, by letter)."""
    borrower = get_in_branch(
        session,
        Borrower,
        body.borrower_id,
        branch_id=manager.branch_id,
        missing="No such borrower in your branch.",
    )
    about = body.about_officer_id
    if body.visit_id is not None:
        visit = get_in_branch(
            session, Visit, body.visit_id, branch_id=manager.branch_id, missing="No such visit."
        )
        if visit.borrower_id != borrower.id:
            raise InvalidInput("visit_id: the visit is not a visit of this borrower.")
        about = about or visit.officer_id
    if about is not None:
        officer = session.get(User, about)
        if officer is None or officer.branch_id != manager.branch_id:
            raise InvalidInput("about_officer_id: no such officer in your branch.")
    at = body.at or now
    if at > now:
        raise InvalidInput("at: a complaint cannot be made in the future.")
    row = Complaint(
        branch_id=manager.branch_id,
        borrower_id=borrower.id,
        visit_id=body.visit_id,
        about_officer_id=about,
        recorded_by=manager.id,
        channel=body.channel,
        category=body.category,
        text=body.text,
        at=at,
        received_at=now,
    )
    session.add(row)
    session.flush()
    record_manager_action(
        session,
        manager,
        action="complaint.record",
        entity="complaint",
        entity_id=row.id,
        now=now,
        data={"category": row.category, "channel": row.channel},
    )
    return public(session, row)


def list_complaints(*, session: Session, manager: User, status: str) -> list[ComplaintPublic]:
    """The branch's complaints, open first then newest first."""
    query = select(Complaint).where(Complaint.branch_id == manager.branch_id)
    if status != "all":
        query = query.where(Complaint.status == status)
    rows = session.exec(
        query.order_by(col(Complaint.status) == "resolved", col(Complaint.at).desc()).limit(500)
    ).all()
    return [public(session, r) for r in rows]


def resolve(
    *, session: Session, manager: User, complaint_id: uuid.UUID, resolution: str, now: datetime
) -> ComplaintPublic:
    row = get_in_branch(
        session,
        Complaint,
        complaint_id,
        branch_id=manager.branch_id,
        missing="No such complaint in your branch.",
    )
    if row.status == "resolved":
        raise Conflict("This complaint was already resolved.")
    if not resolution:
        raise InvalidInput("resolution: say how the complaint was resolved (1-1000 characters).")
    row.status, row.resolved_by, row.resolved_at, row.resolution = (
        "resolved",
        manager.id,
        now,
        resolution,
    )
    session.add(row)
    session.flush()
    record_manager_action(
        session,
        manager,
        action="complaint.resolve",
        entity="complaint",
        entity_id=row.id,
        now=now,
        data={"resolution": resolution},
    )
    return public(session, row)


def open_count(session: Session, branch_id: uuid.UUID) -> int:
    """Open complaints: they wait in the manager's Review."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Complaint)
            .where(Complaint.branch_id == branch_id, Complaint.status == "open")
        ).one()
    )


def public(session: Session, row: Complaint) -> ComplaintPublic:
    borrower = session.get(Borrower, row.borrower_id)
    officer = session.get(User, row.about_officer_id) if row.about_officer_id else None
    if borrower is None:  # a foreign key: cannot happen
        raise NotFound("The complaint's borrower no longer exists.")
    zh, en = label(CATEGORIES, row.category)
    return ComplaintPublic(
        **row.model_dump(exclude={"branch_id", "device_id", "version"}),
        borrower_name=borrower.name,
        phone=borrower.phone,
        about_officer_name=officer.full_name if officer else "",
        category_zh=zh,
        category_en=en,
    )
