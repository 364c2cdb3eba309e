"""A push interrupted by SIGKILL of the server mid-batch, then retried: nothing lost,
nothing doubled."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.live_server import LiveServer, cli
from tests.phone import Phone

BATCH = 500


@pytest.fixture
def kill_database(database_url: str, tmp_path: Any) -> Iterator[str]:
    """A database of its own: the server commits for real."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'kill.db'}"
        return
    name = f"fieldvisit_kill_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(database_url).set(database=name))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _count(url: str, sql: str, **params: Any) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())
    finally:
        engine.dispose()


def _loaded_phone(client: httpx.Client, username: str) -> Phone:
    phone = Phone(client, username, password="demo-officer").sign_in()
    phone.pull()
    borrower = next(iter(phone.ids("borrower")))
    for i in range(BATCH):
        phone.queue(
            "note.add",
            note_id=str(uuid.uuid4()),
            borrower_id=borrower,
            text=f"第{i}条记录 " + "说明" * 400,
            at="2026-11-23T02:10:00Z",
        )
    return phone


def test_push_killed_mid_batch_then_retried(kill_database: str) -> None:
    cli(kill_database, "migrate")
    cli(kill_database, "demo")
    server = LiveServer(kill_database).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            # Rehearsals on another phone measure how long such a batch takes here.
            durations = []
            for _ in range(2):
                rehearsal = _loaded_phone(client, "officer3")
                started = time.monotonic()
                assert rehearsal.push(limit=BATCH).status_code == 200
                durations.append(time.monotonic() - started)
        duration = min(durations)

        # Kill ever earlier into the push until a kill lands before the answer does; a push
        # that answered first is a lost response, and must have been applied in full.
        for fraction in (0.5, 0.3, 0.15, 0.05):
            with httpx.Client(base_url=server.url, timeout=30) as client:
                phone = _loaded_phone(client, "officer1")
            outcome: dict[str, Any] = {}

            def send(phone: Phone = phone, outcome: dict[str, Any] = outcome) -> None:
                try:
                    with httpx.Client(base_url=server.url, timeout=30) as raw:
                        phone.client = raw
                        outcome["response"] = phone.push(lose_response=True, limit=BATCH)
                except httpx.HTTPError as exc:
                    outcome["error"] = exc

            worker = threading.Thread(target=send)
            worker.start()
            time.sleep(duration * fraction)
            if worker.is_alive():
                server.kill()
            worker.join(timeout=30)
            if "error" in outcome:
                break
            assert outcome["response"].status_code == 200
        assert "error" in outcome, "no kill landed before the server answered"
        note_ids = [m["args"]["note_id"] for m in phone.outbox]
        applied = _count(
            kill_database,
            "SELECT count(*) FROM mutation_log WHERE device_id = :d",
            d=uuid.UUID(phone.device_id).hex
            if kill_database.startswith("sqlite")
            else phone.device_id,
        )
        assert applied in (0, BATCH), f"a killed push left {applied} of {BATCH} mutations"

        server = LiveServer(kill_database, port=server.port).start()
        with httpx.Client(base_url=server.url, timeout=60) as client:
            phone.client = client
            while phone.outbox:
                response = phone.push(limit=BATCH)
                assert response.status_code == 200, response.text
            statuses = {phone.results[i] for i in range(1, BATCH + 1)}
            assert statuses == {"applied"}
            phone.pull()
        placeholders = ",".join(f"'{n}'" for n in note_ids)
        if kill_database.startswith("sqlite"):
            placeholders = ",".join(f"'{uuid.UUID(n).hex}'" for n in note_ids)
        assert (
            _count(kill_database, f"SELECT count(*) FROM note WHERE id IN ({placeholders})")
            == BATCH
        )
        assert (
            _count(
                kill_database,
                "SELECT count(*) FROM mutation_log WHERE device_id = :d",
                d=uuid.UUID(phone.device_id).hex
                if kill_database.startswith("sqlite")
                else phone.device_id,
            )
            == BATCH
        )
    finally:
        server.stop()
