"""The manager's lists with filters and file exports, the branch limits, route guards."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from models.enums import Role
from tests.agreements.conftest import PhoneFor, World, sign_args
from tests.conftest import TokenFor
from tests.factories import make_branch, make_user
from tests.test_route_guards import api_routes, fill

API = "/api/v1"


@pytest.fixture
def synced(world: World, phone_for: PhoneFor) -> dict[str, str]:
    """Alice: an active agreement (borrower 0), one beyond limits (borrower 1), promises;
    Bob: a promise for borrower 2."""
    alice, bob = phone_for(world.alice), phone_for(world.bob)
    active = sign_args(
        visit=world.visits[0],
        loan=world.loans[0],
        principal_fen=300_000,
        down_payment_fen=60_000,
        schedule=[("2026-12-23", 120_000), ("2027-01-23", 120_000)],
    )
    pending = sign_args(
        visit=world.visits[1],
        loan=world.loans[1],
        principal_fen=123_456,
        down_payment_fen=0,
        schedule=[("2027-03-01", 123_456)],
    )
    alice.queue("agreement.sign", **active)
    alice.queue("agreement.sign", **pending)
    ids = {"active": str(active["agreement_id"]), "pending": str(pending["agreement_id"])}
    for name, phone, visit, loan, due in (
        ("p_alice", alice, world.visits[0], world.loans[0], "2026-11-30"),
        ("p_bob", bob, world.visits[2], world.loans[2], "2026-12-15"),
    ):
        ids[name] = str(uuid.uuid4())
        phone.queue(
            "promise.create",
            promise_id=ids[name],
            visit_id=visit.id,
            loan_id=loan.id,
            amount_fen=88_800,
            due_date=due,
            at="2026-11-23T02:30:00Z",
        )
        phone.sync()
    return ids


def test_agreement_list_filters(
    world: World, synced: dict[str, str], client: TestClient, auth_headers: TokenFor
) -> None:
    headers = auth_headers(world.manager.username)

    def ids(**params: str) -> list[str]:
        response = client.get(f"{API}/agreements", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()]

    assert set(ids()) == {synced["active"], synced["pending"]}
    assert ids(status="active") == [synced["active"]]
    assert set(ids(status="active,pending_approval")) == {synced["active"], synced["pending"]}
    assert ids(borrower_id=str(world.borrowers[1].id)) == [synced["pending"]]
    assert ids(officer_id=str(world.bob.id)) == []
    assert ids(due_from="2027-02-01") == [synced["pending"]]
    assert ids(due_from="2026-12-01", due_to="2026-12-31") == [synced["active"]]
    row = client.get(f"{API}/agreements", params={"status": "active"}, headers=headers).json()[0]
    assert row["borrower_name"] == world.borrowers[0].name
    assert row["account_number"] == world.loans[0].account_number
    assert (row["instalments"], row["next_due_date"], row["paid_fen"]) == (2, "2026-12-23", 0)
    full = client.get(f"{API}/agreements/{synced['active']}", headers=headers).json()
    assert [line["amount_fen"] for line in full["lines"]] == [120_000, 120_000]
    assert full["text"] and full["borrower_signature"].startswith("data:image/png")


def test_promise_list_filters(
    world: World, synced: dict[str, str], client: TestClient, auth_headers: TokenFor
) -> None:
    headers = auth_headers(world.manager.username)

    def ids(**params: str) -> list[str]:
        return [
            p["id"] for p in client.get(f"{API}/promises", params=params, headers=headers).json()
        ]

    assert ids() == [synced["p_alice"], synced["p_bob"]]  # by due date
    assert ids(officer_id=str(world.bob.id)) == [synced["p_bob"]]
    assert ids(due_to="2026-12-01") == [synced["p_alice"]]
    assert ids(status="kept") == []
    assert ids(status="open", borrower_id=str(world.borrowers[2].id)) == [synced["p_bob"]]
    officer = auth_headers(world.alice.username)
    assert client.get(f"{API}/promises", headers=officer).status_code == 403


def test_exports_are_file_downloads(
    world: World, synced: dict[str, str], client: TestClient, auth_headers: TokenFor
) -> None:
    headers = auth_headers(world.manager.username)
    response = client.get(f"{API}/agreements", params={"format": "csv"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and ".csv" in disposition
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["协议编号", "状态", "借款人"]
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[synced["pending"]][1] == "待审批"
    assert by_id[synced["pending"]][7] == "1234.56"
    assert "首付比例0%" in by_id[synced["pending"]][13]

    xlsx = client.get(
        f"{API}/promises", params={"format": "xlsx", "status": "open"}, headers=headers
    )
    assert xlsx.status_code == 200
    assert "spreadsheetml" in xlsx.headers["content-type"]
    assert "promises-" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "承诺编号"
    assert [(row[0], row[6]) for row in values[1:]] == [
        (synced["p_alice"], 888.0),
        (synced["p_bob"], 888.0),
    ]


def test_branch_limits_are_the_managers(
    world: World, phone_for: PhoneFor, client: TestClient, auth_headers: TokenFor
) -> None:
    url = f"{API}/branches/current/settings/agreements"
    headers = auth_headers(world.manager.username)
    defaults = client.get(url, headers=headers).json()
    assert defaults == {
        "max_instalments": 12,
        "min_down_payment_pct": 10.0,
        "max_term_days": 365,
        "grace_days": 3,
        "broken_after_missed": 2,
    }
    assert client.put(url, json={"max_instalments": 99}, headers=headers).status_code == 422
    assert client.put(url, json={"typo": 1}, headers=headers).status_code == 422
    saved = client.put(
        url, json={"max_instalments": 24, "min_down_payment_pct": 0}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    assert client.get(url, headers=headers).json()["max_instalments"] == 24
    officer = auth_headers(world.alice.username)
    assert client.get(url, headers=officer).status_code == 403
    # 18 instalments with no down payment are now within what an officer may agree.
    phone = phone_for(world.alice)
    months = [f"{2026 + (11 + i) // 12}-{(11 + i) % 12 + 1:02d}-15" for i in range(18)]
    phone.queue(
        "agreement.sign",
        **sign_args(
            visit=world.visits[0],
            loan=world.loans[0],
            principal_fen=1_800_000,
            down_payment_fen=0,
            schedule=[(day, 100_000) for day in months],
        ),
    )
    result = phone.push().json()["results"][0]
    assert result["status"] == "flagged"
    assert "instalments" not in result["reason"] and "down payment" not in result["reason"]
    assert "term of 539 days" in result["reason"]  # still beyond the 365-day term


def test_agreement_routes_are_guarded(
    app: FastAPI,
    world: World,
    synced: dict[str, str],
    client: TestClient,
    session: Session,
    auth_headers: TokenFor,
) -> None:
    """What tests/test_route_guards.py checks, for these routes, before they are wired."""
    mine = [
        (method, path)
        for method, path in api_routes(app)
        if path.startswith(
            (f"{API}/agreements", f"{API}/promises", f"{API}/branches/current/settings/agreements")
        )
    ]
    assert len(mine) == 12  # with POST /agreements/render (issue 13, item 8)
    values = {"agreement_id": synced["active"], "promise_id": synced["p_alice"]}
    for method, path in mine:
        response = client.request(method, fill(path, values), json={} if method != "GET" else None)
        assert response.status_code == 401, (method, path)
    elsewhere = make_branch(session)
    for role in (Role.officer, Role.manager):
        headers = auth_headers(make_user(session, elsewhere, role=role).username)
        for method, path in mine:
            if "{" not in path:
                continue
            response = client.request(
                method, fill(path, values), headers=headers, json={} if method != "GET" else None
            )
            assert response.status_code in (403, 404), (role, method, path, response.status_code)
