"""Words and number formats shared by the printed copy and the exports (zh-CN and en). Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Lang = Literal["zh-CN", "en"]

AGREEMENT_STATUS: dict[str, tuple[str, str]] = {
    "pending_approval": ("待审批", "Awaiting approval"),
    "signed": ("已签署", "Signed"),
    "active": ("履行中", "Active"),
    "fulfilled": ("已履行完毕", "Fulfilled"),
    "broken": ("已违约", "Broken"),
    "cancelled": ("已取消", "Cancelled"),
    "declined": ("未获批准", "Declined"),
    "superseded": ("已被新协议取代", "Superseded"),
}
PROMISE_STATUS: dict[str, tuple[str, str]] = {
    "open": ("待兑现", "Open"),
    "kept": ("已兑现", "Kept"),
    "broken": ("未兑现", "Broken"),
    "cancelled": ("已取消", "Cancelled"),
}
LINE_STATUS: dict[str, tuple[str, str]] = {
    "due": ("待还", "Due"),
    "paid": ("已还", "Paid"),
    "missed": ("逾期未还", "Missed"),
}


def label(table: dict[str, tuple[str, str]], value: str, lang: Lang) -> str:
    zh, en = table.get(str(value), (str(value), str(value)))
    return en if lang == "en" else zh


def format_money(fen: int) -> str:
    """123456 -> "¥1,234.56" (the phone's formatMoney: always two decimals)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def yuan(fen: int) -> float:
    """Fen as a number of yuan for spreadsheets (exact to the fen at these magnitudes)."""
    return round(fen / 100, 2)


def local_time(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
