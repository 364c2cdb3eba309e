"""The reminder SMS template: only the four placeholders, rendered in yuan."""

from __future__ import annotations

import pytest

from api.reminders.template import (
    DEFAULT_TEMPLATE,
    SETTINGS_KEY,
    render,
    stored_template,
    template_problem,
    yuan,
)


def test_the_default_renders_in_chinese_with_yuan() -> None:
    text = render(
        DEFAULT_TEMPLATE,
        name="王大山",
        amount_fen=123_456,
        due_date="2026-11-25",
        branch_phone="0534-1234567",
    )
    assert "王大山" in text and "1,234.56元" in text and "2026-11-25" in text
    assert "0534-1234567" in text and "{" not in text


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0.00"), (5, "0.05"), (100, "1.00"), (1_000_000, "10,000.00")]
)
def test_yuan(fen: int, text: str) -> None:
    assert yuan(fen) == text


@pytest.mark.parametrize(
    "template",
    [
        "",
        "   ",
        "{name.__class__}",
        "{name!r}",
        "{amount:>10}",
        "{0}",
        "{}",
        "{balance}",
        "unbalanced {name",
        "x" * 301,
    ],
)
def test_templates_that_are_refused(template: str) -> None:
    assert template_problem(template) is not None


def test_a_bad_stored_template_gives_way_to_the_default() -> None:
    assert stored_template({}) == (DEFAULT_TEMPLATE, True)
    assert stored_template({SETTINGS_KEY: "{name.__init__}"}) == (DEFAULT_TEMPLATE, True)
    assert stored_template({SETTINGS_KEY: 42}) == (DEFAULT_TEMPLATE, True)
    assert stored_template({SETTINGS_KEY: "{name}, {{literal}}"}) == ("{name}, {{literal}}", False)
