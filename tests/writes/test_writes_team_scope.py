"""Issue 13, item 2: facts by an officer who was never on a visit's team are refused (kept
in the rejected store); an officer reassigned while offline is still heard, flagged, and
their agreement waits for the manager. Reading an agreement follows its visit's scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, col, select

from models import (
    Agreement,
    Borrower,
    Branch,
    ChangeRequest,
    Loan,
    MutationLog,
    Note,
    Promise,
    User,
    Visit,
    VisitEvent,
    VisitOutcome,
)
from models.enums import AgreementStatus, Role, VisitStatus
from tests.conftest import FIXED_NOW, Clock, TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit
from tests.phone import PNG_1PX, Phone, agreement_args

API = "/api/v1"
AT = "2026-11-23T02:10:00Z"  # 10:10 in Asia/Shanghai


@dataclass
class Teams:
    branch: Branch
    manager: User
    alice: User
    amy: User
    bob: User
    ben: User
    borrowers: list[Borrower]
    loans: list[Loan]
    visits: list[Visit]


@pytest.fixture
def teams(session: Session) -> Teams:
    """Team A (Alice + Amy) visits borrower 0, team B (Bob + Ben) borrower 1; borrower 2
    has a visit of team A only; borrower 3 has no visit at all."""
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    alice, amy, bob, ben = (make_user(session, branch) for _ in range(4))
    borrowers = [make_borrower(session, branch) for _ in range(4)]
    loans = [make_loan(session, b) for b in borrowers]
    team_a, team_b = [alice, amy], [bob, ben]
    visits = [
        make_visit(session, borrowers[0], team_a, loans=[loans[0]], position=1),
        make_visit(session, borrowers[1], team_b, loans=[loans[1]], position=1),
        make_visit(session, borrowers[2], team_a, loans=[loans[2]], position=2),
    ]
    return Teams(branch, manager, alice, amy, bob, ben, borrowers, loans, visits)


@pytest.fixture
def phone_for(client: TestClient, clock: Clock) -> Any:
    def _phone(user: User) -> Phone:
        return Phone(client, user.username, now=clock).sign_in()

    return _phone


def _here(b: Borrower) -> dict[str, Any]:
    return {"lat": b.lat, "lon": b.lon, "accuracy_m": 10}


def _every_fact(
    phone: Phone, visit: Visit, loan: Loan, borrower: Borrower, *, render: bool = False
) -> dict[str, Any]:
    """Queue each fact an officer can record at a visit; the ids of the records made. With
    `render`, the agreement carries the text the phone renders (the officer may ask for it)."""
    ids = {name: uuid.uuid4() for name in ("outcome", "promise", "request", "note")}
    here = _here(borrower)
    phone.queue("visit.check_in", visit_id=visit.id, at=AT, location=here, co_visitor_ids=[])
    phone.queue(
        "visit.record_outcome",
        outcome_id=ids["outcome"],
        visit_id=visit.id,
        contact="borrower",
        hardship_reasons=[],
        hardship_detail="",
        next_action="",
        at=AT,
    )
    phone.queue(
        "promise.create",
        promise_id=ids["promise"],
        visit_id=visit.id,
        loan_id=loan.id,
        amount_fen=100_000,
        due_date="2026-11-30",
        at=AT,
    )
    agreement = agreement_args(visit_id=visit.id, loan_id=loan.id)
    if render:
        agreement = phone.rendered(agreement)
    ids["agreement"] = uuid.UUID(agreement["agreement_id"])
    phone.queue("agreement.sign", **agreement)
    phone.queue(
        "visit.request_change",
        request_id=ids["request"],
        visit_id=visit.id,
        kind="reschedule",
        reason="借款人外出",
        proposed={},
    )
    phone.queue(
        "note.add",
        note_id=ids["note"],
        borrower_id=borrower.id,
        visit_id=visit.id,
        text="门口",
        at=AT,
    )
    phone.queue("visit.check_out", visit_id=visit.id, at=AT, location=here)
    return ids


def test_an_officer_of_another_team_writes_nothing_on_the_visit(
    teams: Teams, phone_for: Any, session: Session
) -> None:
    """The reviewer's attack: Bob (team B) pushes every fact on team A's visit."""
    phone: Phone = phone_for(teams.bob)
    visit = teams.visits[0]
    ids = _every_fact(phone, visit, teams.loans[0], teams.borrowers[0])
    response = phone.push()
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 7, results
    assert all(r["codes"] == ["not_on_team"] for r in results), results
    assert "never assigned to you" in results[0]["reason"]
    # Nothing written, the visit untouched...
    session.expire_all()
    assert session.exec(select(VisitEvent).where(VisitEvent.visit_id == visit.id)).all() == []
    made: list[tuple[type[SQLModel], str]] = [
        (VisitOutcome, "outcome"),
        (Promise, "promise"),
        (Agreement, "agreement"),
        (ChangeRequest, "request"),
        (Note, "note"),
    ]
    for model, key in made:
        assert session.get(model, ids[key]) is None, model
    stored = session.get(Visit, visit.id)
    assert stored is not None and stored.status == VisitStatus.planned
    # ... but every entry is kept in the rejected store, with its payload, for review.
    log = session.exec(
        select(MutationLog)
        .where(MutationLog.user_id == teams.bob.id)
        .order_by(col(MutationLog.mutation_id))
    ).all()
    assert [m.status for m in log] == ["rejected"] * 7
    assert log[3].name == "agreement.sign" and log[3].args["agreement_id"] == str(ids["agreement"])


def test_a_note_needs_a_visit_of_the_officer_to_the_borrower(
    teams: Teams, phone_for: Any, session: Session
) -> None:
    phone: Phone = phone_for(teams.bob)
    foreign, none, own = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # Borrower 2: a visit of team A only; borrower 3: no visit at all; borrower 1: Bob's.
    phone.queue("note.add", note_id=foreign, borrower_id=teams.borrowers[2].id, text="x", at=AT)
    phone.queue("note.add", note_id=none, borrower_id=teams.borrowers[3].id, text="x", at=AT)
    phone.queue("note.add", note_id=own, borrower_id=teams.borrowers[1].id, text="x", at=AT)
    results = phone.push().json()["results"]
    assert [(r["status"], r["codes"]) for r in results] == [
        ("rejected", ["not_on_team"]),
        ("rejected", ["not_on_team"]),
        ("applied", []),
    ]
    assert session.get(Note, foreign) is None and session.get(Note, none) is None
    assert session.get(Note, own) is not None


def _reassign(client: TestClient, auth_headers: TokenFor, teams: Teams, visit: Visit) -> None:
    """The manager gives team A's visit to team B (as the console does)."""
    response = client.post(
        f"{API}/visits/{visit.id}/assign",
        json={"officer_ids": [str(teams.bob.id), str(teams.ben.id)]},
        headers=auth_headers(teams.manager.username),
    )
    assert response.status_code == 200, response.text


