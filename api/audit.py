"""Audit events: one per state change (and per view of a borrower's full record), written in
the same transaction as the change, append-only and hash-chained.

Chain: events are ordered by id; each stores the hash of the one before it (`prev_hash`)
and `hash = sha256(prev_hash + canonical JSON of the event)`. Editing an event changes its
hash; deleting one breaks the link of the next. After retention purges old events, an
`audit_anchor` row keeps the id and hash of the last purged one and the chain starts there.

Writers are serialised so the chain never forks: on PostgreSQL a transaction-scoped
advisory lock is taken before the last hash is read (and held until commit), all inside one
call of the `audit_append` function (migration 0006); SQLite transactions already hold the
write lock from their first statement (BEGIN IMMEDIATE).
Audit rows must be written in READ COMMITTED transactions (every request but a sync pull).

The lock serialises every writer until its commit, so the hot path (a sync push) writes its
rows right before the commit (`api.db.at_commit`), not in the middle of the push.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from api.scoping import branch_column
from models import AuditAnchor, AuditEvent, User

# pg_advisory_xact_lock key of the audit chain ("fvaudit" in ASCII).
AUDIT_LOCK_KEY = 0x66766175646974
CHAIN_FIELDS = (
    "at",
    "actor_id",
    "device_id",
    "branch_id",
    "action",
    "entity",
    "entity_id",
    "data",
    "lat",
    "lon",
)


def _json_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """The data as the database gives it back (UUIDs and dates as strings, tuples as lists),
    so the hash computed before the INSERT is the one `verify` recomputes."""
    normalised: dict[str, Any] = json.loads(json.dumps(data or {}, default=str))
    return normalised


def audit_row(
    *,
    at: datetime,
    action: str,
    entity: str,
    entity_id: uuid.UUID | str,
    actor_id: uuid.UUID | None = None,
    device_id: uuid.UUID | None = None,
    branch_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> dict[str, Any]:
    return {
        "at": at,
        "actor_id": actor_id,
        "device_id": device_id,
        "branch_id": branch_id,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "data": _json_data(data),
        "lat": lat,
        "lon": lon,
        "prev_hash": "",
        "hash": "",
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _chained_fields(event: dict[str, Any]) -> dict[str, Any]:
    """The fields the hash covers, as JSON values (time as UTC text to the microsecond)."""
    at = event["at"]
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError("audit events need an aware datetime `at`")
    return {
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": _text(event.get("actor_id")),
        "device_id": _text(event.get("device_id")),
        "branch_id": _text(event.get("branch_id")),
        "action": event["action"],
        "entity": event["entity"],
        "entity_id": str(event["entity_id"]),
        "data": event.get("data") or {},
        "lat": _float(event.get("lat")),
        "lon": _float(event.get("lon")),
    }


def canonical(event: dict[str, Any]) -> str:
    """The event's chained fields as canonical JSON (sorted keys, no spaces, UTF-8, time in
    UTC to the microsecond)."""
    return _canonical_json(_chained_fields(event))


def _canonical_json(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


def _last_hash(session: Session) -> str:
    last = session.exec(
        select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    if last is not None:
        return last
    anchor = session.exec(
        select(AuditAnchor.last_hash).order_by(col(AuditAnchor.last_id).desc()).limit(1)
    ).first()
    return anchor or ""


def write_audit_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Many events in one INSERT (a sync push writes one per mutation), chained onto the
    last stored event: one lock, one query for the previous hash, hashes in Python (on
    PostgreSQL all three inside the `audit_append` call)."""
    if not rows:
        return
    events = [
        {**row, "data": _json_data(row.get("data")), "entity_id": str(row["entity_id"])}
        for row in rows
    ]
    if session.get_bind().dialect.name == "postgresql":
        # One round trip: the chain lock is held until commit, so every round trip under
        # it would hold up every other writer.
        chained_fields = [_chained_fields(event) for event in events]
        payload = [{**f, "canonical": _canonical_json(f)} for f in chained_fields]
        session.execute(
            text("SELECT audit_append(CAST(:events AS jsonb))"),
            {"events": json.dumps(payload, ensure_ascii=False)},
        )
        return
    lock_chain(session)
    prev = _last_hash(session)
    for event in events:
        event["prev_hash"] = prev
        event["hash"] = prev = chain_hash(prev, event)
    session.execute(insert(AuditEvent), events)


def record_audit(session: Session, **fields: Any) -> None:
    write_audit_rows(session, [audit_row(**fields)])


