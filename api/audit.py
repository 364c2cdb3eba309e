"""Audit events: one per state change, written in the same transaction as the change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from models import AuditEvent


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
        "data": data or {},
        "lat": lat,
        "lon": lon,
        "prev_hash": "",
        "hash": "",
    }


def write_audit_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Many events in one INSERT (a sync push writes one per mutation)."""
    if rows:
        session.execute(insert(AuditEvent), rows)


def record_audit(session: Session, **fields: Any) -> None:
    write_audit_rows(session, [audit_row(**fields)])
