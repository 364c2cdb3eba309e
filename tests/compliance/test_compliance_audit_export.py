"""`GET /audit/export`: a manager exports their branch's audit events for an inspector, as
CSV or JSON lines; every row can be checked against its own hash."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.audit import chain_hash, record_audit
from models import AuditEvent
from models.enums import Role
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_branch, make_user


def _fields(row: dict[str, object]) -> dict[str, object]:
    names = ("actor_id", "device_id", "branch_id", "action", "entity", "entity_id", "lat", "lon")
    fields = {k: row[k] for k in names}
    fields["data"] = row["data"]
    fields["at"] = datetime.strptime(str(row["at"]), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return fields


def test_manager_exports_the_branch_audit_trail(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch, other = make_branch(session), make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    officer = make_user(session, branch)
    for day, action in [(-3, "old.thing"), (0, "today.thing"), (1, "tomorrow.thing")]:
        record_audit(
            session,
            at=FIXED_NOW + timedelta(days=day),
            action=action,
            entity="thing",
            entity_id="t1",
            actor_id=officer.id,
            branch_id=branch.id,
            data={"备注": "中文", "n": day},
            lat=37.3,
            lon=116.5,
        )
    record_audit(
        session, at=FIXED_NOW, action="other.branch", entity="x", entity_id="1", branch_id=other.id
    )
    headers = auth_headers(manager.username)
    params = {"from": "2026-11-22", "to": "2026-11-23"}

    lines = client.get("/api/v1/audit/export", params=params | {"format": "jsonl"}, headers=headers)
    assert lines.status_code == 200, lines.text
    assert lines.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in lines.text.splitlines()]
    actions = [r["action"] for r in rows]
    assert "today.thing" in actions
    assert "old.thing" not in actions and "tomorrow.thing" not in actions
    assert "other.branch" not in actions
    assert all(r["branch_id"] == str(branch.id) for r in rows)
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    for r in rows:
        assert chain_hash(r["prev_hash"], _fields(r)) == r["hash"]
    thing = next(r for r in rows if r["action"] == "today.thing")
    assert thing["data"] == {"备注": "中文", "n": 0} and thing["actor_id"] == str(officer.id)

    as_csv = client.get("/api/v1/audit/export", params=params, headers=headers)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    # The same events, plus the first export (recorded in the audit trail, in range).
    assert [int(r["id"]) for r in table][:-1] == [r["id"] for r in rows]
    assert table[-1]["action"] == "audit.export"
    first = next(r for r in table if r["action"] == "today.thing")
    assert json.loads(first["data"]) == {"n": 0, "备注": "中文"}

    # The export itself is on the record; officers may not export.
    exported = session.exec(
        select(AuditEvent).where(AuditEvent.action == "audit.export").order_by(col(AuditEvent.id))
    ).all()
    assert len(exported) == 2 and exported[0].actor_id == manager.id
    officer_headers = auth_headers(officer.username)
    assert (
        client.get("/api/v1/audit/export", params=params, headers=officer_headers).status_code
        == 403
    )
    wrong = client.get(
        "/api/v1/audit/export", params={"from": "2026-11-23", "to": "2026-11-01"}, headers=headers
    )
    assert wrong.status_code == 422
