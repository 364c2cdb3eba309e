"""Issue 13, item 6: one bad entry never blocks a sync. Whatever goes wrong with one entry
(validation, a domain error, the database refusing a value, an unexpected exception), it is
answered `rejected` with a code, kept in the rejected store, counted as processed, and the
entries behind it (an SOS above all) still arrive."""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

import pytest
from sqlmodel import Session, select

from api.sync import handlers
from models import MutationLog, Note, Promise, SafetyAlert, VisitEvent
from tests.phone import Phone, agreement_args
from tests.sync.conftest import World

AT = "2026-11-23T02:10:00Z"  # 10:10 in Asia/Shanghai


def _sos(phone: Phone) -> str:
    alert_id = str(uuid.uuid4())
    phone.queue("safety.sos", alert_id=alert_id, at=AT, message="help")
    return alert_id


def _push_then_sos(
    phone: Phone, session: Session, name: str, args: dict[str, Any]
) -> dict[str, Any]:
    """Push the bad entry and an SOS behind it: 200, the bad one rejected with a code and
    stored, the SOS applied, the device's last id past both."""
    phone.queue(name, **args)
    alert_id = _sos(phone)
    response = phone.push()
    assert response.status_code == 200, response.text
    body = response.json()
    bad, sos = body["results"]
    assert bad["status"] == "rejected", bad
    assert bad["codes"] and bad["reason"]
    assert sos["status"] == "applied", sos
    assert body["last_mutation_id"] == 2
    assert session.get(SafetyAlert, uuid.UUID(alert_id)) is not None
    stored = session.exec(select(MutationLog).where(MutationLog.mutation_id == 1)).one()
    assert stored.status == "rejected" and stored.args
    assert phone.outbox == []
    return dict(bad)


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:00:00+08:00",  # overflows when made UTC
        "9999-12-31T23:59:59-05:00",  # likewise, the other way
        "0001-01-01T00:00:00Z",
        "9999-12-31T00:00:00Z",
    ],
)
def test_a_check_in_in_year_1_or_9999_is_rejected_and_the_sos_behind_it_arrives(
    world: World, phone_for, session: Session, at: str
) -> None:
    phone: Phone = phone_for(world.alice)
    bad = _push_then_sos(
        phone, session, "visit.check_in", {"visit_id": world.visits[0].id, "at": at}
    )
    assert "at" in bad["reason"]
    assert session.exec(select(VisitEvent)).all() == []


