"""Issue 14's whole journey, as a new branch lives it: an address-only core-banking export
geocoded through a stand-in AMap service, the working day set to 08:30-17:30 with lunch, an
automatic plan inside it, and a phone that sees nothing of the draft until it is published."""

from __future__ import annotations

import zlib
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.config import Settings
from api.deps import settings_dependency
from tests.conftest import Clock, TokenFor
from tests.geo.amap_server import AMAP_NOT_FOUND, amap_found, amap_server
from tests.imports.samples import LOAN_HEADERS_EN, csv_bytes, loan_row
from tests.phone import Phone
from tests.planning.world import BRANCH_AT, TOMORROW, make_world

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKDAY = {
    "start": "08:30",
    "end": "17:30",
    "breaks": [{"start": "12:00", "end": "13:00"}],
    "max_work_minutes": 480,
}


def _answer(address: str) -> dict[str, object]:
    """Village-level points scattered around the branch; "无名" addresses are not found."""
    if "无名" in address:
        return AMAP_NOT_FOUND
    spread = zlib.crc32(address.encode())
    lat = BRANCH_AT[0] + ((spread % 101) - 50) * 0.0008
    lon = BRANCH_AT[1] + ((spread // 101 % 101) - 50) * 0.0008
    return amap_found(lat, lon, "村庄")


def _export() -> bytes:
    """Twelve borrowers with addresses only; one address nobody can find."""
    rows = [loan_row(n, lat="", lon="", address=f"陵城区某镇{n}村{n}号") for n in range(1, 12)]
    rows.append(loan_row(12, lat="", lon="", address="无名路", village=""))
    return csv_bytes(rows, LOAN_HEADERS_EN)


def _local(value: str) -> time:
    return datetime.fromisoformat(value).astimezone(SHANGHAI).time()


def test_an_address_only_branch_plans_inside_its_working_day_and_publishes(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Settings,
    clock: Clock,
    auth_headers: TokenFor,
) -> None:
    world = make_world(session, officers=2, address="山东省德州市陵城区安德街1号")
    headers = auth_headers(world.manager.username)
    with amap_server(_answer) as (url, asked):
        configured = settings.model_copy(
            update={"geocoder": "amap", "geocoder_url": url, "geocoder_key": "k"}
        )
        app.dependency_overrides[settings_dependency] = lambda: configured
        files = {"file": ("export.csv", _export(), "text/csv")}
        report = client.post("/api/v1/imports/loans", files=files, headers=headers)
    assert report.status_code == 200, report.text
    counts = report.json()
    # Every borrower is located or reported, with the reason kept for the manager.
    assert (counts["geocoded"], counts["unlocated"], counts["located_from_file"]) == (11, 1, 0)
    assert len(asked) == 12
    unlocated = client.get("/api/v1/borrowers", params={"located": "false"}, headers=headers)
    (lost,) = unlocated.json()["items"]
    assert lost["address"] == "无名路" and lost["location_note"]
    located = client.get("/api/v1/borrowers", params={"located": "true"}, headers=headers)
    assert {b["location_source"] for b in located.json()["items"]} == {"geocoder"}
    assert {b["location_precision"] for b in located.json()["items"]} == {"village"}

    put = client.put("/api/v1/branches/current/settings/workday", json=WORKDAY, headers=headers)
    assert put.status_code == 200, put.text

    body = {
        "plan_date": TOMORROW.isoformat(),
        "auto": True,
        "teams": [[str(world.officers[0].id)], [str(world.officers[1].id)]],
        "max_iterations": 500,
    }
    created = client.post("/api/v1/plans", json=body, headers=headers)
    assert created.status_code == 201, created.text
    plan: dict[str, Any] = created.json()
    summary = plan["summary"]
    reasons = {u["borrower_id"]: u["reason"] for u in summary["unassigned"]}
    assert reasons.get(lost["id"]) == "no_location"
    routes = [r for r in summary["routes"] if r["stops"]]
    assert routes and sum(r["stops"] for r in routes) == len(plan["visits"])
    for route in routes:
        assert _local(route["start_at"]) == time(8, 30)  # leaves at the shift start
        assert _local(route["end_at"]) <= time(17, 30)  # back by its end
    for visit in plan["visits"]:
        arrival = datetime.fromisoformat(visit["planned_arrival"])
        start = arrival.astimezone(SHANGHAI).time()
        end = (arrival.astimezone(SHANGHAI) + _service(summary)).time()
        assert time(8, 30) <= start and end <= time(17, 30)
        assert end <= time(12, 0) or start >= time(13, 0), visit  # lunch stays free

    # The officer's phone: nothing of the draft; everything once published.
    phone = Phone(client, world.officers[0].username, now=clock).sign_in()
    phone.pull()
    assert phone.ids("visit") == set() and phone.ids("route") == set()
    published = client.post(f"/api/v1/plans/{plan['id']}/publish", headers=headers)
    assert published.status_code == 200, published.text
    phone.pull()
    mine = {v["id"] for v in plan["visits"] if v["officer_id"] == str(world.officers[0].id)}
    assert mine and phone.ids("visit") == mine
    (route_id,) = phone.ids("route")
    pulled = phone.local[("route", route_id)]["data"]
    (same,) = [r for r in summary["routes"] if r["lead_id"] == str(world.officers[0].id)]
    assert (pulled["distance_m"], pulled["visit_ids"]) == (same["distance_m"], same["visit_ids"])


def _service(summary: dict[str, Any]) -> timedelta:
    return timedelta(minutes=summary["settings"]["service_min"])
