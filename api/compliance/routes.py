"""Compliance endpoints: the branch policy (read by everyone, versioned edits by the
manager), the compliance report and the audit export for an inspector."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.audit import EXPORT_COLUMNS, export_events, record_audit
from api.compliance import service
from api.compliance.policy import PolicyData
from api.compliance.report import compliance_report
from api.deps import ClockDep, CurrentManager, CurrentUser, SessionDep
from api.errors import InvalidInput, NotFound
from api.exports import table_response
from models import Branch

router = APIRouter(tags=["compliance"])

MAX_EXPORT_DAYS = 366


class PolicyPublic(BaseModel):
    branch_id: uuid.UUID
    version: int
    is_default: bool
    created_at: datetime | None
    created_by: uuid.UUID | None
    data: PolicyData


def _public(record: service.PolicyRecord) -> PolicyPublic:
    return PolicyPublic.model_validate(record.as_dict())


@router.get("/policy", operation_id="policy-get", response_model=PolicyPublic)
def get_policy(user: CurrentUser, session: SessionDep) -> PolicyPublic:
    """Your branch's compliance policy in force (version 0: the built-in defaults)."""
    return _public(service.get_policy(session=session, user=user))


@router.put("/policy", operation_id="policy-put", response_model=PolicyPublic)
def put_policy(
    body: PolicyData, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> PolicyPublic:
    """Store a new version of your branch's policy (the whole policy: fields left out take
    their default). Unchanged data creates no version. Visits, check-ins, outcomes and
    agreements checked from now on record the new version."""
    return _public(service.update_policy(session=session, manager=manager, data=body, now=now))


@router.get("/policy/versions", operation_id="policy-versions", response_model=list[PolicyPublic])
def policy_versions(manager: CurrentManager, session: SessionDep) -> list[PolicyPublic]:
    """Every version of your branch's policy, newest first (version 0, the defaults, last)."""
    return [_public(r) for r in service.list_policy_versions(session=session, user=manager)]


REPORT_COLUMNS = [
    ("kind", "类别 kind"),
    ("plan_date", "计划日期 plan date"),
    ("local_time", "时间 local time"),
    ("borrower_name", "借款人 borrower"),
    ("officer_name", "客户经理 officer"),
    ("codes", "规则 rules"),
    ("policy_version", "政策版本 policy version"),
    ("visit_id", "走访 visit id"),
]


@router.get("/reports/compliance", operation_id="reports-compliance")
def report(
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
    date_from: date = Query(alias="from"),
    date_to: date = Query(alias="to"),
    format: Literal["json", "csv"] = "json",
) -> Any:
    """Visits outside hours, with fewer staff than the policy asks, more frequent than it
    allows, with an overdue check-out, or with a possible third-party disclosure, in the
    period (by plan date): `counts` per kind (target zero) and `items` per kind, each with
    the visit, borrower, officer and time."""
    result = compliance_report(
        session=session, manager=manager, date_from=date_from, date_to=date_to, now=now
    )
    if format == "csv":
        return table_response(
            result.rows(), REPORT_COLUMNS, filename=f"compliance-{date_from}-{date_to}", fmt="csv"
        )
    return result.as_dict()


def _csv_value(key: str, value: Any) -> Any:
    if key == "data":
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "" if value is None else value


@router.get("/audit/export", operation_id="audit-export")
def audit_export(
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
    date_from: date = Query(alias="from"),
    date_to: date = Query(alias="to"),
    format: Literal["csv", "jsonl"] = "csv",
) -> Response:
    """Your branch's audit events from `from` to `to` (local days, inclusive), in id order,
    as CSV or JSON lines, each with `prev_hash` and `hash`: any row can be checked on its
    own as hash = sha256(prev_hash + canonical JSON of at, actor_id, device_id, branch_id,
    action, entity, entity_id, data, lat, lon)."""
    if date_to < date_from:
        raise InvalidInput("`to` is before `from`: give the period's first day, then its last.")
    if (date_to - date_from).days >= MAX_EXPORT_DAYS:
        raise InvalidInput(f"Export at most {MAX_EXPORT_DAYS} days at a time.")
    branch = session.get(Branch, manager.branch_id)
    if branch is None:
        raise NotFound("Your branch no longer exists.")
    tz = ZoneInfo(branch.timezone)
    start = datetime.combine(date_from, time(0), tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz)
    records = list(export_events(session, branch_id=branch.id, start=start, end=end))
    record_audit(
        session,
        at=now,
        action="audit.export",
        entity="branch",
        entity_id=branch.id,
        actor_id=manager.id,
        branch_id=branch.id,
        data={"from": str(date_from), "to": str(date_to), "events": len(records)},
    )
    filename = f"audit-{branch.code}-{date_from}-{date_to}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "jsonl":
        body = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in records)
        return Response(body.encode(), media_type="application/x-ndjson", headers=headers)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for r in records:
        writer.writerow([_csv_value(k, r[k]) for k in EXPORT_COLUMNS])
    # With a BOM, like the other CSV files: Excel then reads the Chinese in `data`.
    body = "\ufeff" + out.getvalue()
    return Response(body.encode(), media_type="text/csv; charset=utf-8", headers=headers)
