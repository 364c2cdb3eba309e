"""Skipped visits and logged calls in the candidates: the borrower returns with the skip's
reason, repeated absence raises the priority, an answered call is a contact."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.planning.priority import BorrowerFacts, LoanFacts, PrioritySettings, SkipFacts, score
from models import Borrower, ContactLog, Visit
from models.enums import LoanStatus, VisitStatus
from tests.conftest import FIXED_NOW, TokenFor
from tests.planning.world import World, make_world

TODAY = date(2026, 11, 23)
DEFAULTS = PrioritySettings()
LOAN = LoanFacts("l1", "A0001", 45, 100_000, 200_000, LoanStatus.active)


def _absent(day: date) -> SkipFacts:
    return SkipFacts(day, "absent", "absent at the last visit", "上次走访借款人不在家")


def _codes(facts: BorrowerFacts) -> dict[str, Any]:
    return {r.code: r for r in score(facts, today=TODAY, settings=DEFAULTS).reasons}


def test_the_last_skip_is_a_reason_in_two_languages() -> None:
    reasons = _codes(BorrowerFacts(loans=[LOAN], skips=[_absent(date(2026, 11, 20))]))
    reason = reasons["skipped_absent"]
    assert reason.text == "absent at the last visit (2026-11-20)"
    assert reason.text_zh == "上次走访借款人不在家（2026-11-20）"
    assert reason.points == DEFAULTS.skipped_points
    assert "repeated_absence" not in reasons


def test_a_visit_made_after_the_skip_drops_the_skip_reason() -> None:
    facts = BorrowerFacts(
        loans=[LOAN], skips=[_absent(date(2026, 11, 10))], last_visit=date(2026, 11, 15)
    )
    assert "skipped_absent" not in _codes(facts)


def test_repeated_absence_within_the_window_raises_priority() -> None:
    two = [_absent(date(2026, 11, 20)), _absent(date(2026, 11, 1))]
    reasons = _codes(BorrowerFacts(loans=[LOAN], skips=two))
    assert reasons["repeated_absence"].text == "absent at 2 visits in 30 days"
    assert reasons["repeated_absence"].points == DEFAULTS.repeated_absence_points
    old = [_absent(date(2026, 11, 20)), _absent(date(2026, 10, 1))]  # one outside 30 days
    assert "repeated_absence" not in _codes(BorrowerFacts(loans=[LOAN], skips=old))
    wrong = SkipFacts(date(2026, 11, 5), "wrong_address", "wrong address", "地址错误")
    mixed = [_absent(date(2026, 11, 20)), wrong]  # only absences count
    assert "repeated_absence" not in _codes(BorrowerFacts(loans=[LOAN], skips=mixed))


def _candidate(client: TestClient, w: World, headers: Any, borrower: Borrower) -> dict[str, Any]:
    response = client.get("/api/v1/candidates", headers=headers(w.manager.username))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return next(c for c in items if c["borrower_id"] == str(borrower.id))


def _skipped(w: World, borrower: Borrower, day: date, reason: str = "absent") -> Visit:
    visit = w.visit(borrower, plan_date=day, status=VisitStatus.skipped)
    visit.skip_reason = reason
    visit.skipped_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    w.session.add(visit)
    w.session.flush()
    return visit


def test_a_skipped_borrower_returns_as_a_candidate_with_the_reason(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = make_world(session)
    borrower, _ = w.borrower(dpd=45)
    _skipped(w, borrower, TODAY - timedelta(days=1))  # a skip is not a recent visit
    codes = {r["code"]: r for r in _candidate(client, w, auth_headers, borrower)["reasons"]}
    assert codes["skipped_absent"]["text"] == "absent at the last visit (2026-11-22)"
    _skipped(w, borrower, TODAY - timedelta(days=12))
    codes = {r["code"]: r for r in _candidate(client, w, auth_headers, borrower)["reasons"]}
    assert "repeated_absence" in codes


def test_a_call_the_borrower_answered_counts_as_a_contact(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = make_world(session)
    borrower, _ = w.borrower(dpd=45)
    w.met(borrower, FIXED_NOW - timedelta(days=40))
    called = FIXED_NOW - timedelta(days=3)
    for answered_by, at in (("borrower", called), ("family", FIXED_NOW - timedelta(days=1))):
        session.add(
            ContactLog(
                id=uuid.uuid4(),
                branch_id=w.branch.id,
                borrower_id=borrower.id,
                officer_id=w.officers[0].id,
                channel="call",
                answered_by=answered_by,
                result="promised",
                at=at,
            )
        )
    session.flush()
    found = _candidate(client, w, auth_headers, borrower)
    assert found["last_contact_on"] == called.date().isoformat()
    assert "no_contact" not in {r["code"] for r in found["reasons"]}