def record_sign_in_event(
    session: Session,
    user: User,
    *,
    action: str,
    device_id: uuid.UUID | None,
    now: datetime,
    data: dict[str, Any],
    entity: str = "user",
    entity_id: Any = None,
) -> None:
    """What happens to a user's own sign-in (a login, a device, a session), from which phone."""
    record_audit(
        session,
        at=now,
        action=action,
        entity=entity,
        entity_id=user.id if entity_id is None else entity_id,
        actor_id=user.id,
        device_id=device_id,
        branch_id=user.branch_id,
        data=data,
    )


def record_manager_action(
    session: Session,
    manager: User,
    *,
    action: str,
    entity: str,
    entity_id: Any,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """A manager's decision in their branch, audited."""
    record_audit(
        session,
        at=now,
        action=action,
        entity=entity,
        entity_id=entity_id,
        actor_id=manager.id,
        branch_id=manager.branch_id,
        data=data,
    )


# --- verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenLink:
    id: int
    problem: str

    def __str__(self) -> str:
        return f"audit event {self.id}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    anchor_id: int | None
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


_COLUMNS = [getattr(AuditEvent, name) for name in ("id", "prev_hash", "hash", *CHAIN_FIELDS)]


def _events(
    session: Session,
    *,
    after: int | None = None,
    branch_id: uuid.UUID | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    batch: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Events in id order as plain dicts, a batch at a time (keyset paging; rows are not
    loaded as ORM objects, so memory stays flat however long the chain)."""
    last = after if after is not None else -1
    while True:
        query = select(*_COLUMNS).where(col(AuditEvent.id) > last)
        if branch_id is not None:
            query = query.where(branch_column(AuditEvent) == branch_id)
        if start is not None:
            query = query.where(col(AuditEvent.at) >= start)
        if end is not None:
            query = query.where(col(AuditEvent.at) < end)
        rows = session.execute(query.order_by(col(AuditEvent.id)).limit(batch)).mappings().all()
        if not rows:
            return
        for row in rows:
            yield dict(row)
        last = rows[-1]["id"]


def verify_chain(session: Session) -> ChainReport:
    """Recompute the chain from the anchor (or the first event) and name the first event
    whose link or content does not match."""
    anchor = session.exec(
        select(AuditAnchor).order_by(col(AuditAnchor.last_id).desc()).limit(1)
    ).first()
    anchor_id = anchor.last_id if anchor else None
    prev_hash = anchor.last_hash if anchor else ""
    prev_id = anchor_id
    checked = 0
    for event in _events(session, after=anchor_id):
        problem = _link_problem(event, prev_hash, prev_id=prev_id, anchor_id=anchor_id)
        if problem is not None:
            return ChainReport(checked, anchor_id, BrokenLink(int(event["id"]), problem))
        prev_hash, prev_id = event["hash"], int(event["id"])
        checked += 1
    return ChainReport(checked, anchor_id, None)


def _link_problem(
    event: dict[str, Any], prev_hash: str, *, prev_id: int | None, anchor_id: int | None
) -> str | None:
    """What is wrong with the event's link to the one before it (`prev_hash`, the event
    `prev_id` or the purge anchor) or with its own hash; None when both hold."""
    if event["prev_hash"] != prev_hash:
        before = f"event {prev_id}" if prev_id is not None else "the start of the chain"
        if prev_id is not None and prev_id == anchor_id:
            before = f"the purge anchor (event {prev_id})"
        return (
            f"prev_hash {event['prev_hash'][:12] or '(empty)'}... does not match the hash "
            f"{prev_hash[:12] or '(empty)'}... of {before}: an event between them was "
            "deleted or rewritten"
        )
    computed = chain_hash(prev_hash, event)
    if computed != event["hash"]:
        return (
            f"content differs from its hash (stored {event['hash'][:12]}..., computed "
            f"{computed[:12]}...): the event was edited after it was written"
        )
    return None


# --- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = ("id", *CHAIN_FIELDS, "prev_hash", "hash")


def export_record(event: dict[str, Any]) -> dict[str, Any]:
    """One event as an inspector gets it (JSON-ready; `data` as an object): the chained
    fields exactly as the hash covers them, between the id and the two hashes."""
    return {
        "id": event["id"],
        **_chained_fields(event),
        "prev_hash": event["prev_hash"],
        "hash": event["hash"],
    }


def export_events(
    session: Session,
    *,
    branch_id: uuid.UUID | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Events in id order (optionally one branch's, with `start <= at < end`)."""
    for event in _events(session, branch_id=branch_id, start=start, end=end):
        yield export_record(event)
