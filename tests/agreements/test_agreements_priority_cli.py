"""Broken agreements and missed instalments in the visit priority; `fieldvisit reconcile`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.agreements.cli import register
from api.agreements.facts import AgreementFacts
from api.planning.priority import (
    BorrowerFacts,
    LoanFacts,
    PrioritySettings,
    score,
)
from models import Agreement, AgreementLine, AuditEvent, Borrower, Branch, Loan, Payment, User
from models.enums import AgreementStatus, LoanStatus, Role
from tests.conftest import build_database

TODAY = date(2026, 11, 23)
LOAN = LoanFacts("l1", "ACC1", 45, 1_200_000, 8_000_000, LoanStatus.active)


def test_broken_agreements_and_missed_instalments_raise_priority() -> None:
    settings = PrioritySettings()
    base = score(BorrowerFacts(loans=[LOAN], last_contact=TODAY), today=TODAY, settings=settings)
    facts = BorrowerFacts(
        loans=[LOAN],
        last_contact=TODAY,
        agreements=[
            AgreementFacts(AgreementStatus.broken, 2, TODAY - timedelta(days=3)),
            AgreementFacts(AgreementStatus.active, 1),
            AgreementFacts(AgreementStatus.broken, 2, TODAY - timedelta(days=400)),  # too old
            AgreementFacts(AgreementStatus.fulfilled, 1),
        ],
    )
    scored = score(facts, today=TODAY, settings=settings)
    reasons = {r.code: r for r in scored.reasons}
    assert reasons["broken_agreements"].text == "1 broken agreement"
    assert reasons["broken_agreements"].text_zh == "1份分期还款协议已违约"
    assert reasons["missed_instalments"].text == "1 missed instalment"
    assert scored.score == base.score + 25 + 10


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    engine = build_database(f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr("api.db.get_engine", lambda: engine)
    yield engine
    engine.dispose()


def test_reconcile_from_the_command_line(cli_engine: Engine) -> None:
    signed = datetime.now(UTC) - timedelta(days=40)
    agreement_id = uuid.uuid4()
    with Session(cli_engine) as session:
        branch = Branch(code="REC-1", name="对账支行", lat=37.3, lon=116.5)
        session.add(branch)
        session.flush()
        officer = User(
            branch_id=branch.id,
            username="rec",
            full_name="对账",
            role=Role.officer,
            password_hash="x",
        )
        borrower = Borrower(
            branch_id=branch.id,
            name="王五",
            national_id_masked="3714**********0001",
            national_id_hash="h",
        )
        session.add_all([officer, borrower])
        session.flush()
        loan = Loan(
            branch_id=branch.id,
            borrower_id=borrower.id,
            account_number="REC0001",
            product="贷款",
            principal_fen=100_000,
            outstanding_fen=100_000,
            overdue_fen=10_000,
        )
        session.add(loan)
        session.flush()
        session.add(
            Agreement(
                id=agreement_id,
                loan_id=loan.id,
                borrower_id=borrower.id,
                officer_id=officer.id,
                principal_fen=10_000,
                down_payment_fen=0,
                text="t",
                text_sha256="0" * 64,
                borrower_signature="",
                officer_signature="",
                signed_at=signed,
                content_sha256="0" * 64,
                status=AgreementStatus.active,
            )
        )
        session.flush()
        session.add(
            AgreementLine(
                agreement_id=agreement_id,
                seq=1,
                due_date=signed.date() + timedelta(days=10),
                amount_fen=10_000,
            )
        )
        session.add(
            Payment(
                loan_id=loan.id,
                reference="R1",
                paid_on=signed.date() + timedelta(days=5),
                amount_fen=10_000,
            )
        )
        session.commit()

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a group, so the command is called by name
    runner = CliRunner()
    result = runner.invoke(app, ["reconcile", "--branch", "REC-1"])
    assert result.exit_code == 0, result.output
    assert "agreements fulfilled" in result.output
    with Session(cli_engine) as session:
        stored = session.get(Agreement, agreement_id)
        assert stored is not None and stored.status == AgreementStatus.fulfilled
        assert stored.version == 2
        events = session.exec(select(AuditEvent.action)).all()
        assert "agreement.fulfil" in events and "agreements.reconcile" in events
    again = runner.invoke(app, ["reconcile", "--branch", "REC-1"])
    assert again.exit_code == 0
    with Session(cli_engine) as session:
        stored = session.get(Agreement, agreement_id)
        assert stored is not None and stored.version == 2  # nothing changed the second time
    unknown = runner.invoke(app, ["reconcile", "--branch", "NOPE"])
    assert unknown.exit_code == 1 and "No branch with code NOPE" in unknown.output
