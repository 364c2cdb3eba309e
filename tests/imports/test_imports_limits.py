"""Unbounded imports (issue 13, item 12): rows per file are capped (413), the error list is
capped (every error counted, the first N listed), and the file is parsed before the request
touches the database (on SQLite its first query takes the write lock)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from api.config import Settings
from api.deps import settings_dependency
from api.imports import parse
from models import Loan
from models.enums import Role
from tests.conftest import TokenFor
from tests.factories import make_branch, make_user
from tests.imports.samples import PAYMENT_HEADERS_EN, csv_bytes, loan_row, payment_row, xlsx_bytes

API = "/api/v1/imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def limited(app: FastAPI, settings: Settings) -> Settings:
    small = settings.model_copy(update={"import_max_rows": 20, "import_max_errors": 5})
    app.dependency_overrides[settings_dependency] = lambda: small
    return small


@pytest.fixture
def manager_headers(session: Session, auth_headers: TokenFor) -> dict[str, str]:
    branch = make_branch(session)
    return auth_headers(make_user(session, branch, role=Role.manager).username)


def _post(client: TestClient, path: str, data: bytes, headers: dict[str, str], name: str) -> Any:
    kind = XLSX if name.endswith(".xlsx") else "text/csv"
    return client.post(f"{API}/{path}", files={"file": (name, data, kind)}, headers=headers)


@pytest.mark.parametrize("name", ["loans.csv", "loans.xlsx"])
def test_a_file_over_the_row_cap_answers_413(
    limited: Settings,
    client: TestClient,
    session: Session,
    manager_headers: dict[str, str],
    name: str,
) -> None:
    rows = [loan_row(i) for i in range(1, 22)]  # 21 rows: one over the cap
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    response = _post(client, "loans", data, manager_headers, name)
    assert response.status_code == 413, response.text
    detail = response.json()["detail"]
    assert "more than 20 data rows" in detail and "Split it" in detail
    assert session.exec(select(Loan)).first() is None
    at_cap = _post(client, "loans", csv_bytes(rows[:20]), manager_headers, "loans.csv")
    assert at_cap.status_code == 200, at_cap.text
    assert at_cap.json()["created"] == 20


def test_many_bad_rows_are_counted_and_the_first_listed(
    limited: Settings, client: TestClient, manager_headers: dict[str, str]
) -> None:
    rows = [payment_row(i, "ACC1", amount="abc") for i in range(1, 19)]  # 18 bad rows
    data = csv_bytes(rows, PAYMENT_HEADERS_EN)
    response = _post(client, "payments", data, manager_headers, "payments.csv")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"] == 18 and body["failed"] == 18
    assert body["error_count"] >= 18
    assert len(body["errors"]) == 5
    assert [e["row"] for e in body["errors"]] == sorted(e["row"] for e in body["errors"])
    assert body["errors"][0]["row"] == 2


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_the_file_is_parsed_before_any_query(
    client: TestClient,
    manager_headers: dict[str, str],
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On SQLite a request's first query begins `BEGIN IMMEDIATE`: parsing after it held the
    write lock for the whole parse and stalled the phones' pulls."""
    queries_at_parse: list[int] = []
    real = parse.parse_loans

    def spy(data: bytes, **kwargs: Any) -> parse.ParseResult[parse.LoanRow]:
        queries_at_parse.append(len(statements))
        return real(data, **kwargs)

    monkeypatch.setattr(parse, "parse_loans", spy)
    statements.clear()
    response = _post(client, "loans", csv_bytes([loan_row(1)]), manager_headers, "loans.csv")
    assert response.status_code == 200, response.text
    assert queries_at_parse == [0], statements[: queries_at_parse[0]]
    assert statements  # the import itself ran its queries after

    # Nobody parses a file without a valid token.
    queries_at_parse.clear()
    anonymous = _post(client, "loans", csv_bytes([loan_row(1)]), {}, "loans.csv")
    assert anonymous.status_code == 401 and queries_at_parse == []
