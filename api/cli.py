"""The `fieldvisit` command.

Alembic, uvicorn and the demo (Faker, the planner) are imported by the commands that use
them: every other command, and `--help`, starts a second sooner without them.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, select

from api.agreements.cli import register as register_agreements
from api.auth.service import create_user as create
from api.compliance.cli import register as register_compliance
from api.compliance.logs import install_log_redaction
from api.config import PROJECT_ROOT, SECRET_FILE, get_settings
from api.db import get_engine
from api.errors import DomainError
from api.imports.cli import register as register_imports
from api.routing.cli import route_app
from models import Branch
from models.enums import Role

app = typer.Typer(help="fieldvisit: home visits for overdue loans.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _alembic_config() -> object:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply database migrations (alembic upgrade) to FIELDVISIT_DATABASE_URL."""
    from alembic import command

    command.upgrade(_alembic_config(), revision)  # type: ignore[arg-type]
    console.print(f"[green]Database at {revision}.[/green]")


@app.command()
def demo() -> None:
    """Load the demo branch (idempotent) and print the demo log-ins."""
    from api.demo import load_demo

    settings = get_settings()
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            result = load_demo(session=session, settings=settings, now=datetime.now(UTC))
        except RuntimeError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        session.commit()
    status = "loaded" if result.created_branch else "already there"
    console.print(f"Demo branch {result.branch.name} ({result.branch.code}): {status}.")
    if result.created_plan:
        console.print("Today's visit plan created.")
    table = Table(title="Demo log-ins")
    for column in ("role", "user name", "password"):
        table.add_column(column)
    for row in result.logins:
        table.add_row(*row)
    console.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API and the phone app.

    Without FIELDVISIT_SECRET_KEY the server signs with its own random key, made once and
    kept in var/secret_key (0600): never with a key anyone else knows."""
    import uvicorn
    from pydantic import ValidationError

    try:
        settings = get_settings()
    except ValidationError as exc:
        messages = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        err.print(f"[red]{messages}[/red]")
        raise typer.Exit(1) from exc
    if not os.environ.get("FIELDVISIT_SECRET_KEY"):
        console.print(f"Signing key: {settings.var_dir / SECRET_FILE} (made once, kept)")
    console.print(f"Serving on http://{host}:{port}  (API docs at /docs)")
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers)


@app.command("create-user")
def create_user(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    role: Annotated[Role, typer.Option(help="officer, manager or admin.")],
    branch: Annotated[str, typer.Option(help="Branch code, e.g. DZ-LC.")],
    full_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a user in a branch."""
    settings = get_settings()
    with Session(get_engine(), expire_on_commit=False) as session:
        found = session.exec(select(Branch).where(Branch.code == branch)).first()
        if found is None:
            err.print(f"[red]No branch with code {branch}.[/red]")
            raise typer.Exit(1)
        try:
            user = create(
                session=session,
                settings=settings,
                branch_id=found.id,
                username=username,
                full_name=full_name or username,
                role=role,
                password=password,
            )
        except DomainError as exc:
            err.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
        session.commit()
        console.print(f"Created {user.role} {user.username} in {found.code}.")


@app.callback()
def _startup() -> None:
    install_log_redaction()


def _register_subcommands() -> None:
    app.add_typer(route_app, name="route", help="Solve routing problems from JSON files.")
    register_imports(app)
    register_agreements(app)
    register_compliance(app)


_register_subcommands()

if __name__ == "__main__":
    app()
