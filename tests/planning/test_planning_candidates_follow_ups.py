"""GET /api/v1/candidates for a plan date: follow-ups due, arrangements holding borrowers
back, and the branch's follow-up cadence settings."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models import Agreement, AgreementLine, AuditEvent, Borrower, Loan, VisitOutcome
from models.enums import AgreementStatus, Contact, PromiseStatus, ScheduleLineStatus
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_user
from tests.planning.world import World, make_world

TODAY = date(2026, 11, 23)  # Monday; the tests' clock says 10:00 in Shanghai
TOMORROW = date(2026, 11, 24)


def _items(client: TestClient, w: World, **params: Any) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/candidates", params=params, headers=w.headers)
    assert response.status_code == 200, response.text
    return {c["borrower_id"]: c for c in response.json()["items"]}


def _outcome(
    w: World, borrower: Borrower, *, action: str, due: date | None, willingness: str = ""
) -> None:
    visit = w.visit(borrower, plan_date=TODAY - timedelta(days=4))
    w.session.add(
        VisitOutcome(
            id=uuid.uuid4(),
            visit_id=visit.id,
            officer_id=w.officers[0].id,
            contact=Contact.borrower,
            next_action=action,
            follow_up_on=due,
            willingness=willingness,
            at=datetime(2026, 11, 19, 2, tzinfo=UTC),
        )
    )
    w.session.flush()


def _agreement(w: World, borrower: Borrower, loan: Loan, *, missed: bool) -> None:
    agreement = Agreement(
        id=uuid.uuid4(),
        loan_id=loan.id,
        borrower_id=borrower.id,
        officer_id=w.officers[0].id,
        principal_fen=600_000,
        text="协议",
        text_sha256="0" * 64,
        borrower_signature="sig",
        officer_signature="sig",
        signed_at=datetime(2026, 10, 1, tzinfo=UTC),
        content_sha256="0" * 64,
        status=AgreementStatus.active,
    )
    w.session.add(agreement)
    w.session.flush()
    status = ScheduleLineStatus.missed if missed else ScheduleLineStatus.paid
    w.session.add(
        AgreementLine(
            agreement_id=agreement.id,
            seq=1,
            due_date=date(2026, 11, 1),
            amount_fen=200_000,
            status=status,
        )
    )
    w.session.flush()


def _world(session: Session, auth_headers: TokenFor) -> World:
    # The policy allows a visit every 3 days, so a revisit 5 days later is lawful.
    w = make_world(session, policy={"visit_frequency_days": 3})
    w.headers = auth_headers(w.manager.username)
    return w


def test_a_revisit_due_by_the_plan_date_is_a_candidate_with_follow_up_due(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = _world(session, auth_headers)
    due, _ = w.borrower(dpd=45)
    _outcome(w, due, action="revisit", due=TOMORROW)  # visited 4 days ago: recent
    low, _ = w.borrower(dpd=12, overdue_fen=50_000)  # below min_dpd, but the officer asked
    _outcome(w, low, action="await_payment", due=TODAY)
    later, _ = w.borrower(dpd=45)
    _outcome(w, later, action="revisit", due=TOMORROW + timedelta(days=2))
    phone, _ = w.borrower(dpd=45)
    _outcome(w, phone, action="phone_follow_up", due=TOMORROW)

    items = _items(client, w)  # default plan date: the next working day (tomorrow)
    assert set(items) == {str(due.id), str(low.id)}
    reason = next(r for r in items[str(due.id)]["reasons"] if r["code"] == "follow_up_due")
    assert reason["text"] == "follow-up due 2026-11-24: revisit" and reason["text_zh"]
    # Two days later the other revisit is due too.
    items = _items(client, w, plan_date="2026-11-26")
    assert str(later.id) in items


def test_the_default_plan_date_skips_branch_holidays(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = make_world(session, policy={"holidays": ["2026-11-24", "2026-11-25"]})
    w.headers = auth_headers(w.manager.username)
    b, _ = w.borrower(dpd=45)
    _outcome(w, b, action="revisit", due=date(2026, 11, 26))
    assert str(b.id) in _items(client, w)
    assert str(b.id) not in _items(client, w, plan_date="2026-11-25")


def test_an_open_promise_or_an_agreement_on_track_holds_back(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = _world(session, auth_headers)
    promised, (p_loan,) = w.borrower(dpd=45)
    w.promise(promised, p_loan, TODAY + timedelta(days=5), PromiseStatus.open)
    on_track, (a_loan,) = w.borrower(dpd=45)
    _agreement(w, on_track, a_loan, missed=False)
    missed, (m_loan,) = w.borrower(dpd=45)
    _agreement(w, missed, m_loan, missed=True)
    not_kept, (n_loan,) = w.borrower(dpd=45)
    w.promise(not_kept, n_loan, TODAY, PromiseStatus.open)  # due today, unpaid
    plain, _ = w.borrower(dpd=45)

    items = _items(client, w)
    assert set(items) == {str(missed.id), str(not_kept.id), str(plain.id)}
    assert "missed_instalments" in {r["code"] for r in items[str(missed.id)]["reasons"]}
    assert "promise_not_kept" in {r["code"] for r in items[str(not_kept.id)]["reasons"]}
    assert not any(c["held"] for c in items.values())

    shown = _items(client, w, include_held="true")
    assert set(shown) == set(items) | {str(promised.id), str(on_track.id)}
    for b in (promised, on_track):
        assert shown[str(b.id)]["held"] is True
        assert shown[str(b.id)]["reasons"][-1]["code"] == "arrangement_on_track"
    # The promise falls due (plan date after it): back at once, not kept.
    back = _items(client, w, plan_date=(TODAY + timedelta(days=6)).isoformat())
    assert str(promised.id) in back and str(on_track.id) not in back


def test_assessment_weighs_on_priority(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = _world(session, auth_headers)
    refuses, _ = w.borrower(dpd=45)
    _outcome(w, refuses, action="none", due=None, willingness="refuses")
    calm, _ = w.borrower(dpd=45)
    _outcome(w, calm, action="none", due=None, willingness="hesitant")
    # Visited 4 days ago: only the rule's exceptions bring them back; look 10 days later.
    items = _items(client, w, plan_date="2026-12-03")
    assert set(items) == set()  # recent visit (today's view) leaves them out
    codes = {r["code"] for r in _items_without_recent(client, w, session, refuses)}
    assert "refuses" in codes


def _items_without_recent(
    client: TestClient, w: World, session: Session, borrower: Borrower
) -> list[dict[str, Any]]:
    w.branch.settings = {**w.branch.settings, "priority": {"recent_visit_days": 0}}
    session.add(w.branch)
    session.flush()
    reasons: list[dict[str, Any]] = _items(client, w)[str(borrower.id)]["reasons"]
    return reasons


def test_bad_plan_dates_are_refused(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = _world(session, auth_headers)
    for bad in ("tomorrow", "2026-13-01", "2026-11-22", "2027-11-25", "9999-12-31"):
        response = client.get("/api/v1/candidates", params={"plan_date": bad}, headers=w.headers)
        assert response.status_code == 422, bad
        assert "plan_date" in response.text
    response = client.get(
        "/api/v1/candidates", params={"include_held": "perhaps"}, headers=w.headers
    )
    assert response.status_code == 422


def test_follow_up_cadence_settings(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = _world(session, auth_headers)
    url = "/api/v1/branches/current/settings/follow-up"
    defaults = client.get(url, headers=w.headers).json()
    assert defaults["revisit"] == {"m1": 7, "m2": 5, "m3": 3, "m3plus": 3}
    assert defaults["phone_follow_up"]["m2"] == 3 and defaults["await_payment"]["m3"] == 7
    assert defaults["legal"]["m1"] is None
    response = client.put(url, json={"revisit": {"m2": 2}}, headers=w.headers)
    assert response.status_code == 200, response.text
    stored = client.get(url, headers=w.headers).json()
    assert stored["revisit"]["m2"] == 2 and stored["phone_follow_up"]["m1"] == 3
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "branch.follow_up_settings", AuditEvent.branch_id == w.branch.id
        )
    ).all()
    assert len(events) == 1
    bads: list[dict[str, Any]] = [{"revisit": {"m1": 0}}, {"revisit": {"m1": 91}}, {"weekly": {}}]
    for bad in bads:
        response = client.put(url, json=bad, headers=w.headers)
        assert response.status_code == 422, bad


def test_officers_and_other_branches_cannot_reach_follow_up_settings(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = _world(session, auth_headers)
    url = "/api/v1/branches/current/settings/follow-up"
    officer = auth_headers(w.officers[0].username)
    assert client.get(url, headers=officer).status_code == 403
    assert client.put(url, json={}, headers=officer).status_code == 403
    other = make_branch(session)
    other_manager = make_user(session, other, role=w.manager.role)
    make_borrower(session, other)
    client.put(url, json={"revisit": {"m1": 9}}, headers=auth_headers(other_manager.username))
    assert client.get(url, headers=w.headers).json()["revisit"]["m1"] == 7
