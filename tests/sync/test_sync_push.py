from __future__ import annotations

import gzip
import json
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.audit import record_audit
from api.writes.known import Known
from models import (
    Agreement,
    AgreementLine,
    AuditEvent,
    ChangeRequest,
    MutationLog,
    Note,
    Promise,
    SafetyAlert,
    Visit,
    VisitEvent,
    VisitOutcome,
)
from models.enums import VisitStatus
from tests.conftest import FIXED_NOW, Clock
from tests.phone import Phone, agreement_args
from tests.sync.conftest import World

AT = "2026-11-23T02:10:00Z"  # 10:10 in Asia/Shanghai
LOC = {"lat": 37.341, "lon": 116.581, "accuracy_m": 15}


def _results(response) -> list[tuple[int, str]]:
    assert response.status_code == 200, response.text
    return [(r["id"], r["status"]) for r in response.json()["results"]]


def _near(world: World, i: int) -> dict[str, float]:
    b = world.borrowers[i]
    return {"lat": b.lat, "lon": b.lon, "accuracy_m": 10}  # type: ignore[dict-item]


def test_a_whole_visit_is_applied_once(
    world: World,
    phone_for,
    session: Session,
    auth_headers,
) -> None:
    phone: Phone = phone_for(world.alice)
    visit, loan = world.visits[2], world.loans[2]
    outcome_id, promise_id, note_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    phone.queue(
        "visit.check_in",
        visit_id=visit.id,
        at=AT,
        location=_near(world, 2),
        co_visitor_ids=[world.bob.id],
    )
    phone.queue(
        "visit.record_outcome",
        outcome_id=outcome_id,
        visit_id=visit.id,
        contact="borrower",
        hardship_reasons=["illness", "market_change"],
        hardship_detail="玉米价格下跌, 家人住院",
        next_action="下周回访",
        at=AT,
    )
    phone.queue(
        "promise.create",
        promise_id=promise_id,
        visit_id=visit.id,
        loan_id=loan.id,
        amount_fen=500_000,
        due_date="2026-11-30",
        at=AT,
    )
    phone.queue(
        "note.add",
        note_id=note_id,
        borrower_id=visit.borrower_id,
        visit_id=visit.id,
        text="态度配合",
        at=AT,
    )
    phone.queue(
        "visit.check_out", visit_id=visit.id, at="2026-11-23T02:50:00Z", location=_near(world, 2)
    )
    assert _results(phone.push()) == [(i, "applied") for i in range(1, 6)]
    assert phone.outbox == []

    session.expire_all()
    stored = session.get(Visit, visit.id)
    assert stored is not None and stored.status == VisitStatus.done
    assert stored.checked_in_at is not None and stored.checked_out_at is not None
    outcome = session.get(VisitOutcome, outcome_id)
    assert outcome is not None and outcome.hardship_reasons == ["illness", "market_change"]
    promise = session.get(Promise, promise_id)
    assert promise is not None and promise.amount_fen == 500_000 and promise.status == "open"
    assert session.get(Note, note_id) is not None
    events = session.exec(select(VisitEvent).where(VisitEvent.visit_id == visit.id)).all()
    assert sorted(e.kind for e in events) == ["check_in", "check_out"]
    audit = session.exec(
        select(AuditEvent.action).where(AuditEvent.device_id == uuid.UUID(phone.device_id))
    ).all()
    assert {
        "visit.check_in",
        "visit.record_outcome",
        "promise.create",
        "note.add",
        "visit.check_out",
    } <= set(audit)

    # The phone sees its own facts on the next pull.
    phone.pull()
    data = phone.local[("visit", str(visit.id))]["data"]
    assert data["status"] == "done" and data["last_outcome"]["contact"] == "borrower"
    assert ("promise", str(promise_id)) in phone.local


