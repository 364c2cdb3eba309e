"""Effectiveness reports for the manager console, as JSON or as a file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import CurrentBranch, SessionDep, get_current_manager
from api.exports import ExportFormat, file_responses, table_response
from api.reports import service
from api.reports.schemas import (
    HardshipQuery,
    HardshipReport,
    KpiQuery,
    KpiReport,
    KpiRowPublic,
)

# Reports are for managers: every route checks it once, here.
router = APIRouter(prefix="/reports", tags=["reports"], dependencies=[Depends(get_current_manager)])

Columns = list[tuple[str, str]]
KPI_COLUMNS: Columns = [
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
    ("feedback_calls", "回访数 follow-up calls"),
    ("courteous_rate", "文明礼貌率 courteous rate"),
    ("lawful_rate", "合规率 lawful rate"),
    ("explained_rate", "解释清楚率 explained rate"),
    ("mean_satisfaction", "平均满意度 mean satisfaction"),
]
HARDSHIP_COLUMNS: Columns = [
    ("code", "code"),
    ("label_zh", "原因"),
    ("label_en", "reason"),
    ("count", "次数 count"),
    ("share", "占比 share"),
]
FILES = file_responses("csv", "xlsx")


def _file(rows: Sequence[BaseModel], columns: Columns, *, name: str, fmt: ExportFormat) -> Response:
    """The rows as the CSV or XLSX file `fmt` names."""
    return table_response([r.model_dump() for r in rows], columns, filename=name, fmt=fmt)


@router.get("/kpis", operation_id="reports-kpis", response_model=KpiReport, responses=FILES)
def kpis(
    branch: CurrentBranch, session: SessionDep, query: Annotated[KpiQuery, Query()]
) -> KpiReport | Response:
    """Every KPI side by side for each group: there is no ranking on one number."""
    period, group_by = (query.date_from, query.date_to), query.group_by
    rows = service.kpi_report(
        session=session, branch=branch, date_from=period[0], date_to=period[1], group_by=group_by
    )
    labels = service.group_labels(session, branch_id=branch.id, group_by=group_by)
    items = [KpiRowPublic.of(r, label=labels.get(r.group, r.group)) for r in rows]
    if query.format != "json":
        name = f"kpis-{group_by}-{period[0]}-{period[1]}"
        return _file(items, KPI_COLUMNS, name=name, fmt=query.format)
    return KpiReport(date_from=period[0], date_to=period[1], group_by=group_by, rows=items)


@router.get(
    "/hardship", operation_id="reports-hardship", response_model=HardshipReport, responses=FILES
)
def hardship(
    branch: CurrentBranch, session: SessionDep, query: Annotated[HardshipQuery, Query()]
) -> HardshipReport | Response:
    """How often each hardship reason was recorded on the branch's visits in the period."""
    date_from, date_to = query.date_from, query.date_to
    rows = service.hardship_breakdown(
        session=session, branch_id=branch.id, date_from=date_from, date_to=date_to
    )
    if query.format != "json":
        name = f"hardship-{date_from}-{date_to}"
        return _file(rows, HARDSHIP_COLUMNS, name=name, fmt=query.format)
    return HardshipReport(date_from=date_from, date_to=date_to, rows=rows)
