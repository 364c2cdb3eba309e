"""Working days over HTTP, planning inside them, re-optimise keeping areas, and planning
through an OSRM server (a local HTTP server speaking OSRM's /table format)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.config import Settings
from api.deps import settings_dependency
from api.routing.travel import haversine_m
from models import AuditEvent
from tests.conftest import TokenFor
from tests.planning.world import TOMORROW, World, make_world

FAST = {"max_iterations": 200, "time_limit_s": 5}
WORKDAY = "/api/v1/branches/current/settings/workday"
DEFAULT: dict[str, Any] = {
    "start": "08:30",
    "end": "17:30",
    "breaks": [{"start": "12:00", "end": "13:00"}],
    "max_work_minutes": 480,
}


@pytest.fixture
def world(session: Session, auth_headers: TokenFor) -> World:
    w = make_world(session, workday=DEFAULT)
    w.headers = auth_headers(w.manager.username)
    return w


def test_the_branch_workday_reads_and_writes(
    client: TestClient, session: Session, world: World, auth_headers: TokenFor
) -> None:
    assert client.get(WORKDAY, headers=world.headers).json() == DEFAULT
    officer = auth_headers(world.officers[0].username)
    assert client.get(WORKDAY, headers=officer).status_code == 200  # officers may read
    assert client.put(WORKDAY, json=DEFAULT, headers=officer).status_code == 403
    new = {**DEFAULT, "start": "09:00", "breaks": []}
    assert client.put(WORKDAY, json=new, headers=world.headers).json() == new
    assert client.get(WORKDAY, headers=world.headers).json() == new
    actions = session.exec(select(AuditEvent.action)).all()
    assert "branch.workday" in actions


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({**DEFAULT, "start": "18:00"}, "before end"),
        ({**DEFAULT, "end": "25:00"}, "end"),
        ({**DEFAULT, "breaks": [{"start": "07:00", "end": "08:00"}]}, "outside the day"),
        (
            {
                **DEFAULT,
                "breaks": [{"start": "12:00", "end": "13:00"}, {"start": "12:30", "end": "14:00"}],
            },
            "overlaps",
        ),
        ({**DEFAULT, "max_work_minutes": 5}, "max_work_minutes"),
        ({**DEFAULT, "max_work_minutes": 10_000}, "max_work_minutes"),
        ({**DEFAULT, "breaks": [DEFAULT["breaks"][0]] * 9}, "breaks"),
    ],
)
def test_a_bad_workday_is_refused_with_what_to_fix(
    client: TestClient, world: World, body: dict[str, Any], says: str
) -> None:
    response = client.put(WORKDAY, json=body, headers=world.headers)
    assert response.status_code == 422 and says in response.text


def test_officer_overrides(
    client: TestClient, session: Session, world: World, auth_headers: TokenFor
) -> None:
    officer = world.officers[0]
    url = f"{WORKDAY}/officers/{officer.id}"
    own = {**DEFAULT, "start": "09:00", "end": "16:00", "max_work_minutes": 360}
    assert client.put(url, json=own, headers=world.headers).json()["workday"] == own
    listed = client.get(f"{WORKDAY}/officers", headers=world.headers).json()
    assert {(x["user_id"], json.dumps(x["workday"])) for x in listed} >= {
        (str(officer.id), json.dumps(own))
    }
    assert sum(x["workday"] is None for x in listed) == len(world.officers) - 1
    assert client.put(url, json=own, headers=auth_headers(officer.username)).status_code == 403
    assert client.delete(url, headers=world.headers).status_code == 204
    session.refresh(officer)
    assert officer.workday is None
    other = make_world(session)
    foreign = f"{WORKDAY}/officers/{other.officers[0].id}"
    assert client.put(foreign, json=own, headers=world.headers).status_code == 404


def test_a_plan_leaves_at_the_shift_start_and_keeps_lunch_free(
    client: TestClient, world: World
) -> None:
    borrowers = [world.borrower(near=0.05)[0] for _ in range(14)]
    response = client.post(
        "/api/v1/plans",
        json={
            "plan_date": TOMORROW.isoformat(),
            "borrower_ids": [str(b.id) for b in borrowers],
            "officer_ids": [str(o.id) for o in world.officers[:2]],
            **FAST,
        },
        headers=world.headers,
    )
    assert response.status_code == 201, response.text
    plan = response.json()
    for route in plan["summary"]["routes"]:
        if route["stops"]:
            assert route["start_at"].endswith("00:30:00+00:00")  # 08:30 in Shanghai
            assert datetime.fromisoformat(route["end_at"]).hour * 60 <= 9 * 60 + 30
    for visit in plan["visits"]:
        arrival = datetime.fromisoformat(visit["planned_arrival"])
        minute = (arrival.hour + 8) * 60 + arrival.minute  # local
        assert minute + 40 <= 12 * 60 or minute >= 13 * 60, visit


def test_a_remote_road_borrower_only_free_after_dark_is_reported_so(
    client: TestClient, world: World
) -> None:
    """A remote-road borrower home only from 16:30: no visit can end by sunset (16:56 at the
    end of November), so the plan says so instead of "the day is full"."""
    dark = world.borrower(
        safety_flags=["remote_road"], preferred_times=[{"start": "16:30", "end": "19:00"}]
    )[0]
    early = world.borrower(safety_flags=["remote_road"])[0]
    response = client.post(
        "/api/v1/plans",
        json={
            "plan_date": TOMORROW.isoformat(),
            "borrower_ids": [str(dark.id), str(early.id)],
            "officer_ids": [str(world.officers[0].id)],
            **FAST,
        },
        headers=world.headers,
    )
    assert response.status_code == 201, response.text
    plan = response.json()
    (left,) = plan["summary"]["unassigned"]
    assert (left["borrower_id"], left["reason"]) == (str(dark.id), "after_dark")
    assert "16:5" in left["text"] and "日落" in left["text_zh"]
    (visit,) = plan["visits"]
    assert visit["borrower_id"] == str(early.id)


def test_re_optimise_keeps_areas_unless_fresh(client: TestClient, world: World) -> None:
    borrowers = [world.borrower(near=0.05)[0] for _ in range(10)]
    plan = client.post(
        "/api/v1/plans",
        json={
            "plan_date": TOMORROW.isoformat(),
            "borrower_ids": [str(b.id) for b in borrowers],
            "officer_ids": [str(o.id) for o in world.officers[:3]],
            **FAST,
        },
        headers=world.headers,
    ).json()
    before = {v["id"]: v["officer_id"] for v in plan["visits"]}
    url = f"/api/v1/plans/{plan['id']}/optimise"
    kept = client.post(url, json=FAST, headers=world.headers).json()
    assert {v["id"]: v["officer_id"] for v in kept["visits"]} == before
    assert kept["summary"]["moves"] == []
    fresh = client.post(url, json={**FAST, "fresh": True}, headers=world.headers).json()
    after = {v["id"]: v["officer_id"] for v in fresh["visits"]}
    moved = {m["visit_id"] for m in fresh["summary"]["moves"]}
    assert moved >= {k for k in after if after[k] != before[k]}
    for move in fresh["summary"]["moves"]:
        assert move["borrower_name"] and move["from_route"] != move["to_route"]


class _Osrm(BaseHTTPRequestHandler):
    """OSRM's /table/v1/driving/{lon,lat;...}: straight lines at 36 km/h."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        raw = self.path.split("/table/v1/driving/", 1)[1].split("?", 1)[0]
        points = [(float(c.split(",")[1]), float(c.split(",")[0])) for c in raw.split(";")]
        metres = haversine_m(points) * 1.25
        body = {
            "code": "Ok",
            "durations": np.round(metres / 10).tolist(),
            "distances": np.round(metres).tolist(),
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def osrm() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Osrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_planning_through_osrm_and_a_clear_503_when_it_is_down(
    app: FastAPI, client: TestClient, settings: Settings, world: World, osrm: ThreadingHTTPServer
) -> None:
    url = f"http://127.0.0.1:{osrm.server_address[1]}"
    config = settings.model_copy(update={"travel": "osrm", "osrm_url": url, "osrm_timeout_s": 2})
    app.dependency_overrides[settings_dependency] = lambda: config
    borrowers = [world.borrower(near=0.05)[0] for _ in range(5)]
    body = {
        "plan_date": TOMORROW.isoformat(),
        "borrower_ids": [str(b.id) for b in borrowers],
        "officer_ids": [str(world.officers[0].id)],
        **FAST,
    }
    _Osrm.hits.clear()
    response = client.post("/api/v1/plans", json=body, headers=world.headers)
    assert response.status_code == 201, response.text
    assert _Osrm.hits and all("/table/v1/driving/" in hit for hit in _Osrm.hits)
    legs = [v["leg_distance_m"] for v in response.json()["visits"]]
    assert legs and all(leg > 0 for leg in legs)
    osrm.shutdown()
    osrm.server_close()
    others = [str(world.borrower(near=0.05)[0].id) for _ in range(3)]
    body = {**body, "officer_ids": [str(world.officers[1].id)], "borrower_ids": others}
    again = client.post("/api/v1/plans", json=body, headers=world.headers)
    assert again.status_code == 503
    assert "OSRM" in again.json()["detail"] and "unavailable" in again.json()["detail"]