def test_an_officer_reassigned_while_offline_is_flagged_and_needs_approval(
    teams: Teams,
    phone_for: Any,
    session: Session,
    client: TestClient,
    auth_headers: TokenFor,
) -> None:
    phone: Phone = phone_for(teams.alice)  # pulled the visit, then went offline
    visit = teams.visits[0]
    ids = _every_fact(phone, visit, teams.loans[0], teams.borrowers[0], render=True)
    _reassign(client, auth_headers, teams, visit)
    results = phone.push().json()["results"]
    assert [r["status"] for r in results] == ["flagged"] * 7, results
    assert all("not_assigned" in r["codes"] for r in results), results
    session.expire_all()
    agreement = session.get(Agreement, ids["agreement"])
    assert agreement is not None
    assert agreement.status == AgreementStatus.pending_approval
    assert "not_assigned" in [r["code"] for r in agreement.approval_reasons]
    assert session.get(Promise, ids["promise"]) is not None
    assert session.get(Note, ids["note"]) is not None


def _sign_directly(session: Session, *, officer: User, visit: Visit, loan: Loan) -> Agreement:
    """An agreement stored as the attack left it before the fix: signed by `officer` on a
    visit of another team."""
    agreement = Agreement(
        id=uuid.uuid4(),
        visit_id=visit.id,
        borrower_id=visit.borrower_id,
        loan_id=loan.id,
        officer_id=officer.id,
        principal_fen=300_000,
        down_payment_fen=0,
        text="协议",
        text_sha256="0" * 64,
        borrower_signature=PNG_1PX,
        officer_signature=PNG_1PX,
        signed_at=FIXED_NOW,
        content_sha256="0" * 64,
        status=AgreementStatus.active,
        received_at=FIXED_NOW,
        status_changed_at=FIXED_NOW,
    )
    session.add(agreement)
    session.flush()
    return agreement


def test_reading_an_agreement_follows_its_visit(
    teams: Teams, session: Session, client: TestClient, auth_headers: TokenFor
) -> None:
    visit = teams.visits[0]
    signed_by_bob = _sign_directly(session, officer=teams.bob, visit=visit, loan=teams.loans[0])
    url = f"{API}/agreements/{signed_by_bob.id}"
    bob, amy = auth_headers(teams.bob.username), auth_headers(teams.amy.username)
    for path in (url, f"{url}.pdf"):
        assert client.get(path, headers=bob).status_code == 404, path
        assert client.get(path, headers=amy).status_code == 200, path
    assert client.get(url, headers=auth_headers(teams.manager.username)).status_code == 200


# --- issue 13, item 11: co-visitors -------------------------------------------------------


def test_made_up_co_visitors_do_not_count_for_the_staff_minimum(
    teams: Teams, phone_for: Any, session: Session
) -> None:
    """The reviewer's attack: a random uuid as co-visitor cleared `below_min_staff`. Only
    active officers of the branch on the visit's team count; the others are flagged."""
    outsider = make_user(session, make_branch(session))
    disabled = make_user(session, teams.branch)
    disabled.is_active = False
    session.add(disabled)
    session.flush()
    made_up = uuid.uuid4()
    phone: Phone = phone_for(teams.alice)
    claims = [[made_up], [teams.bob.id], [outsider.id], [disabled.id], [teams.alice.id]]
    visit, here = teams.visits[0], _here(teams.borrowers[0])
    for co_visitors in claims:
        phone.queue(
            "visit.check_in", visit_id=visit.id, at=AT, location=here, co_visitor_ids=co_visitors
        )
    phone.queue(  # Amy is on the team: two staff, nothing to flag
        "visit.check_in", visit_id=visit.id, at=AT, location=here, co_visitor_ids=[teams.amy.id]
    )
    results = phone.push().json()["results"]
    for result in results[:4]:
        assert result["status"] == "flagged", result
        assert set(result["codes"]) == {"below_min_staff", "unknown_co_visitor"}, result
    assert str(made_up) in results[0]["reason"]
    assert (results[4]["status"], results[4]["codes"]) == ("flagged", ["below_min_staff"])
    assert (results[5]["status"], results[5]["codes"]) == ("applied", [])
    events = session.exec(select(VisitEvent).where(VisitEvent.visit_id == visit.id)).all()
    # Only the colleagues that count are stored as having been there.
    assert sorted(e.co_visitor_ids for e in events) == [[]] * 5 + [[str(teams.amy.id)]]
