"""Formula injection (issue 13, item 4) in the agreement and promise lists' CSV and XLSX."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.agreements.conftest import PhoneFor, World, sign_args
from tests.conftest import TokenFor
from tests.test_exports import ATTACKS, assert_text_cell, read_csv, xlsx_cells

API = "/api/v1"


def test_agreement_and_promise_exports_quote_hostile_names(
    world: World,
    phone_for: PhoneFor,
    session: Session,
    client: TestClient,
    auth_headers: TokenFor,
) -> None:
    attack = ATTACKS[0]
    world.borrowers[0].name = attack
    session.add(world.borrowers[0])
    session.flush()
    alice = phone_for(world.alice)
    alice.queue(
        "agreement.sign",
        **sign_args(
            visit=world.visits[0],
            loan=world.loans[0],
            principal_fen=300_000,
            down_payment_fen=60_000,
            schedule=[("2026-12-23", 120_000), ("2027-01-23", 120_000)],
        ),
    )
    alice.queue(
        "promise.create",
        promise_id=str(uuid.uuid4()),
        visit_id=world.visits[0].id,
        loan_id=world.loans[0].id,
        amount_fen=88_800,
        due_date="2026-11-30",
        at="2026-11-23T02:30:00Z",
    )
    alice.sync()
    headers = auth_headers(world.manager.username)
    for path in ("agreements", "promises"):
        as_csv = client.get(f"{API}/{path}", params={"format": "csv"}, headers=headers)
        assert as_csv.status_code == 200, as_csv.text
        rows = read_csv(as_csv.content)
        assert rows[0][2] == "借款人" and len(rows) == 2
        assert rows[1][2] == "'" + attack
        as_xlsx = client.get(f"{API}/{path}", params={"format": "xlsx"}, headers=headers)
        assert as_xlsx.status_code == 200, as_xlsx.text
        cells = xlsx_cells(as_xlsx.content)
        assert_text_cell(cells[1][2], attack)
        assert all(cell.data_type != "f" for row in cells for cell in row)
