"""The branch's SMS template for instalment reminders. Pure.

Only the four named placeholders are allowed, with no format spec, conversion, index or
attribute: a template is text a manager types, never code `str.format` could follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any

SETTINGS_KEY = "reminder_template"
PLACEHOLDERS = ("name", "amount", "due_date", "branch_phone")
MAX_CHARS = 300
DEFAULT_TEMPLATE = (
    "{name}您好，您的贷款本期应还{amount}元，还款日为{due_date}，请按时存入还款账户。"
    "如有疑问请致电{branch_phone}。"
)


def template_problem(text: str) -> str | None:
    """What is wrong with `text` as a template (a sentence saying what to fix), or None."""
    if not text.strip():
        return "The template is empty: write the message the borrower receives."
    if len(text) > MAX_CHARS:
        return f"The template has {len(text)} characters; at most {MAX_CHARS} are allowed."
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    try:
        parts = list(Formatter().parse(text))
    except ValueError:
        return f"Unbalanced braces: write placeholders as {allowed}, nothing else in braces."
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            return f"Unknown placeholder {{{field}}}: use only {allowed}."
    return None


def stored_template(settings: Mapping[str, Any]) -> tuple[str, bool]:
    """The branch's template and whether it is the default (a stored one that is no longer
    valid gives way to the default: a reminder is never blocked by a bad setting)."""
    stored = settings.get(SETTINGS_KEY)
    if isinstance(stored, str) and template_problem(stored) is None:
        return stored, False
    return DEFAULT_TEMPLATE, True


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals and thousands separators: 123456 -> "1,234.56"."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def render(template: str, *, name: str, amount_fen: int, due_date: str, branch_phone: str) -> str:
    """The message for one instalment (`template` must have passed `template_problem`)."""
    return template.format_map(
        {
            "name": name,
            "amount": yuan(amount_fen),
            "due_date": due_date,
            "branch_phone": branch_phone,
        }
    )
