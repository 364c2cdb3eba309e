"""Tables as downloadable CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX files."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Literal

from fastapi.responses import Response
from openpyxl import Workbook

ExportFormat = Literal["csv", "xlsx"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": XLSX_TYPE,
    "jsonl": "application/x-ndjson",
    "pdf": "application/pdf",
}


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
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(values)
        return Response(
            ("\ufeff" + buffer.getvalue()).encode(),
            media_type="text/csv; charset=utf-8",
            headers=disposition,
        )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    sheet.append(headers)
    for line in values:
        sheet.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return Response(out.getvalue(), media_type=XLSX_TYPE, headers=disposition)
