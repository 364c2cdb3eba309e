"""Benchmark: import 20,000 loans from CSV and XLSX, first import and re-import.

    .venv/bin/python tests/benchmarks/imports.py [--rows 20000] [--pg URL]

SQLite always (a fresh file database); PostgreSQL too when `--pg URL` or TEST_DATABASE_URL is
given. Every run builds a freshly migrated database with `tests.conftest.build_database`,
which DROPS the PostgreSQL schema: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from api.imports import parse, service
from models import Branch
from tests.benchmarks.support import fresh_pg_database
from tests.conftest import build_database
from tests.imports.samples import LOAN_HEADERS_ZH, bulk_loan_rows, csv_bytes, xlsx_bytes

KEY = "benchmark-key-0123456789abcdef0123456789"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
console = Console(width=120)


@dataclass
class Run:
    backend: str
    fmt: str
    phase: str
    rows: int
    parse_s: float
    write_s: float
    report: service.ImportReport

    @property
    def total_s(self) -> float:
        return self.parse_s + self.write_s


def run_backend(name: str, url: str, files: dict[str, bytes]) -> list[Run]:
    """`url` may hold `{fmt}`: SQLite gets one fresh file per format (PostgreSQL is reset)."""
    runs: list[Run] = []
    for fmt, data in files.items():
        engine = build_database(url.format(fmt=fmt))
        try:
            with Session(engine, expire_on_commit=False) as session:
                branch = Branch(code="BENCH", name="基准支行", lat=37.3357, lon=116.5766)
                session.add(branch)
                session.commit()
                branch_id = branch.id
            for phase in ("first import", "re-import"):
                t0 = time.perf_counter()
                rows = parse.parse_loans(data, id_key=KEY)
                t1 = time.perf_counter()
                with Session(engine, expire_on_commit=False) as session:
                    report = service.import_loans(
                        session=session,
                        branch_id=branch_id,
                        actor_id=None,
                        rows=rows,
                        now=NOW,
                        source=f"bench.{fmt}",
                    )
                    session.commit()
                t2 = time.perf_counter()
                runs.append(Run(name, fmt, phase, rows.total, t1 - t0, t2 - t1, report))
                console.print(
                    f"  {name} {fmt} {phase}: {t2 - t0:.2f} s "
                    f"(created {report.created}, unchanged {report.unchanged})"
                )
        finally:
            engine.dispose()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"), help="PostgreSQL URL")
    parser.add_argument("--quick", action="store_true", help="2,000 rows: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.rows = 2_000

    console.print(f"Generating {args.rows:,} loan rows (Chinese headers)...")
    rows = bulk_loan_rows(args.rows)
    files = {
        "csv": csv_bytes(rows, names=LOAN_HEADERS_ZH, encoding="gbk"),
        "xlsx": xlsx_bytes(rows, names=LOAN_HEADERS_ZH),
    }
    for fmt, data in files.items():
        console.print(f"  {fmt}: {len(data) / 1e6:.1f} MB")

    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        runs += run_backend("sqlite", f"sqlite:///{Path(tmp)}/bench-{{fmt}}.db", files)
    if args.pg:
        url, drop = fresh_pg_database(args.pg)
        try:
            runs += run_backend("postgresql", url, files)
        finally:
            drop()

    table = Table(title=f"Importing {args.rows:,} loans")
    for column in ("database", "file", "run", "parse s", "write s", "total s", "rows/s", "result"):
        table.add_column(
            column, justify="left" if column in ("database", "file", "run") else "right"
        )
    for r in runs:
        result = f"+{r.report.created} ~{r.report.updated} ={r.report.unchanged} !{r.report.failed}"
        table.add_row(
            r.backend,
            r.fmt,
            r.phase,
            f"{r.parse_s:.2f}",
            f"{r.write_s:.2f}",
            f"{r.total_s:.2f}",
            f"{r.rows / r.total_s:,.0f}",
            result,
        )
    console.print(table)


if __name__ == "__main__":
    main()
