"""`fieldvisit audit verify|export` and `fieldvisit retention apply`.

Mounted by `register(app)` in `api/cli.py`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, select

from api import db
from api.audit import export_events, verify_chain
from api.compliance.audit_export import jsonl_lines, write_csv
from api.compliance.retention import apply_retention
from api.errors import DomainError
from models import Branch

console = Console()
err = Console(stderr=True)

audit_app = typer.Typer(
    help="The audit trail: check its hash chain, export it for an inspector.",
    no_args_is_help=True,
)
retention_app = typer.Typer(
    help="Retention: blank or purge personal data past the branches' retention days.",
    no_args_is_help=True,
)


def _session() -> Session:
    return Session(db.get_engine(), expire_on_commit=False)  # looked up late: tests swap it


@audit_app.command("verify")
def verify() -> None:
    """Recompute the hash chain; exit 1 and name the first broken link if any."""
    with _session() as session:
        report = verify_chain(session)
    start = f" from the purge anchor after event {report.anchor_id}" if report.anchor_id else ""
    if report.broken is not None:
        err.print(
            f"[red]Audit chain broken at event {report.broken.id}:[/red] {report.broken.problem}",
            markup=True,
            highlight=False,
        )
        err.print(f"{report.checked} events before it are intact{start}.", highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]Audit chain intact:[/green] {report.checked} events{start}.")


@audit_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="File to write (.csv or .jsonl).")],
    fmt: Annotated[
        Literal["csv", "jsonl"] | None,
        typer.Option("--format", help="csv or jsonl (default: from the file name)."),
    ] = None,
    branch: Annotated[str | None, typer.Option(help="Only this branch (code).")] = None,
    date_from: Annotated[
        datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (UTC).")
    ] = None,
    date_to: Annotated[
        datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (UTC).")
    ] = None,
) -> None:
    """Write the audit events (id order, with prev_hash and hash) for an inspector."""
    kind = fmt or ("jsonl" if out.suffix.lower() in (".jsonl", ".json", ".ndjson") else "csv")
    start = _day(date_from.date()) if date_from else None
    end = _day(date_to.date() + timedelta(days=1)) if date_to else None
    count = 0
    with _session() as session:
        branch_id = None
        if branch is not None:
            found = session.exec(select(Branch).where(Branch.code == branch)).first()
            if found is None:
                err.print(f"[red]No branch with code {branch}.[/red]")
                raise typer.Exit(1)
            branch_id = found.id
        events = export_events(session, branch_id=branch_id, start=start, end=end)
        with out.open("w", encoding="utf-8", newline="") as handle:
            if kind == "jsonl":
                for line in jsonl_lines(events):
                    handle.write(line)
                    count += 1
            else:
                count = write_csv(events, handle)
    console.print(f"Wrote {count} audit events to {out} ({kind}).", highlight=False)


def _day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@retention_app.command("apply")
def apply(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would go; change nothing.")
    ] = False,
) -> None:
    """Blank notes and signatures and purge audit events past retention (each branch's
    policy); the audit chain stays verifiable from an anchor."""
    with _session() as session:
        try:
            result = apply_retention(session=session, now=datetime.now(UTC))
        except DomainError as exc:
            err.print(f"[red]{exc.detail}[/red]", highlight=False)
            raise typer.Exit(1) from exc
        if dry_run:
            session.rollback()
        else:
            session.commit()
    table = Table(title="Retention (dry run: nothing changed)" if dry_run else "Retention applied")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("notes blanked", str(result.notes_blanked))
    table.add_row("outcome details blanked", str(result.outcomes_blanked))
    table.add_row("agreement signatures blanked", str(result.signatures_blanked))
    table.add_row("mutation log copies blanked", str(result.mutation_logs_blanked))
    table.add_row("audit events purged", str(result.audit_purged))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")
