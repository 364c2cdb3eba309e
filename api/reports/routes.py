"""Effectiveness reports for the manager console, as JSON or as a file."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query

from api.deps import CurrentManager, SessionDep
from api.exports import table_response
from api.reports import service

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
Grouping = Literal["all", "officer", "bucket", "segment"]


@router.get("/kpis", operation_id="reports-kpis")
def kpis(
    manager: CurrentManager,
    session: SessionDep,
    date_from: date = Query(alias="from"),
    date_to: date = Query(alias="to"),
    group_by: Grouping = "all",
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """Every KPI side by side for each group: there is no ranking on one number."""
    rows = service.kpi_report(
        session=session, manager=manager, date_from=date_from, date_to=date_to, group_by=group_by
    )
    labels = service.group_labels(session, manager=manager, group_by=group_by)
    items = [{**r.as_dict(), "group_label": labels.get(r.group, r.group)} for r in rows]
    if format != "json":
        return table_response(
            items, KPI_COLUMNS, filename=f"kpis-{group_by}-{date_from}-{date_to}", fmt=format
        )
    return {"from": date_from, "to": date_to, "group_by": group_by, "rows": items}


@router.get("/hardship", operation_id="reports-hardship")
def hardship(
    manager: CurrentManager,
    session: SessionDep,
    date_from: date = Query(alias="from"),
    date_to: date = Query(alias="to"),
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    rows = service.hardship_breakdown(
        session=session, manager=manager, date_from=date_from, date_to=date_to
    )
    if format != "json":
        columns = [
            ("code", "code"),
            ("label_zh", "原因"),
            ("label_en", "reason"),
            ("count", "次数 count"),
            ("share", "占比 share"),
        ]
        return table_response(rows, columns, filename=f"hardship-{date_from}-{date_to}", fmt=format)
    return {"from": date_from, "to": date_to, "rows": rows}
