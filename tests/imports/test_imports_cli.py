"""`fieldvisit import-loans` / `import-payments` against a database of their own (the CLI
commits, so it cannot share the rolled-back test session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.imports.cli import register
from models import Branch, Loan, Payment
from tests.conftest import build_database
from tests.imports.samples import (
    LOAN_HEADERS_ZH,
    PAYMENT_HEADERS_EN,
    csv_bytes,
    loan_row,
    payment_row,
    xlsx_bytes,
)


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    engine = build_database(f"sqlite:///{tmp_path / 'cli.db'}")
    with Session(engine) as session:
        session.add(Branch(code="CLI-1", name="命令行支行", lat=37.3, lon=116.5))
        session.commit()
    monkeypatch.setattr("api.db.get_engine", lambda: engine)
    yield engine
    engine.dispose()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_import_loans_and_payments_from_the_command_line(
    cli_engine: Engine, tmp_path: Path
) -> None:
    loans = tmp_path / "逾期贷款.xlsx"
    loans.write_bytes(
        xlsx_bytes([loan_row(1), loan_row(2), loan_row(3, dpd="x")], names=LOAN_HEADERS_ZH)
    )
    runner = CliRunner()
    result = runner.invoke(_app(), ["import-loans", str(loans), "--branch", "CLI-1"])
    assert result.exit_code == 0, result.output
    assert "Rows to fix" in result.output and "逾期天数" in result.output
    again = runner.invoke(_app(), ["import-loans", str(loans), "--branch", "CLI-1"])
    assert again.exit_code == 0
    payments = tmp_path / "payments.csv"
    payments.write_bytes(
        csv_bytes([payment_row(1, loan_row(1)["account_number"])], PAYMENT_HEADERS_EN)
    )
    paid = runner.invoke(_app(), ["import-payments", str(payments), "--branch", "CLI-1"])
    assert paid.exit_code == 0, paid.output
    with Session(cli_engine) as session:
        assert len(session.exec(select(Loan)).all()) == 2
        assert all(loan.version == 1 for loan in session.exec(select(Loan)))
        assert len(session.exec(select(Payment)).all()) == 1


def test_unknown_branch_and_unreadable_file_exit_1(cli_engine: Engine, tmp_path: Path) -> None:
    good = tmp_path / "loans.csv"
    good.write_bytes(csv_bytes([loan_row(1)]))
    bad = tmp_path / "notes.csv"
    bad.write_bytes(b"just,some\ncolumns,here\n")
    runner = CliRunner()
    unknown = runner.invoke(_app(), ["import-loans", str(good), "--branch", "NOPE"])
    assert unknown.exit_code == 1 and "No branch" in unknown.output
    unreadable = runner.invoke(_app(), ["import-loans", str(bad), "--branch", "CLI-1"])
    assert unreadable.exit_code == 1 and "Missing required columns" in unreadable.output


def test_import_loans_geocodes_with_a_progress_bar(
    cli_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.config import Settings
    from tests.conftest import TEST_SECRET
    from tests.geo.amap_server import AMAP_NOT_FOUND, amap_found, amap_server

    def answer(address: str) -> dict[str, object]:
        return AMAP_NOT_FOUND if "无名" in address else amap_found(37.36, 116.58, "门牌号")

    loans = tmp_path / "no-coordinates.csv"
    rows = [loan_row(1, lat="", lon=""), loan_row(2, lat="", lon="", address="无名路")]
    loans.write_bytes(csv_bytes(rows))
    with amap_server(answer) as (url, asked):
        settings = Settings(
            env="test",
            secret_key=TEST_SECRET,
            geocoder="amap",
            geocoder_url=url,
            geocoder_key="cli",
            geocoder_rate=1000,
        )
        monkeypatch.setattr("api.imports.cli.get_settings", lambda: settings)
        result = CliRunner().invoke(_app(), ["import-loans", str(loans), "--branch", "CLI-1"])
        assert result.exit_code == 0, result.output
        assert "Geocoding (amap)" in result.output
        assert "1 geocoded" in result.output and "1 unlocated" in result.output
        assert "无名路" in result.output
        again = CliRunner().invoke(_app(), ["import-loans", str(loans), "--branch", "CLI-1"])
        assert again.exit_code == 0, again.output
    assert len(asked) == 2  # the second run found every address in the cache