def test_lost_response_resend_is_duplicate_not_applied_twice(
    world: World,
    phone_for,
    session: Session,
) -> None:
    phone: Phone = phone_for(world.alice)
    note_id = uuid.uuid4()
    phone.queue(
        "note.add", note_id=note_id, borrower_id=world.borrowers[0].id, text="第一次", at=AT
    )
    phone.queue(
        "promise.create",
        promise_id=uuid.uuid4(),
        visit_id=world.visits[0].id,
        loan_id=world.loans[0].id,
        amount_fen=0,
        due_date="2026-11-30",
    )
    lost = phone.push(lose_response=True)
    assert lost.status_code == 200  # committed, but the phone never read it
    again = phone.push()
    body = again.json()
    assert [(r["id"], r["status"], r["original_status"]) for r in body["results"]] == [
        (1, "duplicate", "applied"),
        (2, "duplicate", "rejected"),
    ]
    assert body["last_mutation_id"] == 2 and phone.outbox == []
    notes = session.exec(select(Note).where(Note.id == note_id)).all()
    assert len(notes) == 1


def test_gap_is_409_with_expected_id(world: World, phone_for) -> None:
    phone: Phone = phone_for(world.alice)
    phone.next_id = 3
    phone.queue(
        "note.add", note_id=uuid.uuid4(), borrower_id=world.borrowers[0].id, text="x", at=AT
    )
    response = phone.push()
    assert response.status_code == 409
    assert response.json()["error"] == "MutationGap" and response.json()["expected"] == 1


def test_rejections_are_stored_and_do_not_block_the_queue(
    world: World,
    phone_for,
    session: Session,
    client: TestClient,
    auth_headers,
) -> None:
    phone: Phone = phone_for(world.alice)
    v, loan = world.visits[0], world.loans[0]
    phone.queue("visit.check_in", visit_id=uuid.uuid4(), at=AT)  # unknown visit
    phone.queue(
        "promise.create",
        promise_id=uuid.uuid4(),
        visit_id=v.id,
        loan_id=loan.id,
        amount_fen=-5,
        due_date="2026-11-30",
    )
    phone.queue(
        "promise.create",
        promise_id=uuid.uuid4(),
        visit_id=v.id,
        loan_id=loan.id,
        amount_fen=100,
        due_date="2026-11-01",
        at=AT,
    )
    phone.queue(
        "promise.create",
        promise_id=uuid.uuid4(),
        visit_id=v.id,
        loan_id=world.loans[3].id,
        amount_fen=100,
        due_date="2026-11-30",
    )
    phone.queue("visit.teleport", visit_id=v.id)
    phone.queue(
        "visit.record_outcome", outcome_id=uuid.uuid4(), visit_id=v.id, contact="aliens", at=AT
    )
    phone.queue(
        "note.add", note_id=uuid.uuid4(), borrower_id=world.borrowers[0].id, text="仍然记录", at=AT
    )
    results = phone.push().json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 6 + ["applied"]
    reasons = [r["reason"] for r in results]
    assert [r["codes"] for r in results] == [
        ["unknown_visit"],
        ["amount_not_positive"],
        ["promise_date_past"],
        ["loan_mismatch"],
        ["unknown_mutation"],
        ["invalid_args"],
        [],
    ]
    assert "Unknown visit" in reasons[0]
    assert "more than zero" in reasons[1]
    assert "before the day" in reasons[2]
    assert "not a loan of this visit's borrower" in reasons[3]
    assert "Unknown mutation 'visit.teleport'" in reasons[4]
    assert "contact" in reasons[5]
    stored = session.exec(select(MutationLog).where(MutationLog.status == "rejected")).all()
    assert len(stored) == 6 and stored[0].args  # the full payload is kept
    review = client.get("/api/v1/review", headers=auth_headers(world.manager.username)).json()
    assert len([m for m in review["mutations"] if m["status"] == "rejected"]) == 6


