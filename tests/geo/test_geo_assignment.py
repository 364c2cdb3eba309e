"""An unlocated borrower's visit assigned by hand: no arrival time, last on the route,
marked "find the address"."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import TokenFor
from tests.geo.conftest import World


def test_unlocated_visit_assigned_by_hand_goes_last_without_eta(
    client: TestClient, session: Session, world: World, auth_headers: TokenFor
) -> None:
    borrower, visit = world.borrowers[0], world.visits[0]
    borrower.lat = borrower.lon = None
    visit.planned_arrival = datetime(2026, 11, 23, 3, tzinfo=UTC)
    session.flush()
    headers = auth_headers(world.manager.username)
    response = client.post(
        f"/api/v1/visits/{visit.id}/assign",
        json={"officer_ids": [str(world.bob.id), str(world.alice.id)]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["planned_arrival"] is None
    assert body["route_position"] == 5  # after Bob's own visit (position 4)
    find = [r for r in body["reasons"] if r["code"] == "find_address"]
    assert len(find) == 1 and find[0]["text_zh"] and "find the address" in find[0]["text"]
    # Assigning again (same lead) keeps one mark and keeps it last.
    again = client.post(
        f"/api/v1/visits/{visit.id}/assign",
        json={"officer_ids": [str(world.bob.id), str(world.alice.id)]},
        headers=headers,
    ).json()
    assert [r["code"] for r in again["reasons"]].count("find_address") == 1
