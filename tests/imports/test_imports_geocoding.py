"""Loan imports with rows without coordinates: geocoded (through the cache), counted and
reported; preferred times and safety flags columns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.config import Settings
from api.deps import settings_dependency
from api.geo.provider import Answer, Found, GeocoderUnavailable, Missing
from api.imports import service
from api.imports.geocoding import branch_city, geocode_rows
from api.imports.parse import parse_loans
from models import Borrower, GeocodeCache
from models.enums import Role
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_branch, make_user
from tests.geo.amap_server import AMAP_NOT_FOUND, amap_found, amap_server
from tests.imports.samples import LOAN_HEADERS_EN, csv_bytes, loan_row

KEY = "test-key"
HEADERS = [*LOAN_HEADERS_EN, "方便走访时间", "安全提示"]


class Recorded:
    """Answers by address: "号" addresses at house level, "无名" ones not found."""

    name = "amap"

    def __init__(self, down: bool = False) -> None:
        self.asked: list[tuple[str, str]] = []
        self.down = down

    def geocode(self, address: str, *, city: str = "") -> Answer:
        self.asked.append((address, city))
        if self.down:
            raise GeocoderUnavailable("amap did not answer in time")
        if "无名" in address:
            return Missing("the geocoder does not know this address; check it or place a pin")
        return Found(37.35, 116.57, "exact", address)


def _rows(**extra: Any) -> list[dict[str, Any]]:
    return [
        loan_row(1),  # coordinates in the file
        loan_row(2, lat="", lon=""),
        loan_row(3, lat="", lon="", address="无名路", village=""),
        {**loan_row(4, lat="", lon=""), **extra},
    ]


def _import(
    session: Session, branch_id: Any, rows: list[dict[str, Any]], geocoder: Recorded
) -> service.ImportReport:
    parsed = parse_loans(csv_bytes(rows, HEADERS), id_key=KEY)
    located = geocode_rows(
        session, geocoder=geocoder, branch_id=branch_id, rows=parsed, now=FIXED_NOW
    )
    return service.import_loans(
        session=session, branch_id=branch_id, actor_id=None, rows=located, now=FIXED_NOW
    )


def _by_name(session: Session, branch_id: Any) -> dict[str, Borrower]:
    session.expire_all()
    return {
        b.name: b for b in session.exec(select(Borrower).where(Borrower.branch_id == branch_id))
    }


def test_rows_without_coordinates_are_geocoded_and_reported(session: Session) -> None:
    branch = make_branch(session, address="山东省德州市陵城区安德街1号")
    geocoder = Recorded()
    report = _import(session, branch.id, _rows(), geocoder)
    assert report.locations() == {
        "located_from_file": 1,
        "geocoded": 2,
        "already_located": 0,
        "unlocated": 1,
    }
    assert report.unlocated == [
        {
            "row": 4,
            "name": "借款人3",
            "address": "无名路",
            "reason": "the geocoder does not know this address; check it or place a pin",
        }
    ]
    assert geocoder.asked[0] == ("山东省德州市陵城区某镇某村2号张庄2", "德州市")
    found = _by_name(session, branch.id)
    assert (found["借款人1"].location_source, found["借款人1"].location_precision) == (
        "import",
        "exact",
    )
    assert (found["借款人2"].location_source, found["借款人2"].lat) == ("geocoder", 37.35)
    assert found["借款人3"].lat is None and "does not know" in found["借款人3"].location_note
    assert found["借款人3"].location_source is None
    # Again: the cache knows every address (not-found ones too), nothing changes.
    again = Recorded()
    versions = {b.name: b.version for b in found.values()}
    report = _import(session, branch.id, _rows(), again)
    assert again.asked == []
    assert report.locations() == {
        "located_from_file": 1,
        "geocoded": 0,
        "already_located": 2,
        "unlocated": 1,
    }
    assert {b.name: b.version for b in _by_name(session, branch.id).values()} == versions
    assert len(session.exec(select(GeocodeCache)).all()) >= 3


def test_provider_down_leaves_rows_unlocated_and_is_not_cached(session: Session) -> None:
    branch = make_branch(session)
    report = _import(session, branch.id, _rows(), Recorded(down=True))
    assert report.locations()["unlocated"] == 3
    assert "geocoder unavailable" in report.unlocated[0]["reason"]
    retry = Recorded()
    report = _import(session, branch.id, _rows(), retry)
    assert len(retry.asked) == 3 and report.locations()["geocoded"] == 2


def test_a_learned_location_is_kept_over_the_file(session: Session) -> None:
    branch = make_branch(session)
    _import(session, branch.id, [loan_row(1)], Recorded())
    borrower = _by_name(session, branch.id)["借款人1"]
    borrower.lat, borrower.lon, borrower.location_source = 37.5, 116.7, "manager"
    session.flush()
    _import(session, branch.id, [loan_row(1, lat="37.1", lon="116.1")], Recorded())
    kept = _by_name(session, branch.id)["借款人1"]
    assert (kept.lat, kept.location_source) == (37.5, "manager")


def test_preferred_times_and_safety_flags_columns(session: Session) -> None:
    branch = make_branch(session)
    rows = [
        loan_row(
            1, 方便走访时间="周一至周五 18:00-20:00; 周六 09:00-12:00", 安全提示="恶犬、remote_road"
        ),
        loan_row(2, 方便走访时间="18:00-20:00", 安全提示=""),
        loan_row(3, 方便走访时间="晚上", 安全提示="恶狗"),
        loan_row(4, 方便走访时间="周八 18:00-20:00"),
    ]
    report = _import(session, branch.id, rows, Recorded())
    found = _by_name(session, branch.id)
    assert found["借款人1"].preferred_times == [
        {"weekdays": [0, 1, 2, 3, 4], "start": "18:00", "end": "20:00"},
        {"weekdays": [5], "start": "09:00", "end": "12:00"},
    ]
    assert found["借款人1"].safety_flags == ["aggressive_dog", "remote_road"]
    assert found["借款人2"].preferred_times == [
        {"weekdays": None, "start": "18:00", "end": "20:00"}
    ]
    errors = {(e.row, e.column): e.message for e in report.errors}
    assert "HH:MM-HH:MM" in errors[(4, "方便走访时间")]
    assert "恶狗" in errors[(4, "安全提示")] and "恶犬" in errors[(4, "安全提示")]
    assert "'周八' is not a day" in errors[(5, "方便走访时间")]


def test_branch_city() -> None:
    assert branch_city("山东省德州市陵城区安德街1号", {}) == "德州市"
    assert branch_city("陵城区", {}) == ""
    assert branch_city("x", {"geocoder_city": "德州"}) == "德州"


def test_upload_geocodes_through_a_local_amap_server(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, auth_headers: TokenFor
) -> None:
    def answer(address: str) -> dict[str, object]:
        return AMAP_NOT_FOUND if "无名" in address else amap_found(37.36, 116.58, "村庄")

    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    headers = auth_headers(manager.username)
    with amap_server(answer) as (url, asked):
        configured = settings.model_copy(
            update={
                "geocoder": "amap",
                "geocoder_url": url,
                "geocoder_key": "k",
                "geocoder_rate": 1000.0,
            }
        )
        app.dependency_overrides[settings_dependency] = lambda: configured
        data = csv_bytes(_rows(), HEADERS)
        response = client.post(
            "/api/v1/imports/loans", files={"file": ("l.csv", data, "text/csv")}, headers=headers
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["located_from_file"], body["geocoded"], body["unlocated"]) == (1, 2, 1)
    assert body["unlocated_rows"][0]["row"] == 4
    assert len(asked) == 3
    located = _by_name(session, branch.id)["借款人2"]
    assert (located.location_source, located.location_precision) == ("geocoder", "village")
