"""GET /api/v1/candidates and the branch's priority settings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models import AuditEvent, Branch
from models.enums import LoanStatus, PromiseStatus, Segment, VisitStatus
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user
from tests.planning.world import make_world

TODAY = date(2026, 11, 23)


def _candidates(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/candidates", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_candidates_are_scored_explained_and_filtered_by_the_rules(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = make_world(session)
    top, (top_loan,) = w.borrower(dpd=45, overdue_fen=3_800_000, name="王大山")
    w.met(top, FIXED_NOW - timedelta(days=21))
    w.promise(top, top_loan, date(2026, 10, 1), PromiseStatus.broken)
    w.promise(top, top_loan, date(2026, 11, 1), PromiseStatus.broken)
    w.promise(top, top_loan, date(2026, 11, 20), PromiseStatus.open)
    two_loans, loans = w.borrower(dpd=70, overdue_fen=500_000, loans=2)
    plain, _ = w.borrower(dpd=31, overdue_fen=100_000)
    w.borrower(dpd=30)  # M1: phone reminders first
    w.borrower(dpd=200, status=LoanStatus.legal)
    w.borrower(dpd=200, status=LoanStatus.closed)
    visited, _ = w.borrower(dpd=90)
    w.visit(visited, plan_date=TODAY - timedelta(days=3), status=VisitStatus.done)
    checked_in, _ = w.borrower(dpd=90)
    w.visit(checked_in, plan_date=TODAY, status=VisitStatus.checked_in)
    planned, _ = w.borrower(dpd=90)
    w.visit(planned, plan_date=TODAY + timedelta(days=5), status=VisitStatus.planned)
    long_ago, _ = w.borrower(dpd=32)
    w.visit(long_ago, plan_date=TODAY - timedelta(days=10), status=VisitStatus.done)
    cancelled, _ = w.borrower(dpd=33)
    w.visit(cancelled, plan_date=TODAY, status=VisitStatus.cancelled)
    other_branch = make_branch(session)
    make_loan(session, make_borrower(session, other_branch), dpd=300)

    body = _candidates(client, auth_headers(w.manager.username))
    ids = [c["borrower_id"] for c in body["items"]]
    assert set(ids) == {str(b.id) for b in (top, two_loans, plain, long_ago, cancelled)}
    assert body["total"] == 5
    scores = [c["score"] for c in body["items"]]
    assert scores == sorted(scores, reverse=True)
    first = body["items"][0]
    assert first["borrower_id"] == str(top.id) and first["name"] == "王大山"
    texts = [r["text"] for r in first["reasons"]]
    assert texts == [
        "M2, 45 days",
        "overdue 38,000 CNY",
        "2 broken promises",
        "promise due 2026-11-20 not kept",
        "no contact for 21 days",
    ]
    assert all(r["text_zh"] and isinstance(r["points"], int) for r in first["reasons"])
    assert first["score"] == sum(r["points"] for r in first["reasons"])
    assert first["last_contact_on"] == (TODAY - timedelta(days=21)).isoformat()
    pair = next(c for c in body["items"] if c["borrower_id"] == str(two_loans.id))
    assert sorted(pair["loan_ids"]) == sorted(str(x.id) for x in loans)
    assert pair["overdue_fen"] == 1_000_000 and pair["bucket"] == "M3"
    never = next(c for c in body["items"] if c["borrower_id"] == str(plain.id))
    assert "never met in person" in [r["text"] for r in never["reasons"]]


def test_candidate_filters(client: TestClient, session: Session, auth_headers: TokenFor) -> None:
    w = make_world(session)
    m2, _ = w.borrower(dpd=40, overdue_fen=100_000, village="张庄", segment=Segment.farmer)
    m3, _ = w.borrower(
        dpd=80, overdue_fen=900_000, village="李家村", segment=Segment.small_business
    )
    m3p, _ = w.borrower(
        dpd=200, overdue_fen=5_000_000, village="张官屯", segment=Segment.individual_trader
    )
    w.visit(m3, officers=[w.officers[0]], plan_date=TODAY - timedelta(days=30))
    w.visit(m3p, officers=[w.officers[0]], plan_date=TODAY - timedelta(days=40))
    w.visit(m3p, officers=[w.officers[1], w.officers[0]], plan_date=TODAY - timedelta(days=20))
    w.visit(m2, officers=[w.officers[1]], plan_date=TODAY - timedelta(days=20))
    headers = auth_headers(w.manager.username)

    def ids(**params: Any) -> set[str]:
        return {c["borrower_id"] for c in _candidates(client, headers, **params)["items"]}

    assert ids(bucket="M2") == {str(m2.id)}
    assert ids(bucket="M3+") == {str(m3p.id)}
    assert ids(min_overdue_fen=900_000) == {str(m3.id), str(m3p.id)}
    assert ids(max_overdue_fen=900_000) == {str(m2.id), str(m3.id)}
    assert ids(segment="small_business") == {str(m3.id)}
    assert ids(village="张") == {str(m2.id), str(m3p.id)}
    # The last visit decides: m3p's last visit was with officer 1 (officer 0 as co-visitor).
    assert ids(officer_id=str(w.officers[0].id)) == {str(m3.id), str(m3p.id)}
    assert ids(officer_id=str(w.officers[1].id)) == {str(m2.id), str(m3p.id)}
    page = _candidates(client, headers, limit=1, offset=1)
    assert page["total"] == 3 and len(page["items"]) == 1 and page["offset"] == 1
    bad = client.get("/api/v1/candidates", params={"bucket": "M9"}, headers=headers)
    assert bad.status_code == 422


def test_priority_settings_read_update_and_apply(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = make_world(session)
    w.borrower(dpd=45)
    w.borrower(dpd=75)
    headers = auth_headers(w.manager.username)
    url = "/api/v1/branches/current/settings/priority"
    defaults = client.get(url, headers=headers).json()
    assert defaults["min_dpd"] == 31 and defaults["recent_visit_days"] == 7
    assert _candidates(client, headers)["total"] == 2

    response = client.put(url, json={"min_dpd": 61, "m3_points": 80}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["min_dpd"] == 61 and response.json()["m2_points"] == 20
    assert client.get(url, headers=headers).json()["m3_points"] == 80
    listed = _candidates(client, headers)
    assert listed["total"] == 1
    assert listed["items"][0]["reasons"][0]["points"] == 80 + 15  # 75 days × 0.2
    branch = session.get(Branch, w.branch.id)
    assert branch is not None and branch.settings["priority"]["min_dpd"] == 61
    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == "branch.priority_settings")
    ).all()
    assert [e.data["changed"]["min_dpd"] for e in events if e.branch_id == w.branch.id] == [
        [31, 61]
    ]

    for bad in ({"min_dpd": 0}, {"no_such_weight": 3}, {"never_met_points": -5}):
        refused = client.put(url, json=bad, headers=headers)
        assert refused.status_code == 422, bad
    assert client.get(url, headers=headers).json()["min_dpd"] == 61


def test_stored_settings_merge_over_defaults(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = make_world(session, settings={"priority": {"min_dpd": 91, "m2_points": "bad"}, "x": 1})
    w.borrower(dpd=95)
    w.borrower(dpd=60)
    headers = auth_headers(w.manager.username)
    got = client.get("/api/v1/branches/current/settings/priority", headers=headers).json()
    assert got["min_dpd"] == 91 and got["m2_points"] == 20
    assert _candidates(client, headers)["total"] == 1


def test_officers_cannot_see_candidates_or_settings(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = make_world(session)
    headers = auth_headers(w.officers[0].username)
    url = "/api/v1/branches/current/settings/priority"
    assert client.get("/api/v1/candidates", headers=headers).status_code == 403
    assert client.get(url, headers=headers).status_code == 403
    assert client.put(url, json={}, headers=headers).status_code == 403
    assert client.get("/api/v1/candidates").status_code == 401
    assert client.put(url, json={}).status_code == 401
    manager_b = make_user(session, make_branch(session), role=w.manager.role)
    assert _candidates(client, auth_headers(manager_b.username))["total"] == 0
