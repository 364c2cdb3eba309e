"""Borrower file benchmark: what the `history` records cost the pull on the sync benchmark's
pack (one officer, 30 borrowers with past outcomes and notes).

    python tests/benchmarks/history.py [--pg URL]

Measures, medians of 30: the versions step (load_scope) with and without the history parts,
building the 30 history records against building the 30 borrower records, and one page of
GET /borrowers/{id}/history. SQLite always; PostgreSQL when --pg or TEST_DATABASE_URL."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlmodel import Session

from api.history.service import borrower_history
from api.sync import scope as sync_scope
from models import Branch, User
from tests.benchmarks.support import fresh_pg_database
from tests.benchmarks.sync import TODAY, build_pack
from tests.conftest import build_database

RUNS = 30


def median_ms(fn: Callable[[], Any]) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def measure(label: str, engine: Engine) -> list[tuple[str, str, str]]:
    officer_id, _, borrower_ids = build_pack(engine)
    rows: list[tuple[str, str, str]] = []
    with Session(engine, expire_on_commit=False) as s:
        user = s.get(User, officer_id)
        assert user is not None
        branch = s.get(Branch, user.branch_id)
        assert branch is not None
        figures = {}
        for history in (False, True):
            sync_scope._versions_statement.cache_clear()
            if not history:
                original = sync_scope._history_parts
                sync_scope._history_parts = lambda borrowers: []
            run = lambda: sync_scope.load_scope(  # noqa: E731
                s, officer=user, branch=branch, today=TODAY, days_ahead=7
            )
            run()
            figures[history] = median_ms(run)
            if not history:
                sync_scope._history_parts = original
        sync_scope._versions_statement.cache_clear()
        scope = sync_scope.load_scope(s, officer=user, branch=branch, today=TODAY, days_ahead=7)
        build_history = median_ms(lambda: sync_scope._load_history(s, scope, borrower_ids))
        build_borrowers = median_ms(lambda: sync_scope._load_borrowers(s, scope, borrower_ids))
        manager = user  # the officer reads their own borrower's file
        page = median_ms(
            lambda: borrower_history(
                session=s, user=manager, borrower_id=borrower_ids[0], limit=50, before=None
            )
        )
    without, with_history = figures[False], figures[True]
    rows.append((label, "versions step (empty pull's query)", f"{without:.2f} ms without history"))
    rows.append(
        (label, "  with history parts", f"{with_history:.2f} ms ({with_history / without:.2f}x)")
    )
    rows.append((label, "build 30 history records", f"{build_history:.2f} ms"))
    rows.append((label, "  build 30 borrower records", f"{build_borrowers:.2f} ms"))
    rows.append((label, "GET history, one page", f"{page:.2f} ms"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = build_database(f"sqlite:///{tmp}/history.db")
        rows += measure("SQLite", engine)
        engine.dispose()
    if args.pg:
        url, drop = fresh_pg_database(args.pg)
        try:
            engine = build_database(url)
            rows += measure("PostgreSQL", engine)
            engine.dispose()
        finally:
            drop()
    table = Table(title="Borrower file benchmark (medians)")
    for column in ("database", "measure", "result"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
