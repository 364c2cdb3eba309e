"""Labels (zh-CN, en) of the codes a timeline shows, and the one-line summaries. Pure.

The assessment codes, skip reasons and contact results are the lists the phone gets
(api/visits/assessment.py, api/visits/contacts.py). Unknown codes show as themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from api.complaints.labels import CATEGORIES, CHANNELS
from api.visits import assessment
from api.visits.contacts import CONTACT_RESULTS, SKIP_REASONS

Label = tuple[str, str]  # (zh, en)


def _table(codes: Iterable[tuple[str, str, str]]) -> dict[str, Label]:
    return {code: (zh, en) for code, zh, en in codes}


CONTACT: dict[str, Label] = {
    "borrower": ("借款人本人", "Borrower"),
    "family": ("家属", "Family member"),
    "guarantor": ("担保人", "Guarantor"),
    "third_party": ("其他人员", "Third party"),
    "nobody": ("无人在家", "Nobody home"),
    "refused": ("拒绝沟通", "Refused to talk"),
}
INCOME_SOURCE = _table(assessment.INCOME_SOURCES)
BUSINESS_CONDITION = _table(assessment.BUSINESS_CONDITIONS)
WILLINGNESS = _table(assessment.WILLINGNESS)
NEXT_ACTION: dict[str, Label] = {
    "revisit": ("再次上门", "Visit again"),
    "phone_follow_up": ("电话跟进", "Phone follow-up"),
    "await_payment": ("等待还款", "Await payment"),
    "restructure": ("申请重组", "Restructure"),
    "legal": ("法律程序", "Legal action"),
    "none": ("无需跟进", "None"),
}
SKIP_REASON = _table(SKIP_REASONS)
CONTACT_RESULT = _table(CONTACT_RESULTS)
STATUS: dict[str, Label] = {
    "open": ("未到期", "open"),
    "kept": ("已兑现", "kept"),
    "broken": ("已违约", "broken"),
    "cancelled": ("已取消", "cancelled"),
    "pending_approval": ("待审批", "pending approval"),
    "signed": ("已签署", "signed"),
    "active": ("执行中", "active"),
    "fulfilled": ("已履行", "fulfilled"),
    "declined": ("已驳回", "declined"),
    "superseded": ("已被替代", "superseded"),
    "approved": ("已批准", "approved"),
    "rejected": ("已驳回", "rejected"),
    "accepted": ("已采纳", "accepted"),
    "resolved": ("已处理", "resolved"),
    "done": ("已回访", "done"),
    "unreachable": ("未联系上", "unreachable"),
}
COMPLAINT_CATEGORY = _table(CATEGORIES)
COMPLAINT_CHANNEL = _table(CHANNELS)
CHANGE_KIND: dict[str, Label] = {
    "reschedule": ("改期", "Reschedule"),
    "extension": ("展期", "Extension"),
    "restructure": ("重组", "Restructure"),
    "legal": ("法律程序", "Legal escalation"),
}


def label(table: dict[str, Label], code: str | None) -> dict[str, str] | None:
    """{"code", "label_zh", "label_en"}; None for no code; an unknown code as itself."""
    if not code:
        return None
    zh, en = table.get(code, (code, code))
    return {"code": code, "label_zh": zh, "label_en": en}


def yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def _pick(table: dict[str, Label], code: str | None, lang: int) -> str:
    return table.get(code or "", (code or "", code or ""))[lang]


def visit_summary(data: dict[str, Any]) -> tuple[str, str]:
    """(en, zh): who was met, and the next step."""
    contact = data.get("contact")
    action = data.get("next_action")
    en = f"Visit: {_pick(CONTACT, contact, 1)}"
    zh = f"走访：{_pick(CONTACT, contact, 0)}"
    if action:
        en += f"; next: {_pick(NEXT_ACTION, action, 1)}"
        zh += f"；下一步：{_pick(NEXT_ACTION, action, 0)}"
    if data.get("follow_up_on"):
        en += f" by {data['follow_up_on']}"
        zh += f"（{data['follow_up_on']}前）"
    return en, zh


def skip_summary(reason: str) -> tuple[str, str]:
    return (
        f"Visit skipped: {_pick(SKIP_REASON, reason, 1)}",
        f"未走访：{_pick(SKIP_REASON, reason, 0)}",
    )


def contact_summary(channel: str, result: str) -> tuple[str, str]:
    if channel == "sms":
        return (
            f"SMS: {_pick(CONTACT_RESULT, result, 1)}",
            f"短信：{_pick(CONTACT_RESULT, result, 0)}",
        )
    return f"Call: {_pick(CONTACT_RESULT, result, 1)}", f"电话：{_pick(CONTACT_RESULT, result, 0)}"


def promise_summary(amount_fen: int, due: str, status: str) -> tuple[str, str]:
    return (
        f"Promise {yuan(amount_fen)} by {due} ({_pick(STATUS, status, 1)})",
        f"承诺还款 {yuan(amount_fen)}，{due}前（{_pick(STATUS, status, 0)}）",
    )


def agreement_summary(principal_fen: int, status: str, paid: int, lines: int) -> tuple[str, str]:
    return (
        f"Agreement {yuan(principal_fen)} ({_pick(STATUS, status, 1)}), {paid}/{lines} paid",
        f"还款协议 {yuan(principal_fen)}（{_pick(STATUS, status, 0)}），已还{paid}/{lines}期",
    )


def payment_summary(amount_fen: int) -> tuple[str, str]:
    return f"Payment {yuan(amount_fen)}", f"还款入账 {yuan(amount_fen)}"


def change_summary(kind: str, status: str) -> tuple[str, str]:
    return (
        f"Request: {_pick(CHANGE_KIND, kind, 1)} ({_pick(STATUS, status, 1)})",
        f"申请：{_pick(CHANGE_KIND, kind, 0)}（{_pick(STATUS, status, 0)}）",
    )


def location_summary(source: str) -> tuple[str, str]:
    en = {"manager": "pin placed by the manager", "check_in": "learned at check-in"}
    zh = {"manager": "主管标注位置", "check_in": "签到时确认"}
    return (
        f"Location set: {en.get(source, source)}",
        f"位置更新：{zh.get(source, source)}",
    )


def complaint_summary(category: str, status: str) -> tuple[str, str]:
    return (
        f"Complaint: {_pick(COMPLAINT_CATEGORY, category, 1)} ({_pick(STATUS, status, 1)})",
        f"投诉：{_pick(COMPLAINT_CATEGORY, category, 0)}（{_pick(STATUS, status, 0)}）",
    )


def feedback_summary(status: str, satisfied: int | None) -> tuple[str, str]:
    if status != "done" or satisfied is None:
        return "Follow-up call: unreachable", "回访：未联系上"
    return f"Follow-up call: satisfaction {satisfied}/5", f"回访：满意度 {satisfied}/5"
