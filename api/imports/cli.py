"""`fieldvisit import-loans` and `fieldvisit import-payments`: the same imports as the API,
from a file on the server, with a progress bar for large files.

Mounted by `register(app)` in `api/cli.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlmodel import Session, select

from api import db
from api.config import get_settings
from api.geo.factory import make_geocoder
from api.imports import parse, service
from api.imports.geocoding import Lookups
from models import Branch

console = Console()
err = Console(stderr=True)
ERRORS_SHOWN = 30

FileArg = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, readable=True, help="CSV (UTF-8 or GBK) or XLSX export."
    ),
]
BranchOpt = Annotated[str, typer.Option("--branch", help="Branch code, e.g. DZ-LC.")]

R = TypeVar("R")


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _branch_id(session: Session, code: str) -> uuid.UUID:
    found = session.exec(select(Branch).where(Branch.code == code)).first()
    if found is None:
        err.print(f"[red]No branch with code {code}.[/red]")
        raise typer.Exit(1)
    return found.id


def _print_report(report: service.ImportReport, title: str) -> None:
    table = Table(title=title)
    for column in ("rows", "created", "updated", "unchanged", "failed"):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            str(v)
            for v in (
                report.rows,
                report.created,
                report.updated,
                report.unchanged,
                report.failed,
            )
        )
    )
    console.print(table)
    located = report.locations()
    if any(located.values()):
        console.print(
            "Locations: {located_from_file} from the file, {geocoded} geocoded, "
            "{already_located} already located, {unlocated} unlocated".format(**located)
        )
        for item in report.unlocated[:ERRORS_SHOWN]:
            console.print(f"  row {item['row']} {item['name']} {item['address']}: {item['reason']}")
    if report.errors:
        errors = Table(title="Rows to fix")
        for column in ("row", "column", "message"):
            errors.add_column(column)
        ordered = sorted(report.errors, key=lambda e: e.row)
        for e in ordered[:ERRORS_SHOWN]:
            errors.add_row(str(e.row), e.column, e.message)
        if len(ordered) > ERRORS_SHOWN:
            errors.caption = f"{len(ordered) - ERRORS_SHOWN} more not shown"
        console.print(errors)


Locate = Callable[[Progress, str, parse.ParseResult[R]], Callable[[Session], parse.ParseResult[R]]]


def _geocode(
    progress: Progress, branch: str, rows: parse.ParseResult[parse.LoanRow]
) -> Callable[[Session], parse.ParseResult[parse.LoanRow]]:
    """Geocode the rows without coordinates (when a geocoder is configured): the cache is
    read in a short transaction of its own, the provider asked with no transaction open;
    the returned step stores the answers in the import's transaction."""
    geocoder = make_geocoder(get_settings())
    if geocoder is None:
        return lambda _session: rows
    with Session(db.get_engine(), expire_on_commit=False) as session:
        lookups = Lookups.prepare(
            session, geocoder=geocoder, branch_id=_branch_id(session, branch), rows=rows.rows
        )
    asking = progress.add_task(f"Geocoding ({geocoder.name})", total=len(lookups.to_ask))
    lookups.ask(lambda n: progress.advance(asking, n))
    now = datetime.now(UTC)
    return lambda session: lookups.apply(session, rows, now=now)


def _run(
    file: Path,
    branch: str,
    title: str,
    read: Callable[[bytes, Callable[[int], None]], parse.ParseResult[R]],
    write: service.Importer[R],
    locate: Locate[R] | None = None,
) -> None:
    data = file.read_bytes()
    with _progress() as progress:
        reading = progress.add_task(f"Reading {file.name}", total=None)
        try:
            rows = read(data, lambda n: progress.advance(reading, n))
        except parse.ImportFileError as exc:
            progress.stop()
            err.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from exc
        progress.update(reading, total=rows.total, completed=rows.total)
        located = locate(progress, branch, rows) if locate else None
        writing = progress.add_task("Importing", total=len(rows.rows))
        # `db.get_engine` looked up per call: tests point it at a database of their own.
        with Session(db.get_engine(), expire_on_commit=False) as session:
            report = write(
                session=session,
                branch_id=_branch_id(session, branch),
                actor_id=None,
                rows=located(session) if located else rows,
                now=datetime.now(UTC),
                source=file.name,
                progress=lambda n: progress.advance(writing, n),
            )
            session.commit()
    _print_report(report, title)


def import_loans_command(file: FileArg, branch: BranchOpt) -> None:
    """Import overdue loans and borrowers from a core-banking export into a branch."""
    settings = get_settings()
    key, cap = settings.secret_key, settings.import_max_rows
    _run(
        file,
        branch,
        f"Loans imported into {branch}",
        lambda data, tick: parse.parse_loans(data, id_key=key, on_row=tick, max_rows=cap),
        service.import_loans,
        _geocode,
    )


def import_payments_command(file: FileArg, branch: BranchOpt) -> None:
    """Import payments (idempotent by core-banking reference) into a branch."""
    _run(
        file,
        branch,
        f"Payments imported into {branch}",
        lambda data, tick: parse.parse_payments(
            data, on_row=tick, max_rows=get_settings().import_max_rows
        ),
        service.import_payments,
    )


def register(app: typer.Typer) -> None:
    """Add `import-loans` and `import-payments` to the `fieldvisit` command."""
    app.command("import-loans")(import_loans_command)
    app.command("import-payments")(import_payments_command)
