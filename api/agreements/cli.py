"""`fieldvisit reconcile --branch CODE`: bring promises and agreement schedules of a branch
in line with the imported payments (the payments import does the same at its end).

Mounted by `register(app)` in `api/cli.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, select

from api import db
from api.agreements.reconciliation import reconcile
from models import Branch

console = Console()
err = Console(stderr=True)

BranchOpt = Annotated[str, typer.Option("--branch", help="Branch code, e.g. DZ-LC.")]


def reconcile_command(branch: BranchOpt) -> None:
    """Mark promises kept or broken and instalments paid or missed from imported payments."""
    with Session(db.get_engine(), expire_on_commit=False) as session:
        found = session.exec(select(Branch).where(Branch.code == branch)).first()
        if found is None:
            err.print(f"[red]No branch with code {branch}.[/red]")
            raise typer.Exit(1)
        report = reconcile(session=session, branch_id=found.id, now=datetime.now(UTC))
        session.commit()
    table = Table(title=f"Promises and agreements of {branch} reconciled")
    table.add_column("")
    table.add_column("count", justify="right")
    for name, value in report.as_dict().items():
        table.add_row(name.replace("_", " "), str(value))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `reconcile` to the `fieldvisit` command."""
    app.command("reconcile")(reconcile_command)