def test_a_promise_of_ten_to_the_twenty_fen_is_rejected(
    world: World, phone_for, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    args = {
        "promise_id": uuid.uuid4(),
        "visit_id": world.visits[0].id,
        "loan_id": world.loans[0].id,
        "amount_fen": 10**20,
        "due_date": "2026-11-30",
        "at": AT,
    }
    bad = _push_then_sos(phone, session, "promise.create", args)
    assert "amount_fen" in bad["reason"]
    assert session.exec(select(Promise)).all() == []


def test_a_nul_byte_in_a_note_is_rejected_on_every_database(
    world: World, phone_for, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    args = {
        "note_id": uuid.uuid4(),
        "borrower_id": world.borrowers[0].id,
        "text": "before\x00after",
        "at": AT,
    }
    bad = _push_then_sos(phone, session, "note.add", args)
    assert bad["codes"] == ["invalid_args"]
    assert "NUL" in bad["reason"]
    assert session.exec(select(Note)).all() == []
    # The stored copy is one the database accepts: the NUL is shown, not kept.
    stored = session.exec(select(MutationLog).where(MutationLog.mutation_id == 1)).one()
    assert "\x00" not in stored.args["text"]


def test_a_nul_byte_in_the_mutation_name_is_rejected_and_stored(
    world: World, phone_for, session: Session
) -> None:
    phone: Phone = phone_for(world.alice)
    bad = _push_then_sos(phone, session, "note.\x00add", {"x": 1})
    assert bad["codes"] == ["unknown_mutation"]


def test_non_finite_numbers_in_args_are_rejected_and_stored(
    world: World, phone_for, session: Session, client
) -> None:
    """JSON bodies may carry NaN and Infinity (Python's parser accepts them): the entry is
    rejected and its stored copy is one every database and the review list accept."""
    phone: Phone = phone_for(world.alice)
    check_in: dict[str, Any] = {"visit_id": str(world.visits[0].id), "at": AT}
    check_in["location"] = {"lat": math.nan, "lon": math.inf, "accuracy_m": -math.inf}
    sos: dict[str, Any] = {"alert_id": str(uuid.uuid4()), "at": AT}
    sos["location"] = {"lat": 1, "lon": 2, "accuracy_m": math.inf}
    mutations = [
        {"id": 1, "name": "visit.check_in", "args": check_in},
        {"id": 2, "name": "safety.sos", "args": sos},
    ]
    # json.dumps writes NaN and Infinity as the bare tokens Python's parser accepts.
    body = json.dumps({"protocol": 1, "device_id": phone.device_id, "mutations": mutations})
    response = client.post(
        "/api/v1/sync/push",
        content=body,
        headers={**phone.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["rejected", "flagged"]
    review = client.get("/api/v1/review", headers=_manager(client, world))
    assert review.status_code == 200, review.text


def _manager(client, world: World) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": world.manager.username, "password": "secret-pass"}
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_an_unexpected_exception_in_one_handler_rejects_that_entry_alone(
    world: World, phone_for, session: Session, monkeypatch
) -> None:
    model, _apply = handlers.HANDLERS["note.add"]

    def broken(ctx, args):
        raise RuntimeError("a bug in a handler")

    monkeypatch.setitem(handlers.HANDLERS, "note.add", (model, broken))
    phone: Phone = phone_for(world.alice)
    phone.queue("visit.check_in", visit_id=world.visits[0].id, at=AT)
    bad = phone.queue(
        "note.add", note_id=uuid.uuid4(), borrower_id=world.borrowers[0].id, text="x", at=AT
    )
    _sos(phone)
    response = phone.push()
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results][1] == "rejected"
    assert results[1]["codes"] == ["internal_error"]
    assert results[2]["status"] == "applied"
    assert response.json()["last_mutation_id"] == 3
    assert len(session.exec(select(VisitEvent)).all()) == 1
    stored = session.exec(select(MutationLog).where(MutationLog.mutation_id == bad)).one()
    assert stored.status == "rejected"


def test_a_database_error_in_one_entry_rejects_that_entry_alone(
    world: World, phone_for, session: Session, monkeypatch
) -> None:
    """The database refuses a value no bound caught (simulated: a note whose row cannot be
    written): that entry is rejected, the ones before and after it are applied."""
    from api.visits import writes

    original = writes.add_note

    def unwritable(ctx, args):
        outcome = original(ctx, args)
        if args.text == "boom":
            ctx.known.pending[Note][-1]["borrower_id"] = uuid.uuid4()  # no such borrower: FK
        return outcome

    model, _apply = handlers.HANDLERS["note.add"]
    monkeypatch.setitem(handlers.HANDLERS, "note.add", (model, unwritable))
    phone: Phone = phone_for(world.alice)
    b = world.borrowers[0].id
    phone.queue("note.add", note_id=uuid.uuid4(), borrower_id=b, text="fine", at=AT)
    phone.queue("note.add", note_id=uuid.uuid4(), borrower_id=b, text="boom", at=AT)
    _sos(phone)
    response = phone.push()
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["codes"] == ["database_error"]
    assert [n.text for n in session.exec(select(Note)).all()] == ["fine"]


def test_an_oversized_entry_is_rejected_and_a_truncated_copy_kept(
    world: World, phone_for, session: Session, client
) -> None:
    """Issue 13, item 14: rejected payloads have a size limit (the review list grew to 13 MB):
    an entry over it is refused with `payload_too_large`, a shortened copy is kept, and the
    review list shows each entry's size."""
    phone: Phone = phone_for(world.alice)
    huge = {"note_id": uuid.uuid4(), "borrower_id": world.borrowers[0].id, "at": AT}
    bad = _push_then_sos(
        phone, session, "note.add", {**huge, "text": "x", "padding": "y" * 200_000}
    )
    assert bad["codes"] == ["payload_too_large"]
    assert "65,536" in bad["reason"]
    stored = session.exec(select(MutationLog).where(MutationLog.mutation_id == 1)).one()
    assert len(json.dumps(stored.args)) < 20_000
    assert stored.args["note_id"] == str(huge["note_id"])  # its shape is kept
    review = client.get("/api/v1/review", headers=_manager(client, world)).json()
    [entry] = [m for m in review["mutations"] if m["mutation_id"] == 1]
    assert entry["args_bytes"] < 20_000 and entry["args_shortened"] is False


def test_a_change_request_proposal_is_bounded(world: World, phone_for, session: Session) -> None:
    phone: Phone = phone_for(world.alice)
    args = {
        "request_id": uuid.uuid4(),
        "visit_id": world.visits[0].id,
        "kind": "restructure",
        "proposed": {"plan": ["month"] * 5000},
    }
    bad = _push_then_sos(phone, session, "visit.request_change", args)
    assert bad["codes"] == ["payload_too_large"]
    assert "proposal" in bad["reason"] and "8192" in bad["reason"]


def test_the_review_list_shortens_large_stored_entries(
    world: World, phone_for, session: Session, client
) -> None:
    """A rejected agreement keeps its full payload (signatures included), but the review list
    shows its texts cut, with its size: 500 of them stay a readable page."""
    phone: Phone = phone_for(world.alice)
    args = agreement_args(visit_id=world.visits[0].id, loan_id=world.loans[0].id)
    args["borrower_signature"] = "data:image/png;base64," + "A" * 100_000  # not a PNG
    _push_then_sos(phone, session, "agreement.sign", args)
    stored = session.exec(select(MutationLog).where(MutationLog.mutation_id == 1)).one()
    assert stored.args["borrower_signature"] == args["borrower_signature"]  # kept in full
    review = client.get("/api/v1/review", headers=_manager(client, world)).json()
    [entry] = [m for m in review["mutations"] if m["mutation_id"] == 1]
    assert entry["args_shortened"] is True and entry["args_bytes"] > 100_000
    assert len(json.dumps(entry["args"])) < 20_000
