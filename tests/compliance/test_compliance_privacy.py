"""Privacy: a phone's pull carries masked identity numbers and nothing of other officers'
borrowers; nothing personal reaches the logs during an import and a full sync."""

from __future__ import annotations

import json
import logging
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from uvicorn.logging import AccessFormatter

from api.compliance.logs import install_log_redaction, redact, uninstall_log_redaction
from models import Borrower, Loan
from models.enums import Role
from tests.conftest import Clock, TokenFor
from tests.factories import make_branch, make_user, make_visit
from tests.imports.samples import csv_bytes, loan_row
from tests.phone import Phone

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
ROWS = [loan_row(n) for n in range(501, 507)]


def _import(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/imports/loans",
        files={"file": ("loans.csv", csv_bytes(ROWS), "text/csv")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == len(ROWS)


def _personal(row: dict[str, str]) -> list[str]:
    return [row["borrower_name"], row["phone"], row["national_id"], row["address"]]


def test_a_pull_holds_masked_ids_and_only_the_officers_borrowers(
    client: TestClient, session: Session, clock: Clock, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    alice, bob = make_user(session, branch), make_user(session, branch)
    _import(client, auth_headers(manager.username))
    by_account = {
        loan.account_number: (borrower, loan)
        for loan, borrower in session.exec(
            select(Loan, Borrower).join(Borrower).where(Borrower.branch_id == branch.id)
        )
    }
    mine, theirs = ROWS[:3], ROWS[3:]
    for rows, officer in ((mine, alice), (theirs, bob)):
        for row in rows:
            borrower, loan = by_account[row["account_number"]]
            make_visit(session, borrower, [officer], loans=[loan])

    phone = Phone(client, alice.username, now=clock).sign_in()
    phone.pull()
    pulled = json.dumps([entry["data"] for entry in phone.local.values()], ensure_ascii=False)
    assert ID_NUMBER.search(pulled) is None  # no full identity number, anywhere
    borrowers = [e["data"] for (kind, _), e in phone.local.items() if kind == "borrower"]
    assert sorted(b["name"] for b in borrowers) == sorted(r["borrower_name"] for r in mine)
    for b in borrowers:
        assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", b["national_id_masked"])
    for row in mine:
        assert row["national_id"] not in pulled
        assert row["national_id"][-4:] in pulled  # the masked form keeps the last four
    for row in theirs:
        for value in _personal(row):
            assert value not in pulled, value
    assert {str(bob.id)} & {
        v["data"]["officer_ids"][0] for (k, _), v in phone.local.items() if k == "visit"
    } == set()


def test_no_personal_data_in_the_logs(
    client: TestClient,
    session: Session,
    clock: Clock,
    auth_headers: TokenFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    for name in ("api", "fieldvisit", "models", "httpx", "uvicorn"):
        caplog.set_level(logging.DEBUG, logger=name)
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    officer, partner = make_user(session, branch), make_user(session, branch)
    headers = auth_headers(manager.username)
    _import(client, headers)
    # A broken row too: import errors are reported to the user, not logged.
    bad = loan_row(599, dpd="很久")
    client.post(
        "/api/v1/imports/loans",
        files={"file": ("bad.csv", csv_bytes([bad]), "text/csv")},
        headers=headers,
    )
    borrowers = session.exec(select(Borrower).where(Borrower.branch_id == branch.id)).all()
    visits = [make_visit(session, b, [officer, partner]) for b in borrowers[:3]]

    phone = Phone(client, officer.username, now=clock).sign_in()
    phone.pull()
    for visit, borrower in zip(visits, borrowers, strict=False):
        phone.queue(
            "visit.check_in",
            visit_id=visit.id,
            at="2026-11-23T02:10:00Z",
            co_visitor_ids=[partner.id],
        )
        phone.queue(
            "note.add",
            note_id=uuid.uuid4(),
            borrower_id=borrower.id,
            visit_id=visit.id,
            text=f"{borrower.name} 电话 {borrower.phone}",
            at="2026-11-23T02:20:00Z",
        )
        phone.queue(
            "visit.record_outcome",
            outcome_id=uuid.uuid4(),
            visit_id=visit.id,
            contact="third_party",
            hardship_detail=f"邻居知道{borrower.name}欠款",
            at="2026-11-23T02:30:00Z",
        )
    phone.queue("note.add", note_id="not-a-uuid", borrower_id=borrowers[0].id, text="x", at="x")
    phone.sync()
    client.get(f"/api/v1/borrowers/{borrowers[0].id}", headers=phone.headers)
    client.get("/api/v1/review", headers=headers)
    logging.getLogger("api.privacy_test").info("capture is on")

    assert "capture is on" in caplog.text
    for row in [*ROWS, bad]:
        for value in _personal(row):
            assert value not in caplog.text, value
    assert ID_NUMBER.search(caplog.text) is None


def test_log_redaction_masks_numbers_from_any_logger(caplog: pytest.LogCaptureFixture) -> None:
    assert redact("身份证 37142819800101001X 手机 13812345678") == (
        "身份证 3714**********001X 手机 138****5678"
    )
    assert redact("loan 62100000000501 amount 1200000") == "loan 62100000000501 amount 1200000"
    caplog.set_level(logging.INFO)
    install_log_redaction()
    install_log_redaction()  # once only
    try:
        logging.getLogger("some.library").info(
            "user %s called from %s", "371428198001010011", "13812345678"
        )
    finally:
        uninstall_log_redaction()
    assert caplog.messages[-1] == "user 3714**********0011 called from 138****5678"
    logging.getLogger("some.library").info("after %s", "13812345678")
    assert caplog.messages[-1] == "after 13812345678"  # uninstalled


def test_redaction_keeps_uvicorn_access_lines_formattable() -> None:
    """A URL with a phone-like number went through the redaction as `args=None`: uvicorn's
    access formatter unpacks five args, so it raised and the line was lost."""
    formatter = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s')
    install_log_redaction()
    try:
        record = logging.getLogger("uvicorn.access").makeRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", "/api/v1/borrowers?q=13812345678", "1.1", 200),
            None,
        )
        line = formatter.format(record)
    finally:
        uninstall_log_redaction()
    assert line == '127.0.0.1:5000 - "GET /api/v1/borrowers?q=138****5678 HTTP/1.1" 200 OK'
    assert "13812345678" not in line


def test_redaction_of_a_number_split_over_two_args_flattens_the_message() -> None:
    install_log_redaction()
    try:
        record = logging.getLogger("x").makeRecord(
            "x",
            logging.INFO,
            __file__,
            1,
            "phone %s%s, code %d",
            ("138", "12345678", 13812345678),
            None,
        )
    finally:
        uninstall_log_redaction()
    assert "12345678" not in record.getMessage()
    assert record.getMessage().startswith("phone 138****5678, code 138****5678")
