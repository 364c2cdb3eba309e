"""POST /api/v1/imports/loans and /payments through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models import Loan
from models.enums import Role
from tests.conftest import TokenFor
from tests.factories import make_branch, make_user
from tests.imports.samples import (
    LOAN_HEADERS_EN,
    LOAN_HEADERS_ZH,
    PAYMENT_HEADERS_EN,
    PAYMENT_HEADERS_ZH,
    csv_bytes,
    loan_row,
    payment_row,
    xlsx_bytes,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(
    client: TestClient, path: str, data: bytes, headers: dict[str, str], name: str = "loans.csv"
) -> dict[str, object]:
    kind = XLSX if name.endswith(".xlsx") else "text/csv"
    response = client.post(path, files={"file": (name, data, kind)}, headers=headers)
    return {"status": response.status_code, "body": response.json()}


def test_manager_imports_a_gbk_file_with_bad_rows(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    headers = auth_headers(manager.username)
    rows = [loan_row(1), loan_row(2, overdue_amount="三万"), loan_row(3), loan_row(4, dpd="-3")]
    data = csv_bytes(rows, names=LOAN_HEADERS_ZH, encoding="gbk")
    result = _upload(client, "/api/v1/imports/loans", data, headers)
    assert result["status"] == 200, result
    body = result["body"]
    assert isinstance(body, dict)
    assert {k: body[k] for k in ("rows", "created", "updated", "unchanged", "failed")} == {
        "rows": 4,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "failed": 2,
    }
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "逾期金额"), (5, "逾期天数")]
    assert all(e["message"] for e in body["errors"])
    stored = session.exec(select(Loan).where(Loan.branch_id == branch.id)).all()
    assert sorted(x.account_number for x in stored) == sorted(
        [loan_row(1)["account_number"], loan_row(3)["account_number"]]
    )

    again = _upload(client, "/api/v1/imports/loans", data, headers)
    assert again["body"]["unchanged"] == 2 and again["body"]["created"] == 0  # type: ignore[index]


def test_xlsx_upload_then_payments(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    headers = auth_headers(manager.username)
    loans = _upload(
        client,
        "/api/v1/imports/loans",
        xlsx_bytes([loan_row(11), loan_row(12)], names=LOAN_HEADERS_ZH),
        headers,
        "逾期贷款.xlsx",
    )
    assert loans["status"] == 200 and loans["body"]["created"] == 2  # type: ignore[index]
    account = loan_row(11)["account_number"]
    payments = csv_bytes(
        [payment_row(1, account), payment_row(2, "UNKNOWN")],
        PAYMENT_HEADERS_EN,
        names=PAYMENT_HEADERS_ZH,
    )
    first = _upload(client, "/api/v1/imports/payments", payments, headers, "还款.csv")
    assert first["status"] == 200
    body = first["body"]
    assert isinstance(body, dict)
    assert (body["created"], body["failed"]) == (1, 1)
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "账号"
    second = _upload(client, "/api/v1/imports/payments", payments, headers, "还款.csv")
    assert (second["body"]["created"], second["body"]["unchanged"]) == (0, 1)  # type: ignore[index]


def test_missing_columns_and_unreadable_files_answer_422(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    headers = auth_headers(make_user(session, branch, role=Role.manager).username)
    without = [h for h in LOAN_HEADERS_EN if h not in ("dpd", "phone")]
    result = _upload(client, "/api/v1/imports/loans", csv_bytes([loan_row(1)], without), headers)
    assert result["status"] == 422
    body = result["body"]
    assert isinstance(body, dict)
    assert body["missing_columns"] == ["phone (手机号)", "dpd (逾期天数)"]
    assert "phone" in body["detail"] and "dpd" in body["detail"]
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    assert _upload(client, "/api/v1/imports/loans", png, headers, "x.png")["status"] == 422
    payments = _upload(client, "/api/v1/imports/payments", b"reference\nX1\n", headers)
    assert payments["status"] == 422
    assert "account_number" in payments["body"]["detail"]  # type: ignore[index]


def test_only_managers_import(client: TestClient, session: Session, auth_headers: TokenFor) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    data = csv_bytes([loan_row(1)])
    for path in ("/api/v1/imports/loans", "/api/v1/imports/payments"):
        assert _upload(client, path, data, auth_headers(officer.username))["status"] == 403
        assert _upload(client, path, data, {})["status"] == 401
    assert session.exec(select(Loan).where(Loan.branch_id == branch.id)).all() == []


def test_import_goes_into_the_managers_own_branch(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    mine, theirs = make_branch(session), make_branch(session)
    headers = auth_headers(make_user(session, mine, role=Role.manager).username)
    other_manager = make_user(session, theirs, role=Role.manager)
    _upload(
        client,
        "/api/v1/imports/loans",
        csv_bytes([loan_row(21)]),
        auth_headers(other_manager.username),
    )
    result = _upload(client, "/api/v1/imports/loans", csv_bytes([loan_row(21, dpd="99")]), headers)
    assert result["body"]["failed"] == 1  # type: ignore[index]
    loan = session.exec(
        select(Loan).where(Loan.account_number == loan_row(21)["account_number"])
    ).one()
    assert loan.branch_id == theirs.id and loan.dpd == 45