def test_facts_win_but_are_flagged(
    world: World,
    phone_for,
    session: Session,
    client: TestClient,
    auth_headers,
    clock: Clock,
) -> None:
    phone: Phone = phone_for(world.alice)
    v = world.visits[0]
    # 22:30 local, alone, 5 km away; then the manager cancels the visit before the phone syncs.
    v.status = VisitStatus.cancelled
    session.add(v)
    session.flush()
    phone.queue(
        "visit.check_in",
        visit_id=v.id,
        at="2026-11-23T14:30:00Z",
        location={"lat": 37.39, "lon": 116.58, "accuracy_m": 20},
    )
    phone.queue(
        "visit.record_outcome", outcome_id=uuid.uuid4(), visit_id=v.id, contact="nobody", at=AT
    )
    phone.queue(
        "visit.record_outcome",
        outcome_id=uuid.uuid4(),
        visit_id=v.id,
        contact="family",
        hardship_reasons=["no_such_code"],
        at=AT,
    )
    phone.queue("visit.check_out", visit_id=world.visits[1].id, at=AT)
    results = phone.push().json()["results"]
    assert [r["status"] for r in results] == ["flagged"] * 4
    assert {"outside_lawful_hours", "far_from_address", "below_min_staff", "visit_cancelled"} <= {
        part.split(":")[0] for part in results[0]["reason"].split("; ")
    }
    assert (
        "second_outcome" in results[2]["reason"]
        and "unknown_hardship_reason" in results[2]["reason"]
    )
    assert "no_check_in" in results[3]["reason"]
    event = session.exec(select(VisitEvent).where(VisitEvent.visit_id == v.id)).one()
    assert "outside_lawful_hours" in event.flags  # kept, never dropped
    review = client.get("/api/v1/review", headers=auth_headers(world.manager.username)).json()
    assert [m["status"] for m in review["mutations"]].count("flagged") == 4


def test_reassigned_visit_fact_is_flagged_not_lost(
    world: World,
    phone_for,
    session: Session,
) -> None:
    from models import VisitOfficer

    phone: Phone = phone_for(world.alice)
    v = world.visits[0]
    link = session.get(VisitOfficer, (v.id, world.alice.id))
    session.delete(link)
    session.add(VisitOfficer(visit_id=v.id, user_id=world.bob.id, is_lead=True))
    # As a manager's reassignment records it: Alice was on the team (else: not_on_team).
    record_audit(
        session,
        at=FIXED_NOW,
        action="visit.assign",
        entity="visit",
        entity_id=v.id,
        data={"from": [str(world.alice.id)], "to": [str(world.bob.id)]},
    )
    session.flush()
    phone.queue(
        "visit.check_in",
        visit_id=v.id,
        at=AT,
        location=_near(world, 0),
        co_visitor_ids=[world.bob.id],
    )
    result = phone.push().json()["results"][0]
    assert result["status"] == "flagged" and result["reason"].startswith("not_assigned")


def test_clock_skew_is_flagged(world: World, phone_for, clock: Clock) -> None:
    phone: Phone = phone_for(world.alice)
    phone.now = lambda: clock.now - timedelta(minutes=20)
    phone.queue(
        "note.add", note_id=uuid.uuid4(), borrower_id=world.borrowers[0].id, text="x", at=AT
    )
    result = phone.push().json()["results"][0]
    assert result["status"] == "flagged" and "clock_skew" in result["reason"]


def test_agreements_are_immutable_and_checked(
    world: World,
    phone_for,
    session: Session,
) -> None:
    phone: Phone = phone_for(world.alice)
    v, loan = world.visits[0], world.loans[0]
    args = phone.rendered(agreement_args(visit_id=v.id, loan_id=loan.id, principal_fen=300_000))
    phone.queue("agreement.sign", **args)
    phone.queue("agreement.sign", **args)  # the same agreement again (re-queued)
    tampered = json.loads(json.dumps(args))
    tampered["terms"]["schedule"][1]["amount_fen"] -= 100
    tampered["terms"]["down_payment_fen"] += 100
    phone.queue("agreement.sign", **tampered)  # same id, other terms
    bad_hash = agreement_args(visit_id=v.id, loan_id=loan.id)
    bad_hash["text"] = "被修改的协议"
    phone.queue("agreement.sign", **bad_hash)
    bad_sum = agreement_args(visit_id=v.id, loan_id=loan.id)
    bad_sum["terms"]["principal_fen"] += 1
    phone.queue("agreement.sign", **bad_sum)
    second = phone.rendered(agreement_args(visit_id=v.id, loan_id=loan.id))
    phone.queue("agreement.sign", **second)
    results = phone.push().json()["results"]
    assert [r["status"] for r in results] == [
        "applied",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
        "flagged",
    ]
    assert "tampering" in results[2]["reason"]
    assert "text_sha256" in results[3]["reason"]
    assert "must be equal" in results[4]["reason"]
    assert "second_agreement" in results[5]["reason"]
    stored = session.get(Agreement, uuid.UUID(args["agreement_id"]))
    assert (
        stored is not None and stored.principal_fen == 300_000 and len(stored.content_sha256) == 64
    )
    lines = session.exec(
        select(AgreementLine)
        .where(AgreementLine.agreement_id == stored.id)
        .order_by(col(AgreementLine.seq))
    ).all()
    assert [line.amount_fen for line in lines] == [100_000, 100_000]


