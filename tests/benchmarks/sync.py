"""Sync benchmark: first pull, empty delta pull, a push of 500 mutations against a bare bulk
insert of the same rows, and 50 concurrent phones over loopback.

    python tests/benchmarks/sync.py [--pg URL] [--quick]

Runs on SQLite always and on PostgreSQL when --pg or TEST_DATABASE_URL is given."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, insert
from sqlmodel import Session, select

from api.db import make_engine
from api.sync import service
from api.sync.protocol import Mutation, PullRequest, PushRequest
from models import AuditEvent, Device, MutationLog, Note, User, VisitOutcome
from models.enums import Contact, Role
from tests.benchmarks.support import fresh_pg_database
from tests.conftest import build_database
from tests.factories import (
    PASSWORD,
    make_borrower,
    make_branch,
    make_loan,
    make_visit,
    password_hash,
)
from tests.live_server import LiveServer, cli
from tests.phone import Phone

console = Console()
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
GENERATOR = [sys.executable, str(Path(__file__).with_name("sync_load.py"))]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def build_pack(engine: Engine) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    """One officer with 30 visits today; borrowers with loans, past visits and notes."""
    with Session(engine, expire_on_commit=False) as s:
        branch = make_branch(s)
        officer = User(
            branch_id=branch.id,
            username=f"bench-{uuid.uuid4().hex[:8]}",
            full_name="基准测试",
            role=Role.officer,
            password_hash="x",
        )
        s.add(officer)
        s.flush()
        device = Device(user_id=officer.id, name="bench", platform="bench")
        s.add(device)
        borrower_ids = []
        for i in range(30):
            borrower = make_borrower(s, branch, address=f"山东省德州市陵城区某镇某村{i}号")
            borrower_ids.append(borrower.id)
            loans = [make_loan(s, borrower) for _ in range(1 + i % 2)]
            past = make_visit(
                s, borrower, [officer], plan_date=TODAY - timedelta(days=20), loans=loans
            )
            for k in range(3):
                s.add(
                    VisitOutcome(
                        id=uuid.uuid4(),
                        visit_id=past.id,
                        officer_id=officer.id,
                        contact=Contact.borrower,
                        hardship_reasons=["illness"],
                        hardship_detail="家人住院, 收入下降" * 3,
                        at=NOW - timedelta(days=20 + k),
                    )
                )
                s.add(
                    Note(
                        id=uuid.uuid4(),
                        borrower_id=borrower.id,
                        author_id=officer.id,
                        text="借款人表示下月还款",
                        at=NOW - timedelta(days=10 + k),
                    )
                )
            make_visit(s, borrower, [officer], loans=loans, position=i + 1)
        s.commit()
        return officer.id, device.id, borrower_ids


def timed_pull(
    engine: Engine, officer_id: uuid.UUID, device_id: uuid.UUID, cookie: str | None
) -> tuple[float, int, str, int]:
    with Session(engine, expire_on_commit=False) as s:
        started = time.perf_counter()
        user = s.get(User, officer_id)
        assert user is not None
        response = service.pull(
            session=s,
            user=user,
            request=PullRequest(protocol=1, device_id=device_id, cookie=cookie),
            now=NOW,
        )
        body = response.model_dump_json().encode()
        s.commit()
        elapsed = time.perf_counter() - started
    return elapsed, len(gzip.compress(body)), response.cookie, len(response.changes)


def note_mutations(first_id: int, borrower_ids: list[uuid.UUID], n: int) -> list[Mutation]:
    return [
        Mutation(
            id=first_id + i,
            name="note.add",
            client_time=NOW,
            args={
                "note_id": str(uuid.uuid4()),
                "borrower_id": str(borrower_ids[i % len(borrower_ids)]),
                "text": f"第{i}次电话回访记录",
                "at": "2026-11-23T02:00:00Z",
            },
        )
        for i in range(n)
    ]


def timed_push(
    engine: Engine, officer_id: uuid.UUID, device_id: uuid.UUID, mutations: list[Mutation]
) -> float:
    with Session(engine, expire_on_commit=False) as s:
        started = time.perf_counter()
        user = s.get(User, officer_id)
        assert user is not None
        response = service.push(
            session=s,
            user=user,
            request=PushRequest(protocol=1, device_id=device_id, mutations=mutations),
            now=NOW,
        )
        s.commit()
        elapsed = time.perf_counter() - started
    assert all(r.status == "applied" for r in response.results), response.results[:3]
    return elapsed


def timed_bulk_insert(
    engine: Engine,
    officer_id: uuid.UUID,
    device_id: uuid.UUID,
    branch_id: uuid.UUID,
    mutations: list[Mutation],
    offset: int,
) -> float:
    """The same rows a push writes (note, mutation log, audit event), in three bulk INSERTs."""
    notes, logs, audits = [], [], []
    for m in mutations:
        a = m.args
        notes.append(
            {
                "id": uuid.UUID(a["note_id"]),
                "borrower_id": uuid.UUID(a["borrower_id"]),
                "visit_id": None,
                "author_id": officer_id,
                "device_id": device_id,
                "text": a["text"],
                "at": NOW,
                "received_at": NOW,
            }
        )
        logs.append(
            {
                "device_id": device_id,
                "user_id": officer_id,
                "branch_id": branch_id,
                "mutation_id": m.id + offset,
                "name": m.name,
                "args": a,
                "client_time": NOW,
                "received_at": NOW,
                "status": "applied",
                "reason": "",
                "review_note": "",
            }
        )
        audits.append(
            {
                "at": NOW,
                "actor_id": officer_id,
                "device_id": device_id,
                "branch_id": branch_id,
                "action": m.name,
                "entity": "note",
                "entity_id": a["note_id"],
                "data": {"mutation_id": m.id},
                "prev_hash": "",
                "hash": "",
            }
        )
    with Session(engine) as s:
        started = time.perf_counter()
        s.execute(insert(Note), notes)
        s.execute(insert(MutationLog), logs)
        s.execute(insert(AuditEvent), audits)
        s.commit()
        return time.perf_counter() - started


def in_process(label: str, url: str, repeats: int) -> list[tuple[str, str, str]]:
    engine = build_database(url)
    officer_id, device_id, borrower_ids = build_pack(engine)
    with Session(engine) as s:
        branch_id = s.exec(select(User.branch_id).where(User.id == officer_id)).one()
    first = [timed_pull(engine, officer_id, device_id, None) for _ in range(repeats)]
    cookie = first[-1][2]
    empty = [timed_pull(engine, officer_id, device_id, cookie) for _ in range(repeats * 3)]
    assert all(e[3] == 0 for e in empty)
    push_times, bulk_times = [], []
    next_id = 1
    for rep in range(repeats):
        muts = note_mutations(next_id, borrower_ids, 500)
        next_id += 500
        push_times.append(timed_push(engine, officer_id, device_id, muts))
        bulk_times.append(
            timed_bulk_insert(
                engine,
                officer_id,
                device_id,
                branch_id,
                note_mutations(1, borrower_ids, 500),
                offset=1_000_000 * (rep + 1),
            )
        )
    engine.dispose()
    push_ms, bulk_ms = median_ms(push_times), median_ms(bulk_times)
    return [
        (
            label,
            "first pull (30 visits)",
            f"{median_ms([f[0] for f in first]):.1f} ms server, "
            f"{first[0][1] / 1024:.1f} KB gzip, {first[0][3]} changes  (target < 50 ms, < 30 KB)",
        ),
        (
            label,
            "empty delta pull",
            f"{median_ms([e[0] for e in empty]):.2f} ms server, "
            f"{empty[0][1]} bytes gzip  (target < 5 ms, < 300 B)",
        ),
        (
            label,
            "push 500 mutations",
            f"{push_ms:.0f} ms = {500 / (push_ms / 1000):.0f} mutations/s",
        ),
        (label, "bare bulk insert, same rows", f"{bulk_ms:.0f} ms"),
        (label, "push / bulk insert", f"{push_ms / bulk_ms:.2f}x  (target <= 4x)"),
    ]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


def build_busy_branch(url: str, officers: int) -> list[str]:
    """A big branch at its busiest: `officers` officers in two-person teams (the default
    policy sends two), each team with 30 visits today to borrowers with loans and history.
    Returns the officers' usernames (password `PASSWORD`)."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            branch = make_branch(s)
            today = datetime.now(ZoneInfo(branch.timezone)).date()
            hashed = password_hash()
            staff = []
            for i in range(officers):
                user = User(
                    branch_id=branch.id,
                    username=f"load-{i:02d}",
                    full_name=f"客户经理{i:02d}",
                    role=Role.officer,
                    password_hash=hashed,
                )
                s.add(user)
                staff.append(user)
            s.flush()
            for team in zip(staff[0::2], staff[1::2], strict=True):
                for position in range(30):
                    borrower = make_borrower(s, branch)
                    loans = [make_loan(s, borrower) for _ in range(1 + position % 2)]
                    past = make_visit(
                        s, borrower, list(team), plan_date=today - timedelta(days=20), loans=loans
                    )
                    s.add(
                        VisitOutcome(
                            id=uuid.uuid4(),
                            visit_id=past.id,
                            officer_id=team[0].id,
                            contact=Contact.borrower,
                            hardship_reasons=["illness"],
                            hardship_detail="家人住院, 收入下降",
                            at=NOW - timedelta(days=20),
                        )
                    )
                    make_visit(
                        s, borrower, list(team), plan_date=today, loans=loans, position=position
                    )
            s.commit()
            return [u.username for u in staff]
    finally:
        engine.dispose()


