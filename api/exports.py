"""Tables as downloadable CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX files.

Every CSV or XLSX file the server writes goes through this module: a text cell that a
spreadsheet would run as a formula (one starting with = + - @, a tab or a carriage return,
the OWASP "CSV injection" list) is written with a leading ' so that it shows as text, and
XLSX text cells are always strings, never formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Literal, Protocol, TextIO

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

ExportFormat = Literal["csv", "xlsx"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": XLSX_TYPE,
    "jsonl": "application/x-ndjson",
    "pdf": "application/pdf",
}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value`, with a ' in front if it is text a spreadsheet would read as a formula.
    Numbers stay numbers (a negative amount is not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class RowWriter(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeCsvWriter:
    """A `csv.writer` whose rows are neutralised cell by cell."""

    def __init__(self, out: TextIO, *, lineterminator: str = "\r\n") -> None:
        self._writer: RowWriter = csv.writer(out, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(headers: Sequence[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A whole CSV file: BOM, the header, the rows (neutralised), CRLF line ends."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_cell(sheet: Worksheet | WriteOnlyWorksheet, value: Any) -> Cell:
    """A cell for `sheet.append`: text neutralised, stripped of the control characters XML
    cannot hold, and typed as a string (openpyxl would make "=..." a formula)."""
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(sheet, value=value)


def xlsx_append(sheet: Worksheet | WriteOnlyWorksheet, row: Iterable[Any]) -> None:
    """Append one row of safe cells."""
    sheet.append([xlsx_cell(sheet, value) for value in row])


def file_responses(
    *formats: str, description: str = "The answer in the `format` asked for."
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route whose 200 answer is a file (of one of `formats`), or JSON
    unless the route answers files only: the OpenAPI schema then lists the file's media
    types beside the JSON model."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    content = {MEDIA_TYPES[fmt]: binary for fmt in formats}
    return {200: {"description": description, "content": content}}


def table_response(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    filename: str,
    fmt: ExportFormat,
) -> Response:
    """`columns` are (key in each row, header shown in the file)."""
    headers = [title for _, title in columns]
    values = [[row.get(key) for key, _ in columns] for row in rows]
    disposition = {"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'}
    if fmt == "csv":
        return Response(
            csv_bytes(headers, values), media_type="text/csv; charset=utf-8", headers=disposition
        )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    xlsx_append(sheet, headers)
    for line in values:
        xlsx_append(sheet, line)
    out = io.BytesIO()
    workbook.save(out)
    return Response(out.getvalue(), media_type=XLSX_TYPE, headers=disposition)
