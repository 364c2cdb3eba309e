"""`complaint.record` through a push: applied once, scoped like a note, attacks refused."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, select

from models import AuditEvent, Complaint
from tests.factories import make_borrower, make_branch
from tests.phone import Phone
from tests.sync.conftest import World

AT = "2026-11-23T02:10:00Z"


def _push(phone: Phone) -> list[dict[str, Any]]:
    response = phone.push()
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def _complain(phone: Phone, borrower_id: Any, **extra: Any) -> uuid.UUID:
    cid: uuid.UUID = extra.pop("id", uuid.uuid4())
    args = {"borrower_id": borrower_id, "category": "rude", "text": "说话太凶", "at": AT}
    phone.queue("complaint.record", id=cid, **(args | extra))
    return cid


def test_a_complaint_from_the_phone_is_stored_once_and_open(
    world: World, phone_for, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    visit = world.visits[0]
    cid = _complain(phone, visit.borrower_id, visit_id=visit.id)
    _complain(phone, visit.borrower_id, visit_id=visit.id, id=cid)  # resent
    assert [r["status"] for r in _push(phone)] == ["applied", "duplicate"]
    rows = session.exec(select(Complaint)).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.status, row.channel, row.category) == ("open", "visit", "rude")
    assert row.recorded_by == world.alice.id and row.about_officer_id == world.alice.id
    assert row.device_id is not None and row.branch_id == world.branch.id
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_id == str(cid)))
    assert list(actions) == ["complaint.record"]


def test_a_complaint_without_a_visit_needs_a_borrower_of_the_officers_visits(
    world: World, phone_for
) -> None:
    phone: Phone = phone_for(world.alice)
    _complain(phone, world.borrowers[0].id)  # Alice's borrower
    _complain(phone, world.borrowers[3].id)  # Bob's only
    results = _push(phone)
    assert results[0]["status"] == "applied"
    assert results[1]["status"] == "rejected"


def test_the_same_id_with_other_content_is_refused(world: World, phone_for) -> None:
    phone: Phone = phone_for(world.alice)
    cid = _complain(phone, world.borrowers[0].id)
    _complain(phone, world.borrowers[0].id, id=cid, text="另一段话")
    assert [(r["status"], r["codes"]) for r in _push(phone)] == [
        ("applied", []),
        ("rejected", ["id_taken"]),
    ]


def test_attacks_are_refused_with_clear_codes(world: World, phone_for, session: Session) -> None:
    stranger = make_borrower(session, make_branch(session))
    phone: Phone = phone_for(world.alice)
    visit = world.visits[0]
    _complain(phone, stranger.id)  # another branch's borrower
    _complain(phone, world.borrowers[1].id, visit_id=visit.id)  # visit of another borrower
    _complain(phone, visit.borrower_id, category="bribe")
    _complain(phone, visit.borrower_id, text="x" * 2001)
    _complain(phone, visit.borrower_id, text="   ")
    _complain(phone, visit.borrower_id, at="2099-01-01T00:00:00Z")
    results = _push(phone)
    assert [r["status"] for r in results] == ["rejected"] * 6
    assert results[0]["codes"] == ["unknown_borrower"]
    assert results[1]["codes"] == ["visit_mismatch"]
    assert all(r["codes"] == ["invalid_args"] for r in results[2:])
    assert session.exec(select(Complaint)).all() == []


def test_a_complaint_at_a_visit_of_another_officer_is_flagged_or_refused(
    world: World, phone_for, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    bobs = world.visits[3]
    _complain(phone, bobs.borrower_id, visit_id=bobs.id)
    [result] = _push(phone)
    assert result["status"] == "rejected" and result["codes"] == ["not_on_team"]
