"""`fieldvisit route`: solve a routing request from a JSON file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.routing.schemas import SolveRequest, SolveResponse
from api.routing.solver import solve
from api.routing.travel import TravelModelError

route_app = typer.Typer(
    help="Plan officers' visit routes with the routing solver.", no_args_is_help=True
)


@route_app.callback()
def _group() -> None:
    # A callback keeps `solve` a subcommand even while it is the only one.
    """Plan officers' visit routes with the routing solver."""


def _clock(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}"


def summary_table(answer: SolveResponse) -> Table:
    table = Table(title="Routes", caption=_caption(answer))
    for column in ("officer", "stops", "km", "leave", "back", "hours", "load"):
        table.add_column(column, justify="left" if column == "officer" else "right")
    for route in answer.routes:
        table.add_row(
            escape(route.vehicle_id),
            str(len(route.stops)),
            f"{route.distance_m / 1000:.1f}",
            _clock(route.start_s),
            _clock(route.end_s),
            f"{route.duration_s / 3600:.1f}",
            str(route.load),
        )
    table.add_section()
    table.add_row(
        "total",
        str(sum(len(r.stops) for r in answer.routes)),
        f"{answer.distance_m / 1000:.1f}",
        "",
        "",
        f"{answer.duration_s / 3600:.1f}",
        str(sum(r.load for r in answer.routes)),
    )
    return table


def _caption(answer: SolveResponse) -> str:
    state = "feasible" if answer.feasible else "NOT feasible"
    parts = [f"{state}, objective {answer.objective}, {answer.solve_time_s:.2f} s"]
    if answer.unassigned_required:
        parts.append("required left out: " + ", ".join(answer.unassigned_required))
    optional = [s for s in answer.unassigned if s not in set(answer.unassigned_required)]
    if optional:
        parts.append("optional left out: " + ", ".join(optional))
    parts.extend(answer.violations)
    return escape("\n".join(parts))


@route_app.command("solve")
def solve_command(
    file: Annotated[Path, typer.Argument(help="Solve request JSON ('-' reads standard input).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the answer JSON here.")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Override time_limit_s.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Override seed.")] = None,
) -> None:
    """Solve FILE.json and print the answer JSON (summary table on stderr).

    Exit status: 0 feasible plan; 3 plan printed but not feasible (required stops left out);
    2 unreadable or invalid request; 1 travel times unavailable.
    """
    err = Console(stderr=True, soft_wrap=True)  # long messages stay on one greppable line
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        raw = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        err.print(f"[red]Cannot read {escape(str(file))}:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    if isinstance(raw, dict):
        if time_limit is not None:
            raw["time_limit_s"] = time_limit
        if seed is not None:
            raw["seed"] = seed
    try:
        request = SolveRequest.model_validate(raw)
    except ValidationError as exc:
        err.print(f"[red]{escape(str(file))} is not a valid solve request:[/red]")
        for error in exc.errors(include_input=False, include_url=False):
            where = ".".join(str(p) for p in error["loc"]) or "request"
            message = error["msg"].removeprefix("Value error, ")
            err.print(f"  {where}: {message}", markup=False)
        raise typer.Exit(2) from exc
    try:
        answer = solve(request)
    except TravelModelError as exc:
        err.print(f"[red]Travel times are unavailable:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    payload = answer.model_dump_json(indent=2)
    if out is not None:
        out.write_text(payload + "\n", encoding="utf-8")
    else:
        typer.echo(payload)
    err.print(summary_table(answer))
    if not answer.feasible:
        raise typer.Exit(3)
