"""The read endpoints of visits and borrowers: who sees what (visits/repository.py), the
404 messages, and the typed JSON (reasons, preferred times) as stored."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from models.enums import Role, VisitStatus
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_user, make_visit

API = "/api/v1"
REASON = {"code": "dpd", "text": "M2, 45 days", "text_zh": "M2，逾期45天", "points": 30}


def test_visit_reasons_and_preferred_times_come_back_as_stored(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    preferred = [
        {"start": "17:30", "end": "20:30"},  # any day: no "weekdays" key, none added
        {"start": "09:00", "end": "11:00", "weekdays": [5, 6]},
    ]
    borrower = make_borrower(session, branch, preferred_times=preferred)
    visit = make_visit(session, borrower, [officer])
    visit.reasons = [REASON]
    session.add(visit)
    session.flush()
    headers = auth_headers(officer.username)
    body = client.get(f"{API}/borrowers/{borrower.id}", headers=headers).json()
    assert body["preferred_times"] == preferred
    assert client.get(f"{API}/visits/{visit.id}", headers=headers).json()["reasons"] == [REASON]
    listed = client.get(f"{API}/visits", headers=headers).json()
    assert listed[0]["reasons"] == [REASON]


def test_who_reads_which_visit(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch, elsewhere = make_branch(session), make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    alice, bob = make_user(session, branch), make_user(session, branch)
    stranger = make_user(session, elsewhere)
    mine = make_visit(session, make_borrower(session, branch), [alice])
    bobs = make_visit(session, make_borrower(session, branch), [bob], position=2)
    cancelled = make_visit(
        session, make_borrower(session, branch), [alice], status=VisitStatus.cancelled, position=3
    )
    other_branch = make_visit(session, make_borrower(session, elsewhere), [stranger])

    as_manager = auth_headers(manager.username)
    listed = client.get(f"{API}/visits", headers=as_manager).json()
    assert {v["id"] for v in listed} == {str(mine.id), str(bobs.id), str(cancelled.id)}
    only_bob = client.get(f"{API}/visits", params={"officer_id": str(bob.id)}, headers=as_manager)
    assert [v["id"] for v in only_bob.json()] == [str(bobs.id)]
    missing = client.get(f"{API}/visits/{other_branch.id}", headers=as_manager)
    assert missing.status_code == 404 and missing.json()["detail"] == "No such visit."

    as_alice = auth_headers(alice.username)
    # An officer lists their own visits (the cancelled one too: the phone shows it struck out).
    listed = client.get(f"{API}/visits", params={"officer_id": str(bob.id)}, headers=as_alice)
    assert {v["id"] for v in listed.json()} == {str(mine.id), str(cancelled.id)}
    for visit in (bobs, cancelled):
        response = client.get(f"{API}/visits/{visit.id}", headers=as_alice)
        assert response.status_code == 404
        assert response.json()["detail"] == "No such visit among yours."
    not_hers = client.get(f"{API}/borrowers/{bobs.borrower_id}", headers=as_alice)
    assert not_hers.json()["detail"] == "No such borrower among your visits."
    foreign = client.get(f"{API}/borrowers/{other_branch.borrower_id}", headers=as_alice)
    assert foreign.status_code == 404 and foreign.json()["detail"] == "No such borrower."


def test_current_branch_and_users(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    officer = make_user(session, branch)
    make_user(session, make_branch(session))  # another branch's staff stay out of the list
    body = client.get(f"{API}/branches/current", headers=auth_headers(officer.username)).json()
    assert body["id"] == str(branch.id) and body["timezone"] == branch.timezone
    users = client.get(f"{API}/users", headers=auth_headers(manager.username)).json()
    assert sorted(u["id"] for u in users) == sorted([str(manager.id), str(officer.id)])