def sign_in_phones(server_url: str, logins: list[tuple[str, str]]) -> list[dict[str, object]]:
    """Each login signs in a phone and takes its first pull; what the load generator needs."""
    phones: list[dict[str, object]] = []
    with httpx.Client(base_url=server_url, timeout=30) as setup:
        for username, password in logins:
            phone = Phone(setup, username, password=password).sign_in()
            phone.pull()
            phones.append(
                {
                    "device_id": phone.device_id,
                    "token": phone.token,
                    "cookie": phone.cookie,
                    "next_id": phone.next_id,
                    "borrowers": sorted(phone.ids("borrower")),
                }
            )
    return phones


def load_test(
    label: str, url: str, seconds: float, devices: int, *, shape: str
) -> list[tuple[str, str, str]]:
    """`shape` "branch": one phone per officer in a 50-officer branch (what a branch is).
    "crowd": the same number of phones shared by the demo branch's 6 officers, so every
    push changes records on seven other phones (a stress case). Phones sign in here; the
    load comes from a separate process (`sync_load.py`), so the generator's CPU and GIL
    are not in the latencies."""
    cli(url, "migrate")
    if shape == "branch":
        logins = [(name, PASSWORD) for name in build_busy_branch(url, devices)]
    else:
        cli(url, "demo")
        logins = [(f"officer{i % 6 + 1}", "demo-officer") for i in range(devices)]
    server = LiveServer(url, workers=WORKERS).start()
    try:
        phones = sign_in_phones(server.url, logins)
        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as state:
            json.dump(phones, state)
            state.flush()
            generator = subprocess.run(
                [*GENERATOR, server.url, state.name, str(seconds)],
                capture_output=True,
                text=True,
                timeout=seconds + 120,
                check=True,
            )
        outcome = json.loads(generator.stdout)
    finally:
        server.stop()
    latencies = outcome["latencies"]["push"] + outcome["latencies"]["pull"]
    errors = outcome["errors"]
    shown = f" {sorted(set(errors))[:3]}" if errors else ""
    result = (
        f"{WORKERS} workers, each phone syncs ~1/s: {len(latencies) / outcome['wall']:.0f} req/s, "
        f"p50 {median_ms(latencies):.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
        f"errors {len(errors)}{shown}  (target: 0 errors, p95 < 300 ms)"
    )
    what = "one per officer" if shape == "branch" else "~8 per officer, demo branch"
    rows = [(label, f"{devices} concurrent phones ({what}), {seconds:.0f} s", result)]
    for kind in ("push", "pull"):
        client, server_ms = outcome["latencies"][kind], outcome["server_ms"][kind]
        rows.append(
            (
                label,
                f"  {kind}: client p50/p95, server p50/p95",
                f"{median_ms(client):.0f}/{percentile(client, 0.95) * 1000:.0f} ms, "
                f"{statistics.median(server_ms):.1f}/{percentile(server_ms, 0.95):.1f} ms"
                if server_ms
                else "no Server-Timing header",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats, seconds = (2, 3.0) if args.quick else (7, 20.0)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += in_process("SQLite", f"sqlite:///{tmp}/bench.db", repeats)
        rows += load_test("SQLite", f"sqlite:///{tmp}/load.db", seconds, 50, shape="branch")
    if args.pg:
        for fn in (
            lambda u: in_process("PostgreSQL", u, repeats),
            lambda u: load_test("PostgreSQL", u, seconds, 50, shape="branch"),
            lambda u: load_test("PostgreSQL", u, seconds, 50, shape="crowd"),
        ):
            url, drop = fresh_pg_database(args.pg)
            try:
                rows += fn(url)
            finally:
                drop()
    table = Table(title="Sync benchmark (medians)")
    for column in ("database", "measure", "result"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    main()
