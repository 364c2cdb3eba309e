"""Locations learned from verified check-ins, and `borrower.propose` from the phone."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, select

from models import AuditEvent, BorrowerProposal
from tests.geo.conftest import World
from tests.phone import Phone

AT = "2026-11-23T02:10:00Z"


def _proposals(session: Session, borrower_id: uuid.UUID) -> list[BorrowerProposal]:
    session.expire_all()
    return list(
        session.exec(select(BorrowerProposal).where(BorrowerProposal.borrower_id == borrower_id))
    )


def _check_in(phone: Phone, world: World, i: int, **location: Any) -> None:
    phone.queue("visit.check_in", visit_id=world.visits[i].id, at=AT, location=location)
    assert phone.push().status_code == 200


def test_unlocated_borrower_takes_a_verified_check_in_at_once(
    world: World, phone_for, session: Session
) -> None:
    borrower = world.borrowers[0]
    borrower.lat = borrower.lon = None
    session.flush()
    version = borrower.version
    phone = phone_for(world.alice)
    _check_in(phone, world, 0, lat=37.4, lon=116.6, accuracy_m=150)  # not precise enough
    session.refresh(borrower)
    assert borrower.lat is None
    _check_in(phone, world, 0, lat=37.4, lon=116.6, accuracy_m=20)
    session.refresh(borrower)
    assert (borrower.lat, borrower.lon) == (37.4, 116.6)
    assert (borrower.location_source, borrower.location_precision) == ("check_in", "exact")
    assert borrower.version > version and borrower.located_at is not None
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "borrower.locate")).first()
    phone.pull()
    pulled = phone.local[("borrower", str(borrower.id))]["data"]
    assert (pulled["location_source"], pulled["location_precision"], pulled["location_note"]) == (
        "check_in",
        "exact",
        "",
    )
    assert pulled["located_at"].endswith("Z")


def test_a_far_check_in_opens_one_moved_proposal(world: World, phone_for, session: Session) -> None:
    borrower = world.borrowers[0]
    lat, lon = borrower.lat, borrower.lon
    assert lat is not None and lon is not None
    phone = phone_for(world.alice)
    _check_in(phone, world, 0, lat=lat + 0.001, lon=lon, accuracy_m=10)  # ~110 m: same house
    assert _proposals(session, borrower.id) == []
    _check_in(phone, world, 0, lat=lat + 0.01, lon=lon, accuracy_m=10)  # ~1.1 km
    _check_in(phone, world, 0, lat=lat + 0.01, lon=lon, accuracy_m=10)  # again: no second one
    proposals = _proposals(session, borrower.id)
    assert len(proposals) == 1
    p = proposals[0]
    assert (p.kind, p.source, p.status, p.visit_id) == (
        "location",
        "check_in",
        "open",
        world.visits[0].id,
    )
    assert 1000 < p.data["distance_m"] < 1200
    session.refresh(borrower)
    assert (borrower.lat, borrower.lon) == (lat, lon)  # the manager decides


def test_check_in_by_someone_not_on_the_team_teaches_nothing(
    world: World, phone_for, session: Session
) -> None:
    borrower = world.borrowers[3]  # Bob's visit
    borrower.lat = borrower.lon = None
    session.flush()
    phone = phone_for(world.alice)
    _check_in(phone, world, 3, lat=37.4, lon=116.6, accuracy_m=5)
    session.refresh(borrower)
    assert borrower.lat is None


def _propose(phone: Phone, **args: Any) -> str:
    mutation = phone.queue("borrower.propose", **{"id": uuid.uuid4(), "at": AT, **args})
    response = phone.push()
    assert response.status_code == 200
    result = next(r for r in response.json()["results"] if r["id"] == mutation)
    return f"{result['status']}:{result['reason']}"


def test_officer_proposals(world: World, phone_for, session: Session) -> None:
    phone = phone_for(world.alice)
    b0, b1 = world.borrowers[0], world.borrowers[1]
    b1.lat = b1.lon = None
    session.flush()
    assert _propose(
        phone, borrower_id=b0.id, kind="safety_flags", safety_flags=["aggressive_dog"]
    ).startswith("applied")
    times = [{"weekdays": [5, 6], "start": "09:00", "end": "12:00"}]
    assert _propose(
        phone,
        borrower_id=b0.id,
        visit_id=world.visits[0].id,
        kind="preferred_times",
        preferred_times=times,
    ).startswith("applied")
    assert _propose(
        phone, borrower_id=b0.id, kind="location", lat=37.5, lon=116.7, accuracy_m=10
    ).startswith("applied")
    kinds = {p.kind: p for p in _proposals(session, b0.id)}
    assert {p.status for p in kinds.values()} == {"open"}
    assert kinds["preferred_times"].data == {"preferred_times": times}
    assert kinds["location"].data["distance_m"] > 10_000
    # An unlocated borrower takes an officer's precise pin at once.
    assert _propose(
        phone, borrower_id=b1.id, kind="location", lat=37.5, lon=116.7, accuracy_m=30
    ).startswith("applied")
    session.refresh(b1)
    assert (b1.lat, b1.location_source) == (37.5, "check_in")
    assert [p.status for p in _proposals(session, b1.id)] == ["accepted"]


def test_proposal_replay_applies_once(world: World, phone_for, session: Session) -> None:
    phone = phone_for(world.alice)
    args = {
        "id": uuid.uuid4(),
        "at": AT,
        "borrower_id": world.borrowers[0].id,
        "kind": "safety_flags",
        "safety_flags": ["remote_road"],
    }
    phone.queue("borrower.propose", **args)
    phone.push()
    phone.queue("borrower.propose", **args)  # the phone lost the answer and sends it again
    response = phone.push()
    assert response.json()["results"][-1]["status"] == "duplicate"
    assert len(_proposals(session, world.borrowers[0].id)) == 1
    args["safety_flags"] = ["prior_threat"]
    args["kind"] = "location"
    phone.queue("borrower.propose", **{**args, "lat": 37.0, "lon": 116.0})
    assert phone.push().json()["results"][-1]["status"] == "rejected"


def test_bad_or_out_of_scope_proposals_are_rejected(
    world: World, phone_for, session: Session
) -> None:
    phone = phone_for(world.alice)
    b0, bob_only = world.borrowers[0], world.borrowers[3]
    cases = [
        ({"borrower_id": b0.id, "kind": "location"}, "needs lat and lon"),
        ({"borrower_id": b0.id, "kind": "location", "lat": 91, "lon": 0}, "lat"),
        ({"borrower_id": b0.id, "kind": "safety_flags", "safety_flags": ["ghost"]}, "safety_flags"),
        (
            {
                "borrower_id": b0.id,
                "kind": "preferred_times",
                "preferred_times": [{"start": "20:00", "end": "18:00"}],
            },
            "ends before it starts",
        ),
        (
            {
                "borrower_id": b0.id,
                "kind": "preferred_times",
                "preferred_times": [{"start": "9", "end": "18:00"}] * 8,
            },
            "preferred_times",
        ),
        (
            {"borrower_id": bob_only.id, "kind": "safety_flags", "safety_flags": []},
            "no visit of yours",
        ),
        (
            {
                "borrower_id": b0.id,
                "visit_id": world.visits[1].id,
                "kind": "safety_flags",
                "safety_flags": [],
            },
            "not a visit of this borrower",
        ),
        (
            {"borrower_id": uuid.uuid4(), "kind": "safety_flags", "safety_flags": []},
            "Unknown borrower",
        ),
    ]
    for args, reason in cases:
        answer = _propose(phone, **args)
        assert answer.startswith("rejected") and reason in answer, (args, answer)
    assert _proposals(session, b0.id) == []
