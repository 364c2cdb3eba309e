"""Agreement and promise lists as CSV (UTF-8 with a BOM, so Excel reads the Chinese) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from api.agreements.labels import AGREEMENT_STATUS, PROMISE_STATUS, label, local_time, yuan
from api.agreements.service import AgreementRow, PromiseRow

Cell = str | int | float | None
ExportFormat = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

AGREEMENT_HEADERS = [
    "协议编号",
    "状态",
    "借款人",
    "身份证号",
    "贷款账号",
    "客户经理",
    "签署时间",
    "协议金额(元)",
    "首付(元)",
    "期数",
    "已还(元)",
    "逾期未还期数",
    "下期到期日",
    "待审批原因",
    "审批意见",
]
PROMISE_HEADERS = [
    "承诺编号",
    "状态",
    "借款人",
    "贷款账号",
    "客户经理",
    "承诺时间",
    "承诺金额(元)",
    "到期日",
    "已还(元)",
]


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def agreement_rows(rows: Sequence[AgreementRow], timezone: str) -> list[list[Cell]]:
    return [
        [
            str(row.agreement.id),
            label(AGREEMENT_STATUS, row.agreement.status, "zh-CN"),
            row.borrower_name,
            row.national_id_masked,
            row.account_number,
            row.officer_name,
            local_time(row.agreement.signed_at, timezone),
            yuan(row.agreement.principal_fen),
            yuan(row.agreement.down_payment_fen),
            len(row.lines),
            yuan(row.paid_fen),
            row.missed_lines,
            _day(row.next_due_date),
            "；".join(r.get("text_zh", "") for r in row.agreement.approval_reasons),
            row.agreement.decision_reason,
        ]
        for row in rows
    ]


def promise_rows(rows: Sequence[PromiseRow], timezone: str) -> list[list[Cell]]:
    return [
        [
            str(row.promise.id),
            label(PROMISE_STATUS, row.promise.status, "zh-CN"),
            row.borrower_name,
            row.account_number,
            row.officer_name,
            local_time(row.promise.made_at, timezone),
            yuan(row.promise.amount_fen),
            _day(row.promise.due_date),
            yuan(row.promise.paid_fen),
        ]
        for row in rows
    ]


def _money(value: Cell) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "" if value is None else str(value)


def to_csv(headers: list[str], rows: list[list[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_money(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list[Cell]], *, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for index, header in enumerate(headers, start=1):
        if header.endswith("(元)"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0.00"
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) * 2 + 2)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(headers: list[str], rows: list[list[Cell]], *, fmt: ExportFormat, title: str) -> bytes:
    return to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, title=title)


def filename(kind: str, fmt: ExportFormat, now: datetime) -> str:
    return f"{kind}-{now:%Y%m%d-%H%M}.{fmt}"
