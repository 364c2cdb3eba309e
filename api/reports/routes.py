"""Effectiveness reports for the manager console, as JSON or as a file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import CurrentBranch, CurrentManager, SessionDep
from api.exports import file_responses, table_response
from api.reports import service
from api.reports.schemas import (
    HardshipQuery,
    HardshipReport,
    KpiQuery,
    KpiReport,
    KpiRowPublic,
)

router = APIRouter(prefix="/reports", tags=["reports"])

KPI_COLUMNS = [
    ("group", "分组 group"),
    ("group_label", "名称 name"),
    ("visits_planned", "计划走访 planned"),
    ("visits_completed", "完成走访 completed"),
    ("contact_rate", "接触率 contact rate"),
    ("ptp_rate", "承诺率 PTP rate"),
    ("ptp_kept_rate", "承诺兑现率 PTP kept rate"),
    ("recovery_rate", "回收率 recovery after visit"),
    ("cure_rate", "结清逾期率 cure rate"),
    ("km_per_visit", "每次走访公里 km per visit"),
    ("recovered_fen", "回收金额(分) recovered (fen)"),
    ("overdue_at_visit_fen", "走访时逾期(分) overdue at visit (fen)"),
    ("cost_per_100_recovered_fen", "每回收100元成本(分) cost per 100 CNY recovered (fen)"),
]
HARDSHIP_COLUMNS = [
    ("code", "code"),
    ("label_zh", "原因"),
    ("label_en", "reason"),
    ("count", "次数 count"),
    ("share", "占比 share"),
]
TABLE_FILES = file_responses("csv", "xlsx")


@router.get("/kpis", operation_id="reports-kpis", response_model=KpiReport, responses=TABLE_FILES)
def kpis(
    _manager: CurrentManager,
    branch: CurrentBranch,
    session: SessionDep,
    query: Annotated[KpiQuery, Query()],
) -> KpiReport | Response:
    """Every KPI side by side for each group: there is no ranking on one number."""
    rows = service.kpi_report(
        session=session,
        branch=branch,
        date_from=query.date_from,
        date_to=query.date_to,
        group_by=query.group_by,
    )
    labels = service.group_labels(session, branch_id=branch.id, group_by=query.group_by)
    items = [KpiRowPublic.of(r, label=labels.get(r.group, r.group)) for r in rows]
    if query.format != "json":
        return table_response(
            [item.model_dump() for item in items],
            KPI_COLUMNS,
            filename=f"kpis-{query.group_by}-{query.date_from}-{query.date_to}",
            fmt=query.format,
        )
    return KpiReport(
        date_from=query.date_from, date_to=query.date_to, group_by=query.group_by, rows=items
    )


@router.get(
    "/hardship",
    operation_id="reports-hardship",
    response_model=HardshipReport,
    responses=TABLE_FILES,
)
def hardship(
    _manager: CurrentManager,
    branch: CurrentBranch,
    session: SessionDep,
    query: Annotated[HardshipQuery, Query()],
) -> HardshipReport | Response:
    """How often each hardship reason was recorded on the branch's visits in the period."""
    rows = service.hardship_breakdown(
        session=session, branch_id=branch.id, date_from=query.date_from, date_to=query.date_to
    )
    if query.format != "json":
        return table_response(
            [row.model_dump() for row in rows],
            HARDSHIP_COLUMNS,
            filename=f"hardship-{query.date_from}-{query.date_to}",
            fmt=query.format,
        )
    return HardshipReport(date_from=query.date_from, date_to=query.date_to, rows=rows)
