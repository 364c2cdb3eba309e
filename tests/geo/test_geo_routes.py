"""The manager's borrower endpoints: list, get, pin, edit, geocoder search, proposals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.config import Settings
from api.deps import settings_dependency
from models import AuditEvent, BorrowerProposal
from models.enums import Role
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_user
from tests.geo.amap_server import AMAP_NOT_FOUND, amap_found, amap_server
from tests.geo.conftest import World

API = "/api/v1"


def _manager(auth_headers: TokenFor, world: World) -> dict[str, str]:
    return auth_headers(world.manager.username)


def _proposal(
    session: Session, world: World, i: int, kind: str, data: dict[str, object]
) -> BorrowerProposal:
    proposal = BorrowerProposal(
        branch_id=world.branch.id,
        borrower_id=world.borrowers[i].id,
        visit_id=world.visits[i].id,
        kind=kind,
        data=data,
        source="check_in",
        proposed_by=world.alice.id,
        at=datetime(2026, 11, 23, 2, tzinfo=UTC),
    )
    session.add(proposal)
    session.flush()
    return proposal


def test_list_and_get_with_provenance(
    client: TestClient, session: Session, world: World, auth_headers: TokenFor
) -> None:
    headers = _manager(auth_headers, world)
    b = world.borrowers[1]
    b.lat = b.lon = None
    b.location_note = "the geocoder does not know this address"
    _proposal(session, world, 0, "safety_flags", {"safety_flags": ["aggressive_dog"]})
    session.flush()
    body = client.get(f"{API}/borrowers?located=false", headers=headers).json()
    assert body["total"] == 1 and body["items"][0]["id"] == str(b.id)
    assert body["items"][0]["location_note"].startswith("the geocoder")
    assert client.get(f"{API}/borrowers?located=true&limit=2", headers=headers).json()["total"] == 3
    found = client.get(
        f"{API}/borrowers", params={"q": world.borrowers[0].name}, headers=headers
    ).json()
    assert [i["open_proposals"] for i in found["items"]] == [1]
    one = client.get(f"{API}/borrowers/{world.borrowers[0].id}", headers=headers).json()
    assert one["open_proposals"] == 1 and "location_source" in one and one["loans"]
    assert client.get(f"{API}/borrowers?limit=501", headers=headers).status_code == 422


def test_other_branch_and_officers(
    client: TestClient, session: Session, world: World, auth_headers: TokenFor
) -> None:
    other = make_branch(session)
    stranger = make_borrower(session, other)
    headers = _manager(auth_headers, world)
    assert client.get(f"{API}/borrowers/{stranger.id}", headers=headers).status_code == 404
    put = client.put(
        f"{API}/borrowers/{stranger.id}/location", json={"lat": 37.0, "lon": 116.0}, headers=headers
    )
    assert put.status_code == 404
    assert (
        client.patch(
            f"{API}/borrowers/{stranger.id}", json={"safety_flags": []}, headers=headers
        ).status_code
        == 404
    )
    officer = auth_headers(world.alice.username)
    assert client.get(f"{API}/borrowers", headers=officer).status_code == 403
    assert (
        client.put(
            f"{API}/borrowers/{world.borrowers[0].id}/location",
            json={"lat": 37.0, "lon": 116.0},
            headers=officer,
        ).status_code
        == 403
    )
    assert client.get(f"{API}/borrower-proposals", headers=officer).status_code == 403


def test_manager_places_a_pin_and_edits(
    client: TestClient, session: Session, world: World, auth_headers: TokenFor
) -> None:
    headers = _manager(auth_headers, world)
    b = world.borrowers[0]
    response = client.put(
        f"{API}/borrowers/{b.id}/location",
        json={"lat": 37.31, "lon": 116.52, "precision": "village"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    item = response.json()
    assert (item["lat"], item["location_source"], item["location_precision"]) == (
        37.31,
        "manager",
        "village",
    )
    assert (
        client.put(
            f"{API}/borrowers/{b.id}/location", json={"lat": 48.8, "lon": 2.3}, headers=headers
        ).status_code
        == 422
    )
    assert (
        client.put(
            f"{API}/borrowers/{b.id}/location", json={"lat": 91, "lon": 2.3}, headers=headers
        ).status_code
        == 422
    )
    times = [
        {"weekdays": [0, 1, 2, 3, 4], "start": "18:00", "end": "20:00"},
        {"start": "09:00", "end": "12:00"},
    ]
    response = client.patch(
        f"{API}/borrowers/{b.id}",
        json={"preferred_times": times, "safety_flags": ["remote_road"]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["preferred_times"] == times and response.json()["safety_flags"] == [
        "remote_road"
    ]
    bad_time = client.patch(
        f"{API}/borrowers/{b.id}",
        json={"preferred_times": [times[0], {"start": "20:00", "end": "18:00"}]},
        headers=headers,
    )
    assert bad_time.status_code == 422 and "preferred_times.1" in bad_time.text
    bad_flag = client.patch(
        f"{API}/borrowers/{b.id}", json={"safety_flags": ["ghost"]}, headers=headers
    )
    assert bad_flag.status_code == 422 and "safety_flags.0" in bad_flag.text
    actions = set(session.exec(select(AuditEvent.action).where(AuditEvent.entity_id == str(b.id))))
    assert {"borrower.locate", "borrower.edit"} <= actions


def test_geocode_search(
    app: FastAPI, client: TestClient, world: World, settings: Settings, auth_headers: TokenFor
) -> None:
    headers = _manager(auth_headers, world)
    off = client.get(f"{API}/geocode", params={"address": "某村"}, headers=headers)
    assert off.status_code == 503 and "No geocoder" in off.json()["detail"]

    def answer(address: str) -> dict[str, object]:
        return (
            AMAP_NOT_FOUND
            if "无名" in address
            else amap_found(37.36, 116.58, "门牌号", "德州市某村")
        )

    with amap_server(answer) as (url, _asked):
        configured = settings.model_copy(
            update={
                "geocoder": "amap",
                "geocoder_url": url,
                "geocoder_key": "k2",
                "geocoder_rate": 1000.0,
            }
        )
        app.dependency_overrides[settings_dependency] = lambda: configured
        found = client.get(f"{API}/geocode", params={"address": "某村5号"}, headers=headers).json()
        assert found == {
            "results": [
                {
                    "lat": 37.36,
                    "lon": 116.58,
                    "precision": "exact",
                    "formatted": "德州市某村",
                    "provider": "amap",
                }
            ]
        }
        assert client.get(
            f"{API}/geocode", params={"address": "无名路"}, headers=headers
        ).json() == {"results": []}
    down = settings.model_copy(
        update={
            "geocoder": "amap",
            "geocoder_url": "http://127.0.0.1:9",
            "geocoder_key": "k3",
            "geocoder_rate": 1000.0,
        }
    )
    app.dependency_overrides[settings_dependency] = lambda: down
    assert (
        client.get(f"{API}/geocode", params={"address": "新地址"}, headers=headers).status_code
        == 503
    )


def test_proposals_are_listed_and_decided(
    client: TestClient, session: Session, world: World, auth_headers: TokenFor
) -> None:
    headers = _manager(auth_headers, world)
    b = world.borrowers[0]
    assert b.lat is not None and b.lon is not None
    moved = _proposal(
        session, world, 0, "location", {"lat": b.lat + 0.01, "lon": b.lon, "accuracy_m": 10}
    )
    flags = _proposal(session, world, 1, "safety_flags", {"safety_flags": ["prior_threat"]})
    listed = client.get(f"{API}/borrower-proposals?status=open", headers=headers).json()
    assert {p["id"] for p in listed} == {str(moved.id), str(flags.id)}
    first = next(p for p in listed if p["id"] == str(moved.id))
    assert 1000 < first["distance_m"] < 1200 and first["borrower_name"] == b.name
    assert first["proposed_by_name"] == world.alice.full_name
    version = b.version
    decided = client.post(
        f"{API}/borrower-proposals/{moved.id}/decide",
        json={"decision": "accepted", "note": "新房"},
        headers=headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "accepted" and 1000 < decided.json()["distance_m"] < 1200
    session.refresh(b)
    assert (b.location_source, b.version > version) == ("check_in", True)
    again = client.post(
        f"{API}/borrower-proposals/{moved.id}/decide",
        json={"decision": "declined"},
        headers=headers,
    )
    assert again.status_code == 409
    client.post(
        f"{API}/borrower-proposals/{flags.id}/decide",
        json={"decision": "declined"},
        headers=headers,
    )
    session.refresh(world.borrowers[1])
    assert world.borrowers[1].safety_flags == []
    assert client.get(f"{API}/borrower-proposals?status=open", headers=headers).json() == []
    assert (
        client.post(
            f"{API}/borrower-proposals/{uuid.uuid4()}/decide",
            json={"decision": "accepted"},
            headers=headers,
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{API}/borrower-proposals/{flags.id}/decide",
            json={"decision": "maybe"},
            headers=headers,
        ).status_code
        == 422
    )
    other = make_user(session, make_branch(session), role=Role.manager)
    assert (
        client.get(f"{API}/borrower-proposals", headers=auth_headers(other.username)).json() == []
    )
