"""Complaint categories and channels (reference data in zh-CN and en)."""

from __future__ import annotations

from typing import Literal

# (code, zh-CN, en): what the borrower complains about.
CATEGORIES: list[tuple[str, str, str]] = [
    ("rude", "态度粗鲁", "Rude behaviour"),
    ("threat", "威胁恐吓", "Threats"),
    ("wrong_time", "不当时间联系", "Contact at an improper time"),
    ("privacy", "泄露隐私", "Privacy breach"),
    ("wrong_amount", "金额有误", "Wrong amount"),
    ("other", "其他", "Other"),
]
CHANNELS: list[tuple[str, str, str]] = [
    ("visit", "走访时", "At a visit"),
    ("phone", "电话", "By phone"),
    ("branch", "网点", "At the branch"),
    ("letter", "信函", "By letter"),
]
Category = Literal["rude", "threat", "wrong_time", "privacy", "wrong_amount", "other"]
Channel = Literal["visit", "phone", "branch", "letter"]
MAX_TEXT = 2000
MAX_RESOLUTION = 1000


def label(codes: list[tuple[str, str, str]], code: str) -> tuple[str, str]:
    """(zh-CN, en) of a code; the code itself when unknown."""
    for c, zh, en in codes:
        if c == code:
            return zh, en
    return code, code
