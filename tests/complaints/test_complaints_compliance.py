"""The compliance report counts the period's complaints: open, by category, median hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from models import Complaint
from tests.conftest import TokenFor
from tests.sync.conftest import World

T = datetime.fromisoformat("2026-11-10T02:00:00+00:00")


def _complaint(world: World, category: str, at: datetime, hours: float | None) -> Complaint:
    resolved = None if hours is None else at + timedelta(hours=hours)
    return Complaint(
        branch_id=world.branch.id,
        borrower_id=world.borrowers[0].id,
        recorded_by=world.manager.id,
        channel="phone",
        category=category,
        text="t",
        at=at,
        status="open" if resolved is None else "resolved",
        resolved_at=resolved,
        resolved_by=None if resolved is None else world.manager.id,
    )


def test_the_report_summarises_the_periods_complaints(
    world: World, client: TestClient, auth_headers: TokenFor, session: Session
) -> None:
    session.add_all(
        [
            _complaint(world, "rude", T, 2),
            _complaint(world, "rude", T, 10),
            _complaint(world, "threat", T, 30),
            _complaint(world, "privacy", T, None),
            _complaint(world, "rude", T - timedelta(days=40), 1),  # before the period
        ]
    )
    session.flush()
    params = {"from": "2026-11-01", "to": "2026-11-30"}
    r = client.get(
        "/api/v1/reports/compliance", params=params, headers=auth_headers(world.manager.username)
    )
    assert r.status_code == 200, r.text
    summary = r.json()["complaints"]
    assert summary == {
        "count": 4,
        "open": 1,
        "median_hours_to_resolve": 10.0,
        "by_category": {"privacy": 1, "rude": 2, "threat": 1},
    }


def test_a_period_without_complaints_has_no_median(
    world: World, client: TestClient, auth_headers: TokenFor
) -> None:
    params = {"from": "2026-11-01", "to": "2026-11-30"}
    r = client.get(
        "/api/v1/reports/compliance", params=params, headers=auth_headers(world.manager.username)
    )
    assert r.json()["complaints"] == {
        "count": 0,
        "open": 0,
        "median_hours_to_resolve": None,
        "by_category": {},
    }
