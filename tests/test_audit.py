"""The audit trail: append-only, hash-chained; `verify` accepts an intact chain and names the
first broken link after an event is edited or deleted by hand; concurrent writers never
fork the chain; the CLI verifies and exports; every view of a borrower's record is audited.

Chain tests run against a database of their own (on each backend): they commit, and they
must see a chain no other test has touched."""

from __future__ import annotations

import csv
import itertools
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from api.audit import (
    ChainReport,
    audit_row,
    chain_hash,
    record_audit,
    verify_chain,
    write_audit_rows,
)
from api.compliance.cli import register
from models import AuditEvent
from models.enums import Role
from tests.conftest import FIXED_NOW, TokenFor, build_database
from tests.factories import make_borrower, make_branch, make_device, make_user, make_visit


@pytest.fixture
def chain_db(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of its own (SQLite file, or a fresh PostgreSQL database)."""
    if database_url.startswith("sqlite"):
        engine = build_database(f"sqlite:///{tmp_path / 'audit.db'}")
        yield engine
        engine.dispose()
        return
    name = f"fieldvisit_audit_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = build_database(str(make_url(database_url).set(database=name)))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _event(n: int, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "at": FIXED_NOW + timedelta(seconds=n, microseconds=n),
        "action": "test.event",
        "entity": "thing",
        "entity_id": f"thing-{n}",
        "data": {"n": n, "名字": "张三", "ratio": 0.1 * n, "nested": {"list": [1, "二"]}},
        "lat": 37.3 + n / 1000,
        "lon": 116.5,
    }
    values.update(changes)
    return audit_row(**values)  # type: ignore[arg-type]


def _write(engine: Engine, batches: list[int]) -> list[int]:
    """Commit `batches` (sizes) of events, one transaction each; their ids in order."""
    n = 0
    for size in batches:
        with Session(engine) as session:
            write_audit_rows(session, [_event(n + i) for i in range(size)])
            session.commit()
        n += size
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id))).all())  # type: ignore[arg-type]


def _verify(engine: Engine) -> ChainReport:
    with Session(engine) as session:
        return verify_chain(session)


def _json(engine: Engine, value: str) -> str:
    # A JSON column takes text on SQLite and needs a cast on PostgreSQL.
    return f"CAST('{value}' AS json)" if engine.dialect.name == "postgresql" else f"'{value}'"


def test_events_are_chained_and_verify(chain_db: Engine) -> None:
    ids = _write(chain_db, [1, 5, 3])
    assert len(ids) == 9
    with Session(chain_db) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert events[0].prev_hash == ""
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash  # across transactions too
    for event in events:
        fields = {k: getattr(event, k) for k in ("at", "actor_id", "device_id", "branch_id")}
        fields |= {k: getattr(event, k) for k in ("action", "entity", "entity_id", "data")}
        fields |= {"lat": event.lat, "lon": event.lon}
        assert event.hash == chain_hash(event.prev_hash, fields)
        assert len(event.hash) == 64
    report = _verify(chain_db)
    assert report.ok and report.checked == 9 and report.anchor_id is None


def test_an_empty_chain_verifies(chain_db: Engine) -> None:
    assert _verify(chain_db).ok


def test_editing_an_event_by_hand_is_detected(chain_db: Engine) -> None:
    ids = _write(chain_db, [4, 4])
    target = ids[5]
    edited = _json(chain_db, '{"n": 999}')
    with chain_db.begin() as conn:
        conn.execute(text(f"UPDATE audit_event SET data = {edited} WHERE id = :id"), {"id": target})
    report = _verify(chain_db)
    assert report.broken is not None and report.broken.id == target
    assert "edited" in report.broken.problem and report.checked == 5


def test_editing_other_columns_is_detected_too(chain_db: Engine) -> None:
    ids = _write(chain_db, [6])
    with chain_db.begin() as conn:
        conn.execute(text("UPDATE audit_event SET lat = 0 WHERE id = :id"), {"id": ids[2]})
    assert _verify(chain_db).broken.id == ids[2]  # type: ignore[union-attr]


def test_rewriting_an_event_and_its_hash_breaks_the_next_link(chain_db: Engine) -> None:
    ids = _write(chain_db, [5])
    with Session(chain_db) as session:
        event = session.get(AuditEvent, ids[2])
        assert event is not None
        forged = {k: getattr(event, k) for k in ("at", "actor_id", "device_id", "branch_id")}
        forged |= {"action": "test.event", "entity": "thing", "entity_id": event.entity_id}
        forged |= {"data": {"n": -1}, "lat": event.lat, "lon": event.lon}
        new_hash = chain_hash(event.prev_hash, forged)
    forged_data = _json(chain_db, '{"n": -1}')
    with chain_db.begin() as conn:
        conn.execute(
            text(f"UPDATE audit_event SET data = {forged_data}, hash = :h WHERE id = :id"),
            {"h": new_hash, "id": ids[2]},
        )
    report = _verify(chain_db)
    assert report.broken is not None and report.broken.id == ids[3]
    assert f"event {ids[2]}" in report.broken.problem


def test_deleting_an_event_is_detected(chain_db: Engine) -> None:
    ids = _write(chain_db, [3, 3])
    with chain_db.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[3]})
    report = _verify(chain_db)
    assert report.broken is not None and report.broken.id == ids[4]
    assert "deleted" in report.broken.problem and f"event {ids[2]}" in report.broken.problem


def test_deleting_the_first_or_last_events(chain_db: Engine) -> None:
    ids = _write(chain_db, [4])
    with chain_db.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[0]})
    report = _verify(chain_db)
    assert report.broken is not None and report.broken.id == ids[1]
    assert "start of the chain" in report.broken.problem


def test_concurrent_writers_never_fork_the_chain(chain_db: Engine) -> None:
    """Writers in parallel transactions: each reads the last hash under the chain lock
    (PostgreSQL advisory lock; SQLite's write lock), so the chain stays one line."""
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(k: int) -> None:
        try:
            start.wait()
            for round_ in range(5):
                with Session(chain_db) as session:
                    rows = [_event(1000 * k + 10 * round_ + i) for i in range(3)]
                    write_audit_rows(session, rows)
                    session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = _verify(chain_db)
    assert report.ok and report.checked == 6 * 5 * 3


def _cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_cli_verify_and_export(
    chain_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.db.get_engine", lambda: chain_db)
    ids = _write(chain_db, [3, 2])
    runner = CliRunner()
    ok = runner.invoke(_cli(), ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output and "5 events" in ok.output

    out = tmp_path / "audit.jsonl"
    exported = runner.invoke(_cli(), ["audit", "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in lines] == ids
    # Each exported row can be checked on its own from its prev_hash.
    for r in lines:
        fields = {k: r[k] for k in ("actor_id", "device_id", "branch_id", "action", "entity")}
        fields |= {"entity_id": r["entity_id"], "data": r["data"], "lat": r["lat"], "lon": r["lon"]}
        fields["at"] = datetime.strptime(r["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        assert chain_hash(r["prev_hash"], fields) == r["hash"]
    as_csv = tmp_path / "audit.csv"
    assert runner.invoke(_cli(), ["audit", "export", "--out", str(as_csv)]).exit_code == 0
    with as_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["id"]) for r in rows] == ids
    assert json.loads(rows[0]["data"])["名字"] == "张三"

    with chain_db.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    broken = runner.invoke(_cli(), ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"broken at event {ids[2]}" in broken.output and "deleted" in broken.output


def test_record_audit_joins_the_chain_of_the_request(session: Session) -> None:
    """In an ordinary (rolled-back) test transaction, new events link onto the last one."""
    branch = make_branch(session)
    before = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc())).first()
    record_audit(session, at=FIXED_NOW, action="a", entity="branch", entity_id=branch.id)
    record_audit(session, at=FIXED_NOW, action="b", entity="branch", entity_id=branch.id)
    first, second = session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_id == str(branch.id))
        .order_by(col(AuditEvent.id))
    ).all()
    assert first.prev_hash == (before or "") and second.prev_hash == first.hash


def test_viewing_a_borrower_record_is_audited(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    manager = make_user(session, branch, role=Role.manager)
    borrower = make_borrower(session, branch)
    make_visit(session, borrower, [officer])
    device = make_device(session, officer)
    headers = auth_headers(officer.username) | {
        "X-Device-Id": str(device.id),
        "X-Location": "37.3401,116.5802",
    }
    assert client.get(f"/api/v1/borrowers/{borrower.id}", headers=headers).status_code == 200
    manager_headers = auth_headers(manager.username)
    assert (
        client.get(f"/api/v1/borrowers/{borrower.id}", headers=manager_headers).status_code == 200
    )
    views = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "borrower.view", AuditEvent.entity_id == str(borrower.id))
        .order_by(col(AuditEvent.id))
    ).all()
    assert [(v.actor_id, v.device_id) for v in views] == [
        (officer.id, device.id),
        (manager.id, None),
    ]
    assert views[0].branch_id == branch.id and views[0].at == FIXED_NOW
    assert (views[0].lat, views[0].lon) == (37.3401, 116.5802)
    assert views[0].data["client_address"] and views[1].lat is None
    # A borrower the officer may not see: refused, and nothing is recorded as viewed.
    other = make_borrower(session, branch)
    assert client.get(f"/api/v1/borrowers/{other.id}", headers=headers).status_code == 404
    assert not session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(other.id))).all()