def test_change_request_and_sos(
    world: World,
    phone_for,
    session: Session,
    client: TestClient,
    auth_headers,
) -> None:
    phone: Phone = phone_for(world.alice)
    request_id, alert_id = uuid.uuid4(), uuid.uuid4()
    phone.queue(
        "visit.request_change",
        request_id=request_id,
        visit_id=world.visits[0].id,
        kind="extension",
        reason="秋收后还款",
        proposed={"months": 3},
    )
    phone.queue(
        "safety.sos",
        alert_id=alert_id,
        at=AT,
        location=LOC,
        message="被围堵",
        visit_id=uuid.uuid4(),
    )
    assert [s for _, s in _results(phone.push())] == ["applied", "applied"]
    alert = session.get(SafetyAlert, alert_id)
    assert alert is not None and alert.visit_id is None and alert.message == "被围堵"
    assert session.get(ChangeRequest, request_id) is not None
    review = client.get("/api/v1/review", headers=auth_headers(world.manager.username)).json()
    assert [r["kind"] for r in review["change_requests"]] == ["extension"]


def test_limits_413(world: World, phone_for, client: TestClient) -> None:
    phone: Phone = phone_for(world.alice)
    for _ in range(501):
        phone.queue(
            "note.add", note_id=uuid.uuid4(), borrower_id=world.borrowers[0].id, text="x", at=AT
        )
    too_many = phone.push(limit=501)
    assert too_many.status_code == 413 and "at most 500" in too_many.json()["detail"]
    big = {
        "protocol": 1,
        "device_id": phone.device_id,
        "mutations": [{"id": 1, "name": "note.add", "args": {"text": "x" * (6 * 1024 * 1024)}}],
    }
    response = client.post("/api/v1/sync/push", json=big, headers=phone.headers)
    assert response.status_code == 413 and "5 MB" in response.json()["detail"]
    bomb = gzip.compress(json.dumps(big).encode())
    assert len(bomb) < 100_000
    response = client.post(
        "/api/v1/sync/push",
        content=bomb,
        headers={**phone.headers, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_gzip_request_body_is_accepted(world: World, phone_for, client: TestClient) -> None:
    phone: Phone = phone_for(world.alice)
    body = {
        "protocol": 1,
        "device_id": phone.device_id,
        "mutations": [
            {
                "id": 1,
                "name": "note.add",
                "args": {
                    "note_id": str(uuid.uuid4()),
                    "borrower_id": str(world.borrowers[0].id),
                    "text": "压缩",
                    "at": AT,
                },
            }
        ],
    }
    response = client.post(
        "/api/v1/sync/push",
        content=gzip.compress(json.dumps(body).encode()),
        headers={**phone.headers, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert _results(response) == [(1, "applied")]
    corrupt = client.post(
        "/api/v1/sync/push",
        content=b"not gzip at all",
        headers={**phone.headers, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert corrupt.status_code == 400


def _miss_racing_notes_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The push's first look-up of existing notes misses a row another writer just added,
    so the fast path's INSERT collides and the batch falls back to one savepoint per entry.
    Returns the list that grows by one per look-up."""
    original = Known.load
    calls: list[int] = []

    def blind_first_load(*args, **kwargs):
        known = original(*args, **kwargs)
        if not calls:
            known.created[Note] = {}
        calls.append(1)
        return known

    monkeypatch.setattr(Known, "load", blind_first_load)
    return calls


def test_a_race_on_an_id_falls_back_to_one_savepoint_per_entry(
    world: World,
    phone_for,
    session: Session,
    monkeypatch,
) -> None:
    """Another writer stores a note id between the batch's look-ups and its INSERT: the batch
    is redone entry by entry, so only the clashing entry is affected."""
    phone: Phone = phone_for(world.alice)
    raced_id = uuid.uuid4()
    session.add(
        Note(
            id=raced_id,
            borrower_id=world.borrowers[0].id,
            author_id=world.bob.id,
            text="另一台设备",
            at=FIXED_NOW,
        )
    )
    session.flush()
    calls = _miss_racing_notes_once(monkeypatch)
    ok_id = uuid.uuid4()
    phone.queue("note.add", note_id=ok_id, borrower_id=world.borrowers[0].id, text="正常", at=AT)
    phone.queue("note.add", note_id=raced_id, borrower_id=world.borrowers[0].id, text="冲突", at=AT)
    results = phone.push().json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert len(calls) == 3  # one batch look-up, then one per entry
    assert session.get(Note, ok_id) is not None
    assert (
        session.exec(select(MutationLog).where(MutationLog.mutation_id == 2)).one().status
        == "rejected"
    )


def _stored_version(session: Session, visit: Visit) -> int:
    return session.exec(select(Visit.version).where(Visit.id == visit.id)).one()


def test_one_push_moves_a_visits_version_by_one_step(
    world: World,
    phone_for,
    session: Session,
) -> None:
    """Several facts about one visit in one push: its version moves once (not once per fact,
    nor twice per fact); the next push moves it once more, and the phone pulls both."""
    phone: Phone = phone_for(world.alice)
    visit = world.visits[0]
    phone.pull()
    pulled = phone.local[("visit", str(visit.id))]["version"]
    before = _stored_version(session, visit)
    phone.queue("visit.check_in", visit_id=visit.id, at=AT, location=_near(world, 0))
    phone.queue(
        "visit.record_outcome", outcome_id=uuid.uuid4(), visit_id=visit.id, contact="family", at=AT
    )
    phone.queue("visit.check_out", visit_id=visit.id, at="2026-11-23T02:40:00Z")
    assert "rejected" not in [status for _, status in _results(phone.push())]
    assert _stored_version(session, visit) == before + 1
    phone.pull()
    after_first = phone.local[("visit", str(visit.id))]["version"]
    assert after_first != pulled

    phone.queue(
        "note.add",
        note_id=uuid.uuid4(),
        borrower_id=visit.borrower_id,
        visit_id=visit.id,
        text="下午再来",
        at=AT,
    )
    assert "rejected" not in [status for _, status in _results(phone.push())]
    assert _stored_version(session, visit) == before + 2
    phone.pull()
    assert phone.local[("visit", str(visit.id))]["version"] not in (pulled, after_first)


def test_the_savepoint_fallback_also_moves_a_visit_by_one_step(
    world: World,
    phone_for,
    session: Session,
    monkeypatch,
) -> None:
    """Redone entry by entry (each flushed in its own savepoint), a push still moves the
    visit's version by one step."""
    phone: Phone = phone_for(world.alice)
    visit = world.visits[0]
    raced_id = uuid.uuid4()
    session.add(
        Note(
            id=raced_id,
            borrower_id=visit.borrower_id,
            author_id=world.bob.id,
            text="别人",
            at=FIXED_NOW,
        )
    )
    session.flush()
    before = _stored_version(session, visit)
    calls = _miss_racing_notes_once(monkeypatch)
    phone.queue("visit.check_in", visit_id=visit.id, at=AT)
    phone.queue(
        "visit.record_outcome", outcome_id=uuid.uuid4(), visit_id=visit.id, contact="nobody", at=AT
    )
    phone.queue(
        "note.add",
        note_id=raced_id,
        borrower_id=visit.borrower_id,
        visit_id=visit.id,
        text="冲突",
        at=AT,
    )
    phone.queue("visit.check_out", visit_id=visit.id, at="2026-11-23T02:40:00Z")
    statuses = [status for _, status in _results(phone.push())]
    assert statuses[2] == "rejected" and len(calls) == 5  # the fallback ran
    assert _stored_version(session, visit) == before + 1
