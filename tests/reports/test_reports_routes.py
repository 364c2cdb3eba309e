from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from models import LoanSnapshot, Payment, Promise, VisitOutcome
from models.enums import Contact, PromiseStatus, Role, VisitStatus
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit

DAY = date(2026, 11, 2)


def test_kpis_from_visits_promises_payments_and_snapshots(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    a, b = make_user(session, branch), make_user(session, branch)
    borrower = make_borrower(session, branch)
    loan = make_loan(session, borrower, overdue_fen=200_000, dpd=45)
    session.add(
        LoanSnapshot(
            loan_id=loan.id,
            as_of=DAY - timedelta(days=3),
            dpd=45,
            overdue_fen=200_000,
            outstanding_fen=900_000,
        )
    )
    session.add(
        LoanSnapshot(
            loan_id=loan.id,
            as_of=DAY + timedelta(days=10),
            dpd=0,
            overdue_fen=0,
            outstanding_fen=700_000,
        )
    )
    session.add(
        Payment(
            loan_id=loan.id, reference="R1", paid_on=DAY + timedelta(days=9), amount_fen=200_000
        )
    )
    session.add(
        Payment(loan_id=loan.id, reference="R2", paid_on=DAY + timedelta(days=45), amount_fen=1)
    )
    done = make_visit(
        session, borrower, [a, b], plan_date=DAY, loans=[loan], status=VisitStatus.done
    )
    done.leg_distance_m = 12_000
    session.add(
        VisitOutcome(
            id=uuid.uuid4(),
            visit_id=done.id,
            officer_id=a.id,
            contact=Contact.borrower,
            hardship_reasons=["illness", "market_change"],
            at=FIXED_NOW,
        )
    )
    session.add(
        Promise(
            id=uuid.uuid4(),
            visit_id=done.id,
            loan_id=loan.id,
            borrower_id=borrower.id,
            officer_id=a.id,
            amount_fen=200_000,
            due_date=DAY + timedelta(days=7),
            status=PromiseStatus.kept,
            made_at=FIXED_NOW,
        )
    )
    other = make_borrower(session, branch)
    make_visit(session, other, [b], plan_date=DAY, loans=[make_loan(session, other)])
    session.flush()
    headers = auth_headers(manager.username)
    params = {"from": "2026-11-01", "to": "2026-11-30"}

    (row,) = client.get("/api/v1/reports/kpis", params=params, headers=headers).json()["rows"]
    assert (row["visits_planned"], row["visits_completed"]) == (2, 1)
    assert row["contact_rate"] == 1.0 and row["ptp_rate"] == 1.0 and row["ptp_kept_rate"] == 1.0
    assert row["recovered_fen"] == 200_000 and row["recovery_rate"] == 1.0
    assert row["cure_rate"] == 1.0 and row["km_per_visit"] == 12.0

    by_officer = client.get(
        "/api/v1/reports/kpis", params={**params, "group_by": "officer"}, headers=headers
    ).json()["rows"]
    assert {r["group_label"]: r["visits_planned"] for r in by_officer} == {
        a.full_name: 1,
        b.full_name: 2,
    }

    hardship = client.get("/api/v1/reports/hardship", params=params, headers=headers).json()["rows"]
    assert {h["code"]: h["count"] for h in hardship} == {"illness": 1, "market_change": 1}
    assert hardship[0]["label_zh"] in ("疫情或疾病", "市场环境变化")

    xlsx = client.get("/api/v1/reports/kpis", params={**params, "format": "xlsx"}, headers=headers)
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(1, 5).value == "接触率 contact rate"
    csv = client.get("/api/v1/reports/kpis", params={**params, "format": "csv"}, headers=headers)
    assert csv.content.startswith("\ufeff".encode()) and "完成走访" in csv.text


def test_reports_check_role_and_range(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    manager = make_user(session, branch, role=Role.manager)
    params = {"from": "2026-11-30", "to": "2026-11-01"}
    assert (
        client.get(
            "/api/v1/reports/kpis", params=params, headers=auth_headers(officer.username)
        ).status_code
        == 403
    )
    bad = client.get("/api/v1/reports/kpis", params=params, headers=auth_headers(manager.username))
    assert bad.status_code == 422 and "swap the dates" in bad.json()["detail"]
    other_branch_manager = make_user(session, make_branch(session), role=Role.manager)
    rows = client.get(
        "/api/v1/reports/kpis",
        params={"from": "2026-11-01", "to": "2026-11-30"},
        headers=auth_headers(other_branch_manager.username),
    ).json()["rows"]
    assert rows == []
