"""The installed `fieldvisit` command, run as a user runs it, on a database of its own."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.live_server import CLI


def run(db: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args],
        env={**os.environ, "FIELDVISIT_DATABASE_URL": db, "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "command", ["migrate", "demo", "serve", "create-user", "import-loans", "route", "audit"]
)
def test_every_command_explains_itself(command: str, tmp_path: Path) -> None:
    result = run(f"sqlite:///{tmp_path / 'x.db'}", command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_migrate_demo_twice_and_create_user(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run(db, "migrate").returncode == 0
    first = run(db, "demo")
    assert first.returncode == 0, first.stderr
    assert "officer6" in first.stdout and "demo-manager" in first.stdout
    engine = create_engine(db)
    counts = "SELECT (SELECT count(*) FROM borrower), (SELECT count(*) FROM visit)"
    with engine.connect() as conn:
        before = conn.execute(text(counts)).one()
    second = run(db, "demo")
    assert "already there" in second.stdout
    with engine.connect() as conn:
        # 150 located + 8 address-only borrowers; 21 planned visits, 1 "find the address"
        # visit and yesterday's visit behind the open "moved?" proposal.
        assert conn.execute(text(counts)).one() == before == (158, 23)

    created = run(
        db,
        "create-user",
        "lihua",
        "--role",
        "officer",
        "--branch",
        "DZ-LC",
        "--full-name",
        "李华",
        "--password",
        "a-long-password",
    )
    assert created.returncode == 0 and "Created officer lihua in DZ-LC" in created.stdout
    taken = run(
        db,
        "create-user",
        "lihua",
        "--role",
        "officer",
        "--branch",
        "DZ-LC",
        "--password",
        "a-long-password",
    )
    assert taken.returncode == 1 and "taken" in taken.stderr
    unknown = run(
        db,
        "create-user",
        "x",
        "--role",
        "manager",
        "--branch",
        "NOPE",
        "--password",
        "a-long-password",
    )
    assert unknown.returncode == 1 and "No branch with code NOPE" in unknown.stderr
    engine.dispose()


def test_demo_refuses_production(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'prod.db'}"
    assert run(db, "migrate").returncode == 0
    env = {"FIELDVISIT_ENV": "production", "FIELDVISIT_SECRET_KEY": "p" * 40}
    result = run(db, "demo", env=env)
    assert result.returncode == 1 and "production" in result.stderr
