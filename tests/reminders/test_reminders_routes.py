"""GET /api/v1/reminders, marking one sent, the branch template: scope, export, bounds."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from models import Agreement, AgreementLine, AuditEvent, ContactLog, Visit
from models.enums import AgreementStatus, Role, ScheduleLineStatus
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit
from tests.sync.conftest import World

TODAY = date(2026, 11, 23)  # FIXED_NOW in Asia/Shanghai


def _agreement(session: Session, visit: Visit, *lines: tuple[int, int, int]) -> list[int]:
    """An active agreement at `visit` with lines (days from today, amount, paid)."""
    agreement = Agreement(
        id=uuid.uuid4(),
        visit_id=visit.id,
        loan_id=uuid.UUID(visit.loan_ids[0]),
        borrower_id=visit.borrower_id,
        officer_id=visit.officer_id,
        principal_fen=sum(amount for _, amount, _ in lines),
        text="t",
        text_sha256="0" * 64,
        borrower_signature="",
        officer_signature="",
        signed_at=FIXED_NOW - timedelta(days=10),
        content_sha256="0" * 64,
        status=AgreementStatus.active,
    )
    session.add(agreement)
    session.flush()
    rows = [
        AgreementLine(
            agreement_id=agreement.id,
            seq=i + 1,
            due_date=TODAY + timedelta(days=days),
            amount_fen=amount,
            paid_fen=paid,
            status=ScheduleLineStatus.paid if paid >= amount else ScheduleLineStatus.due,
        )
        for i, (days, amount, paid) in enumerate(lines)
    ]
    session.add_all(rows)
    session.flush()
    return [row.id or 0 for row in rows]


@pytest.fixture
def lines(session: Session, world: World) -> dict[str, list[int]]:
    world.branch.phone = "0534-2223333"
    session.add(world.branch)
    return {
        # Alice's visit: due today, in 3 days (half paid), in 5 days, and one paid already.
        "alice": _agreement(
            session,
            world.visits[0],
            (0, 50_000, 0),
            (3, 50_000, 20_000),
            (5, 50_000, 0),
            (1, 10, 10),
        ),
        # Bob's visit: due tomorrow.
        "bob": _agreement(session, world.visits[3], (1, 80_000, 0)),
    }


def _list(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    response = client.get("/api/v1/reminders", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_manager_sees_the_branch_and_each_officer_their_own(
    client: TestClient, world: World, lines: dict[str, list[int]], auth_headers: TokenFor
) -> None:
    body = _list(client, auth_headers(world.manager.username))
    assert (body["date_from"], body["date_to"]) == ("2026-11-23", "2026-11-26")
    got = [(r["line_id"], r["amount_fen"], r["officer_name"]) for r in body["items"]]
    a, b = lines["alice"], lines["bob"]
    assert got == [
        (a[0], 50_000, world.alice.full_name),
        (b[0], 80_000, world.bob.full_name),
        (a[1], 30_000, world.alice.full_name),
    ]
    first = body["items"][0]
    assert first["phone"] == world.borrowers[0].phone and first["sent_at"] is None
    assert "500.00元" in first["sms_text"] and "0534-2223333" in first["sms_text"]
    assert world.borrowers[0].name in first["sms_text"]
    alice = _list(client, auth_headers(world.alice.username))
    assert [r["line_id"] for r in alice["items"]] == [a[0], a[1]]
    bob = _list(client, auth_headers(world.bob.username))
    assert [r["line_id"] for r in bob["items"]] == [b[0]]
    wider = _list(client, auth_headers(world.manager.username), days=7)
    assert a[2] in [r["line_id"] for r in wider["items"]]


def test_another_branch_sees_nothing_and_cannot_mark(
    client: TestClient,
    world: World,
    lines: dict[str, list[int]],
    session: Session,
    auth_headers: TokenFor,
) -> None:
    other = make_branch(session)
    manager = make_user(session, other, role=Role.manager)
    borrower = make_borrower(session, other)
    officer = make_user(session, other)
    _agreement(
        session,
        make_visit(session, borrower, [officer], loans=[make_loan(session, borrower)]),
        (1, 1, 0),
    )
    headers = auth_headers(manager.username)
    assert [r["officer_id"] for r in _list(client, headers)["items"]] == [str(officer.id)]
    stolen = client.post(f"/api/v1/reminders/{lines['alice'][0]}/sent", headers=headers)
    assert stolen.status_code == 404
    # Nor an officer the visit is not assigned to.
    bob = client.post(
        f"/api/v1/reminders/{lines['alice'][0]}/sent", headers=auth_headers(world.bob.username)
    )
    assert bob.status_code == 404
    assert session.exec(select(ContactLog)).all() == []


def test_marking_sent_records_one_sms_contact(
    client: TestClient,
    world: World,
    lines: dict[str, list[int]],
    session: Session,
    auth_headers: TokenFor,
) -> None:
    line_id = lines["alice"][0]
    headers = auth_headers(world.alice.username)
    first = client.post(f"/api/v1/reminders/{line_id}/sent", headers=headers)
    assert first.status_code == 200 and first.json()["already_sent"] is False
    again = client.post(
        f"/api/v1/reminders/{line_id}/sent", headers=auth_headers(world.manager.username)
    )
    assert again.status_code == 200 and again.json()["already_sent"] is True
    assert again.json()["contact_id"] == first.json()["contact_id"]
    (contact,) = session.exec(select(ContactLog)).all()
    assert (contact.channel, contact.result, contact.agreement_line_id) == ("sms", "sent", line_id)
    assert contact.borrower_id == world.borrowers[0].id and contact.officer_id == world.alice.id
    assert "500.00" in contact.note
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "reminder.sent")).all()
    assert [a.entity_id for a in audited] == [str(contact.id)]
    (sent,) = [r for r in _list(client, headers)["items"] if r["line_id"] == line_id]
    assert sent["sent_at"] is not None
    # A paid instalment is no reminder.
    paid = client.post(f"/api/v1/reminders/{lines['alice'][3]}/sent", headers=headers)
    assert paid.status_code == 404


@pytest.mark.parametrize("line_id", ["0", "-1", str(2**31), "abc", "1e9"])
def test_bad_instalment_ids_are_refused_clearly(
    client: TestClient, world: World, auth_headers: TokenFor, line_id: str
) -> None:
    response = client.post(
        f"/api/v1/reminders/{line_id}/sent", headers=auth_headers(world.manager.username)
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "params", [{"days": 0}, {"days": 15}, {"days": "x"}, {"format": "pdf"}, {"days": 10**20}]
)
def test_bad_queries_are_refused(
    client: TestClient, world: World, auth_headers: TokenFor, params: dict[str, Any]
) -> None:
    response = client.get(
        "/api/v1/reminders", params=params, headers=auth_headers(world.manager.username)
    )
    assert response.status_code == 422


def test_exports_neutralise_formulas(
    client: TestClient,
    world: World,
    lines: dict[str, list[int]],
    session: Session,
    auth_headers: TokenFor,
) -> None:
    world.borrowers[0].name = '=HYPERLINK("http://x","点我")'
    world.borrowers[0].phone = "+8613800000000"
    session.add(world.borrowers[0])
    session.flush()
    headers = auth_headers(world.manager.username)
    response = client.get("/api/v1/reminders", params={"format": "csv"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "还款日 due date" and len(rows) == 4
    assert rows[1][1] == "'" + world.borrowers[0].name and rows[1][2] == "'+8613800000000"
    assert rows[1][4] == "500.00"
    xlsx = client.get("/api/v1/reminders", params={"format": "xlsx"}, headers=headers)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and str(cell.value).startswith("'=")


def test_the_branch_template(
    client: TestClient,
    world: World,
    lines: dict[str, list[int]],
    session: Session,
    auth_headers: TokenFor,
) -> None:
    manager = auth_headers(world.manager.username)
    url = "/api/v1/branches/current/settings/reminder-template"
    default = client.get(url, headers=manager).json()
    assert default["is_default"] is True and "{amount}" in default["template"]
    assert client.get(url, headers=auth_headers(world.alice.username)).status_code == 403
    officer_put = client.put(
        url, json={"template": "{name}"}, headers=auth_headers(world.alice.username)
    )
    assert officer_put.status_code == 403
    for bad in ("{name.__class__.__init__}", "{balance}", "", "x" * 301):
        refused = client.put(url, json={"template": bad}, headers=manager)
        assert refused.status_code == 422, bad
    saved = client.put(
        url,
        json={"template": "{name}: {amount} due {due_date}, call {branch_phone}"},
        headers=manager,
    )
    assert saved.status_code == 200 and saved.json()["is_default"] is False
    first = _list(client, manager)["items"][0]
    assert (
        first["sms_text"] == f"{world.borrowers[0].name}: 500.00 due 2026-11-23, call 0534-2223333"
    )
    audited = session.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "branch.settings.reminder_template")
    ).all()
    assert len(audited) == 1
