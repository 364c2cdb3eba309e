"""The copy of a mutation the server keeps (the rejected store, the review list): one every
database accepts, and of bounded size. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from api.writes.args import json_size

# An entry whose arguments are larger than this is refused (`payload_too_large`); an
# agreement carries two signatures (PNG data URLs) and its text.
MAX_ARGS_BYTES = 64 * 1024
MAX_ARGS_BYTES_BY_NAME = {"agreement.sign": 1536 * 1024}
# What is kept of a refused oversized entry: its shape, with texts cut, in this many bytes.
KEPT_BYTES = 16 * 1024
KEPT_TEXT_CHARS = 2000
NUL_SHOWN = "\u2400"  # the "symbol for null": what a NUL byte is stored as
CUT = "…"


def limit_for(name: str) -> int:
    return MAX_ARGS_BYTES_BY_NAME.get(name, MAX_ARGS_BYTES)


def clean_text(text: str) -> str:
    """NUL bytes shown as U+2400, lone surrogates (not Unicode) as U+FFFD."""
    text = text.replace("\x00", NUL_SHOWN)
    try:
        text.encode()
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def storable(value: Any, depth: int = 0) -> Any:
    """`value` as every database stores it: texts cleaned (`clean_text`), NaN and infinities as
    text, anything not JSON as its text; nesting beyond 20 levels cut."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool | int) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= 20:
        return CUT
    if isinstance(value, dict):
        return {clean_text(str(k)): storable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v, depth + 1) for v in value]
    return clean_text(str(value))


@dataclass
class _Budget:
    left: int


def _shrink(value: Any, budget: _Budget) -> Any:
    """Texts cut to KEPT_TEXT_CHARS; once the budget is spent, the rest is left out."""
    if budget.left <= 0:
        return CUT
    if isinstance(value, str):
        kept = value if len(value) <= KEPT_TEXT_CHARS else f"{value[:KEPT_TEXT_CHARS]}{CUT}"
        kept = kept[: max(budget.left, 1)]
        budget.left -= len(kept.encode()) + 3
        return kept
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if budget.left <= 0:
                out[CUT] = f"{len(value) - len(out)} more keys left out"
                break
            budget.left -= len(key.encode()) + 4
            out[key] = _shrink(item, budget)
        return out
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            if budget.left <= 0:
                items.append(f"{CUT} {len(value) - len(items)} more items left out")
                break
            items.append(_shrink(item, budget))
        return items
    budget.left -= 8
    return value


def truncated(args: dict[str, Any]) -> dict[str, Any]:
    """A copy of oversized (already `storable`) arguments to keep for review: at most about
    KEPT_BYTES, texts cut to KEPT_TEXT_CHARS characters."""
    shrunk = _shrink(args, _Budget(KEPT_BYTES))
    return shrunk if isinstance(shrunk, dict) else {}


def preview(args: dict[str, Any]) -> tuple[dict[str, Any], int, bool]:
    """The stored arguments as the review list shows them: texts longer than
    KEPT_TEXT_CHARS (signatures) cut; with the stored size and whether anything was cut."""
    size = json_size(args)
    if size <= KEPT_BYTES:
        return args, size, False
    return truncated(args), size, True
