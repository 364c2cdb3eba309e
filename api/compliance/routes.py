"""Compliance endpoints: the branch policy (read by everyone, versioned edits by the
manager), the compliance report and the audit export for an inspector."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.audit import export_events, record_audit
from api.compliance import service
from api.compliance.audit_export import jsonl_lines, write_csv
from api.compliance.policy import PolicyData
from api.compliance.report import MAX_DAYS, check_period, compliance_report
from api.compliance.schemas import (
    AuditExportQuery,
    ComplianceReportPublic,
    PolicyPublic,
    ReportQuery,
)
from api.deps import ClockDep, CurrentBranch, CurrentManager, CurrentUser, SessionDep
from api.exports import file_responses, table_response

router = APIRouter(tags=["compliance"])


@router.get("/policy", operation_id="policy-get", response_model=PolicyPublic)
def get_policy(_user: CurrentUser, branch: CurrentBranch, session: SessionDep) -> PolicyPublic:
    """Your branch's compliance policy in force (version 0: the built-in defaults)."""
    return service.get_policy(session=session, branch=branch).public()


@router.put("/policy", operation_id="policy-put", response_model=PolicyPublic)
def put_policy(
    body: PolicyData,
    manager: CurrentManager,
    branch: CurrentBranch,
    session: SessionDep,
    now: ClockDep,
) -> PolicyPublic:
    """Store a new version of your branch's policy (the whole policy: fields left out take
    their default). Unchanged data creates no version. Visits, check-ins, outcomes and
    agreements checked from now on record the new version."""
    record = service.update_policy(
        session=session, manager=manager, branch=branch, data=body, now=now
    )
    return record.public()


@router.get("/policy/versions", operation_id="policy-versions", response_model=list[PolicyPublic])
def policy_versions(
    _manager: CurrentManager, branch: CurrentBranch, session: SessionDep
) -> list[PolicyPublic]:
    """Every version of your branch's policy, newest first (version 0, the defaults, last)."""
    return [r.public() for r in service.list_policy_versions(session=session, branch=branch)]


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


@router.get(
    "/reports/compliance",
    operation_id="reports-compliance",
    response_model=ComplianceReportPublic,
    responses=file_responses("csv"),
)
def report(
    _manager: CurrentManager,
    branch: CurrentBranch,
    session: SessionDep,
    now: ClockDep,
    query: Annotated[ReportQuery, Query()],
) -> ComplianceReportPublic | Response:
    """Visits outside hours, with fewer staff than the policy asks, more frequent than it
    allows, with an overdue check-out, or with a possible third-party disclosure, in the
    period (by plan date): `counts` per kind (target zero) and `items` per kind, each with
    the visit, borrower, officer and time."""
    result = compliance_report(
        session=session, branch=branch, date_from=query.date_from, date_to=query.date_to, now=now
    )
    if query.format == "csv":
        filename = f"compliance-{query.date_from}-{query.date_to}"
        return table_response(result.rows(), REPORT_COLUMNS, filename=filename, fmt="csv")
    return result.public()


@router.get(
    "/audit/export",
    operation_id="audit-export",
    response_class=Response,
    responses=file_responses("csv", "jsonl"),
)
def audit_export(
    manager: CurrentManager,
    branch: CurrentBranch,
    session: SessionDep,
    now: ClockDep,
    query: Annotated[AuditExportQuery, Query()],
) -> Response:
    """Your branch's audit events from `from` to `to` (local days, inclusive), in id order,
    as CSV or JSON lines, each with `prev_hash` and `hash`: any row can be checked on its
    own as hash = sha256(prev_hash + canonical JSON of at, actor_id, device_id, branch_id,
    action, entity, entity_id, data, lat, lon)."""
    date_from, date_to = query.date_from, query.date_to
    check_period(date_from, date_to, too_long=f"Export at most {MAX_DAYS} days at a time.")
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
    filename = f"audit-{branch.code}-{date_from}-{date_to}.{query.format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if query.format == "jsonl":
        body = "".join(jsonl_lines(records))
        return Response(body.encode(), media_type="application/x-ndjson", headers=headers)
    out = io.StringIO()
    write_csv(records, out)
    # With a BOM, like the other CSV files: Excel then reads the Chinese in `data`.
    body = "\ufeff" + out.getvalue()
    return Response(body.encode(), media_type="text/csv; charset=utf-8", headers=headers)
