"""Agreement and promise lists as CSV (UTF-8 with a BOM, so Excel reads the Chinese) or XLSX."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, TypeVar

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from api.agreements.labels import AGREEMENT_STATUS, PROMISE_STATUS, label, local_time, yuan
from api.agreements.lists import AgreementRow, PromiseRow
from api.exports import csv_bytes, xlsx_append

Cell = str | int | float | None
ExportFormat = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Row = TypeVar("Row")
Column = tuple[str, Callable[[Row], Cell]]  # the header, and the cell of a row


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def agreement_columns(timezone: str) -> list[Column[AgreementRow]]:
    """The agreement list's columns, times in the branch's time zone."""
    return [
        ("协议编号", lambda row: str(row.agreement.id)),
        ("状态", lambda row: label(AGREEMENT_STATUS, row.agreement.status, "zh-CN")),
        ("借款人", lambda row: row.borrower_name),
        ("身份证号", lambda row: row.national_id_masked),
        ("贷款账号", lambda row: row.account_number),
        ("客户经理", lambda row: row.officer_name),
        ("签署时间", lambda row: local_time(row.agreement.signed_at, timezone)),
        ("协议金额(元)", lambda row: yuan(row.agreement.principal_fen)),
        ("首付(元)", lambda row: yuan(row.agreement.down_payment_fen)),
        ("期数", lambda row: len(row.lines)),
        ("已还(元)", lambda row: yuan(row.paid_fen)),
        ("逾期未还期数", lambda row: row.missed_lines),
        ("下期到期日", lambda row: _day(row.next_due_date)),
        (
            "待审批原因",
            lambda row: "；".join(r.get("text_zh", "") for r in row.agreement.approval_reasons),
        ),
        ("审批意见", lambda row: row.agreement.decision_reason),
    ]


def promise_columns(timezone: str) -> list[Column[PromiseRow]]:
    """The promise list's columns, times in the branch's time zone."""
    return [
        ("承诺编号", lambda row: str(row.promise.id)),
        ("状态", lambda row: label(PROMISE_STATUS, row.promise.status, "zh-CN")),
        ("借款人", lambda row: row.borrower_name),
        ("贷款账号", lambda row: row.account_number),
        ("客户经理", lambda row: row.officer_name),
        ("承诺时间", lambda row: local_time(row.promise.made_at, timezone)),
        ("承诺金额(元)", lambda row: yuan(row.promise.amount_fen)),
        ("到期日", lambda row: _day(row.promise.due_date)),
        ("已还(元)", lambda row: yuan(row.promise.paid_fen)),
    ]


def _money(value: Cell) -> Cell | Decimal:
    """Amounts with two decimals (a number, so the export helper leaves a minus sign be)."""
    return Decimal(f"{value:.2f}") if isinstance(value, float) else value


def to_csv(headers: list[str], rows: list[list[Cell]]) -> bytes:
    """Through the shared helper: text that a spreadsheet would run as a formula is quoted."""
    return csv_bytes(headers, ([_money(value) for value in row] for row in rows))


def to_xlsx(headers: list[str], rows: list[list[Cell]], *, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    xlsx_append(sheet, headers)
    for row in rows:
        xlsx_append(sheet, row)
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


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str
    filename: str


def download(
    columns: list[Column[Row]],
    rows: Sequence[Row],
    *,
    fmt: ExportFormat,
    title: str,
    kind: str,
    now: datetime,
) -> Download:
    """`rows` as a CSV or XLSX file named after `kind` and the time of the export."""
    headers = [header for header, _cell in columns]
    cells = [[cell(row) for _header, cell in columns] for row in rows]
    return Download(
        render(headers, cells, fmt=fmt, title=title), MEDIA_TYPES[fmt], filename(kind, fmt, now)
    )
