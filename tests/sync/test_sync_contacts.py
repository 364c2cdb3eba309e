"""`visit.skip` and `contact.log` through a push: applied once, refused with clear codes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, select

from models import AuditEvent, ContactLog, Note, Visit
from models.enums import VisitStatus
from tests.factories import make_borrower, make_branch, make_user
from tests.phone import Phone
from tests.sync.conftest import World

AT = "2026-11-23T02:10:00Z"  # 10:10 in Asia/Shanghai
NIGHT = "2026-11-22T15:00:00Z"  # 23:00 in Asia/Shanghai


def _push(phone: Phone) -> list[dict[str, Any]]:
    response = phone.push()
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def _skip(phone: Phone, visit: Visit, reason: str = "absent", **extra: Any) -> None:
    phone.queue("visit.skip", visit_id=visit.id, reason=reason, at=AT, **extra)


def test_skip_closes_the_visit_with_its_reason_and_is_applied_once(
    world: World, phone_for, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    visit = world.visits[0]
    _skip(phone, visit, note="门锁着，邻居说外出打工")
    _skip(phone, visit)  # the phone resent it
    assert [r["status"] for r in _push(phone)] == ["applied", "duplicate"]
    session.expire_all()
    stored = session.get(Visit, visit.id)
    assert stored is not None and stored.status == VisitStatus.skipped
    assert stored.skip_reason == "absent" and stored.skipped_at is not None
    notes = session.exec(select(Note).where(Note.visit_id == visit.id)).all()
    assert [n.text for n in notes] == ["门锁着，邻居说外出打工"]
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_id == str(visit.id)))
    assert "visit.skip" in set(actions)
    # The visit stays on the phone, shown as skipped.
    phone.pull()
    data = phone.local[("visit", str(visit.id))]["data"]
    assert data["status"] == "skipped" and data["skip_reason"] == "absent"


def test_skip_is_refused_for_done_cancelled_or_other_skips(
    world: World, phone_for, session: Session
) -> None:
    done, cancelled, skipped = world.visits[0], world.visits[1], world.visits[2]
    done.status, cancelled.status = VisitStatus.done, VisitStatus.cancelled
    skipped.status, skipped.skip_reason = VisitStatus.skipped, "unsafe"
    session.add_all([done, cancelled, skipped])
    session.flush()
    phone: Phone = phone_for(world.alice)
    for visit in (done, cancelled, skipped):
        _skip(phone, visit)
    results = _push(phone)
    assert [(r["status"], r["codes"]) for r in results] == [
        ("rejected", ["visit_done"]),
        ("rejected", ["visit_cancelled"]),
        ("rejected", ["already_skipped"]),
    ]
    assert "only a planned or checked-in visit" in results[0]["reason"]


def test_skip_by_an_officer_not_on_the_team_is_refused(world: World, phone_for) -> None:
    phone: Phone = phone_for(world.bob)
    _skip(phone, world.visits[0])  # Alice's visit
    [result] = _push(phone)
    assert result["status"] == "rejected" and result["codes"] == ["not_on_team"]


def test_skip_of_another_branchs_visit_is_unknown(
    world: World, phone_for, session: Session
) -> None:
    other = make_branch(session, code="OTHER")
    stranger = make_user(session, other)
    phone: Phone = phone_for(stranger)
    _skip(phone, world.visits[0])
    [result] = _push(phone)
    assert result["status"] == "rejected" and result["codes"] == ["unknown_visit"]


def test_skip_bad_arguments_are_refused(world: World, phone_for) -> None:
    phone: Phone = phone_for(world.alice)
    _skip(phone, world.visits[0], reason="asleep")
    _skip(phone, world.visits[0], note="x" * 501)
    phone.queue("visit.skip", visit_id=world.visits[0].id, reason="absent", at="2001-01-01T00:00Z")
    results = _push(phone)
    assert [r["codes"] for r in results] == [["invalid_args"]] * 3
    assert "reason" in results[0]["reason"] and "note" in results[1]["reason"]


def _log(phone: Phone, borrower_id: uuid.UUID, **args: Any) -> uuid.UUID:
    contact_id = uuid.uuid4()
    values = {"channel": "call", "answered_by": "borrower", "result": "promised", "at": AT}
    phone.queue("contact.log", id=contact_id, borrower_id=borrower_id, **{**values, **args})
    return contact_id


def test_a_call_and_a_message_are_logged_once(world: World, phone_for, session: Session) -> None:
    phone: Phone = phone_for(world.alice)
    borrower = world.borrowers[0]
    call = _log(phone, borrower.id, visit_id=world.visits[0].id, note="答应月底前还")
    sms = _log(phone, borrower.id, channel="sms", answered_by="", result="sent")
    phone.queue(
        "contact.log",
        id=call,
        borrower_id=borrower.id,
        channel="call",
        answered_by="borrower",
        result="promised",
        at=AT,
    )
    assert [r["status"] for r in _push(phone)] == ["applied", "applied", "duplicate"]
    rows = {r.id: r for r in session.exec(select(ContactLog))}
    assert set(rows) == {call, sms}
    assert rows[call].officer_id == world.alice.id and rows[call].branch_id == world.branch.id
    assert rows[call].note == "答应月底前还" and rows[sms].result == "sent"
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_id == str(call)))
    assert list(actions) == ["contact.log"]


def test_a_contact_id_reused_with_other_content_is_refused(world: World, phone_for) -> None:
    phone: Phone = phone_for(world.alice)
    contact_id = _log(phone, world.borrowers[0].id)
    phone.queue(
        "contact.log",
        id=contact_id,
        borrower_id=world.borrowers[0].id,
        channel="call",
        result="refused",
        at=AT,
    )
    assert [r["codes"] for r in _push(phone)] == [[], ["id_taken"]]


def test_contact_log_scope_attacks_are_refused(world: World, phone_for, session: Session) -> None:
    phone: Phone = phone_for(world.alice)
    other = make_branch(session, code="OTHER")
    foreign = make_borrower(session, other)
    _log(phone, foreign.id)  # another branch's borrower
    _log(phone, world.borrowers[3].id)  # Bob's borrower only
    _log(phone, world.borrowers[0].id, visit_id=world.visits[1].id)  # another borrower's visit
    _log(phone, world.borrowers[3].id, visit_id=world.visits[3].id)  # a visit of Bob's team
    assert [r["codes"] for r in _push(phone)] == [
        ["unknown_borrower"],
        ["not_on_team"],
        ["visit_mismatch"],
        ["not_on_team"],
    ]
    assert session.exec(select(ContactLog)).all() == []


def test_contact_log_bad_arguments_are_refused(world: World, phone_for) -> None:
    phone: Phone = phone_for(world.alice)
    borrower = world.borrowers[0].id
    _log(phone, borrower, channel="fax")
    _log(phone, borrower, result="threatened")
    _log(phone, borrower, answered_by="neighbour")
    _log(phone, borrower, note="x" * 501)
    _log(phone, borrower, channel="sms", result="promised")  # a message is only sent
    _log(phone, borrower, channel="call", result="sent")
    results = _push(phone)
    assert [r["status"] for r in results] == ["rejected"] * 6
    assert all(r["codes"] == ["invalid_args"] for r in results)
    assert "sent" in results[4]["reason"]


def test_calls_at_night_or_too_often_are_flagged(world: World, phone_for) -> None:
    phone: Phone = phone_for(world.alice)
    borrower = world.borrowers[0].id
    _log(phone, borrower, at=NIGHT, result="no_answer", answered_by="")
    for _ in range(4):  # the 4th call that day is one too many
        _log(phone, borrower, result="no_answer", answered_by="")
    _log(phone, borrower, channel="sms", answered_by="", result="sent")  # messages do not count
    results = _push(phone)
    assert results[0]["codes"] == ["outside_lawful_hours"]
    statuses = [r["status"] for r in results[1:]]
    assert statuses == ["applied", "applied", "applied", "flagged", "applied"]
    assert results[4]["codes"] == ["call_frequency"]
