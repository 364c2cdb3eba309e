"""The doorstep assessment and the follow-up cadence. Pure: no FastAPI, no database.

An outcome may say how the borrower earns (income source), how that is going (business
condition) and how willing they are to pay; the codes are static reference data in zh-CN
and en, sent to the phone as the `assessment_codes` reference record. The follow-up cadence
(`Branch.settings["follow_up"]`) gives an outcome's `follow_up_on` when the phone sends none:
days after the visit per next action and DPD bucket.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.settings_merge import merge_model

Code = tuple[str, str, str]  # code, zh-CN label, en label

INCOME_SOURCES: tuple[Code, ...] = (
    ("farming", "务农", "Farming"),
    ("livestock", "养殖", "Livestock"),
    ("small_business", "个体经营", "Small business"),
    ("trading", "贩销经商", "Trading"),
    ("wages", "务工工资", "Wages"),
    ("pension", "养老金补贴", "Pension or subsidy"),
    ("none", "无固定收入", "No regular income"),
)
BUSINESS_CONDITIONS: tuple[Code, ...] = (
    ("normal", "经营正常", "Running normally"),
    ("seasonal_low", "季节性淡季", "Seasonal low"),
    ("declining", "经营下滑", "Declining"),
    ("stopped", "停业歇业", "Stopped"),
    ("not_applicable", "不适用", "Not applicable"),
)
WILLINGNESS: tuple[Code, ...] = (
    ("cooperative", "配合", "Cooperative"),
    ("hesitant", "犹豫", "Hesitant"),
    ("avoids_contact", "回避联系", "Avoids contact"),
    ("refuses", "拒绝还款", "Refuses to pay"),
)
# The phone's next actions; `none` (or none given) means no follow-up.
NEXT_ACTIONS = ("revisit", "phone_follow_up", "await_payment", "restructure", "legal", "none")
# Next actions whose due date brings the borrower back as a visit candidate.
VISIT_FOLLOW_UPS = frozenset({"revisit", "await_payment"})
MAX_FOLLOW_UP_DAYS = 90

ASSESSMENT_FIELDS: dict[str, tuple[Code, ...]] = {
    "income_source": INCOME_SOURCES,
    "business_condition": BUSINESS_CONDITIONS,
    "willingness": WILLINGNESS,
}


def codes(field: str) -> frozenset[str]:
    return frozenset(code for code, _, _ in ASSESSMENT_FIELDS[field])


def label(field: str, code: str) -> tuple[str, str]:
    """(en, zh) label of a code; the code itself when unknown."""
    for known, zh, en in ASSESSMENT_FIELDS[field]:
        if known == code:
            return en, zh
    return code, code


def reference_data() -> dict[str, Any]:
    """The `assessment_codes` reference record the phone reads."""
    return {
        "kind": "assessment_codes",
        **{
            field: [{"code": c, "label_zh": zh, "label_en": en} for c, zh, en in items]
            for field, items in ASSESSMENT_FIELDS.items()
        },
    }


def unknown_codes(values: dict[str, str]) -> list[str]:
    """'field=code' for each non-empty value that is not a known code of its field."""
    return [
        f"{field}={value}" for field, value in values.items() if value and value not in codes(field)
    ]


# ---------------------------------------------------------------------------------------------
# Follow-up cadence

Days = int | None


def _days(default: Days, what: str) -> Any:
    return Field(default, ge=1, le=MAX_FOLLOW_UP_DAYS, description=what)


class Cadence(BaseModel):
    """Days after the visit per DPD bucket of the borrower's worst loan (M0 counts as M1);
    null: no follow-up date by default."""

    model_config = ConfigDict(extra="forbid")

    m1: Days = _days(None, "DPD 0-30.")
    m2: Days = _days(None, "DPD 31-60.")
    m3: Days = _days(None, "DPD 61-90.")
    m3plus: Days = _days(None, "DPD over 90.")

    def days(self, dpd: int) -> Days:
        if dpd <= 30:
            return self.m1
        if dpd <= 60:
            return self.m2
        if dpd <= 90:
            return self.m3
        return self.m3plus


def _every(days: Days) -> Any:
    return Field(default_factory=lambda: Cadence(m1=days, m2=days, m3=days, m3plus=days))


class FollowUpSettings(BaseModel):
    """The branch's follow-up cadence per next action (`none` never has one)."""

    model_config = ConfigDict(extra="forbid")

    revisit: Cadence = Field(default_factory=lambda: Cadence(m1=7, m2=5, m3=3, m3plus=3))
    phone_follow_up: Cadence = _every(3)
    await_payment: Cadence = _every(7)
    restructure: Cadence = _every(None)
    legal: Cadence = _every(None)


def merge_follow_up(stored: Any) -> FollowUpSettings:
    """The stored dict over the defaults; a bad stored value never stops an outcome."""
    return merge_model(FollowUpSettings, stored)


def default_follow_up(
    settings: FollowUpSettings,
    *,
    next_action: str,
    dpd: int,
    visited_on: date,
    min_visit_days: int = 0,
) -> date | None:
    """The follow-up date the cadence gives, or None (no action, `none`, or no cadence). A
    follow-up visit is never earlier than the policy's visit frequency allows
    (`min_visit_days`): the plan could not take it."""
    cadence = getattr(settings, next_action, None) if next_action in NEXT_ACTIONS else None
    if not isinstance(cadence, Cadence):
        return None
    days = cadence.days(dpd)
    if not days:
        return None
    if next_action in VISIT_FOLLOW_UPS:
        days = min(MAX_FOLLOW_UP_DAYS, max(days, min_visit_days))
    return visited_on + timedelta(days=days)


def follow_up_problem(follow_up_on: date, *, visited_on: date) -> str | None:
    """Why a follow-up date the phone sent is refused, or None."""
    days = (follow_up_on - visited_on).days
    if 1 <= days <= MAX_FOLLOW_UP_DAYS:
        return None
    return (
        f"follow_up_on {follow_up_on} must be 1 to {MAX_FOLLOW_UP_DAYS} days after the visit "
        f"({visited_on})"
    )
