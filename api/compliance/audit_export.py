"""The audit export's two file formats, written the same way by the API and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from api.audit import EXPORT_COLUMNS
from api.exports import SafeCsvWriter


def jsonl_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per event and line, keys sorted (the hash is over canonical JSON)."""
    for record in records:
        yield json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"


def _csv_value(key: str, value: Any) -> Any:
    if key == "data":
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "" if value is None else value


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """The header, then one row per event (`data` as JSON); returns the number of events.
    Text that a spreadsheet would run as a formula is quoted (api/exports.py)."""
    writer = SafeCsvWriter(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for record in records:
        writer.writerow([_csv_value(k, record[k]) for k in EXPORT_COLUMNS])
        count += 1
    return count
