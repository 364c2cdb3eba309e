"""The agreement text a borrower signs, rendered from the template and the terms exactly as
the phone renders it offline (pwa/src/domain/agreementText.ts; a test compiles the
TypeScript and compares generated cases). Pure: no Session, no FastAPI."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

TextLang = Literal["zh-CN", "en"]

# The templates every phone pulls as reference data; bump the version when one changes.
TEMPLATE_VERSION = 1
AGREEMENT_TEMPLATES: dict[str, str] = {
    "zh-CN": (
        "分期还款协议\n\n借款人{borrower_name}(身份证号{national_id_masked})确认截至{date}"
        "在{branch_name}的贷款(账号{account_number})逾期金额为{principal}。经双方协商,"
        "借款人同意首付{down_payment},其余按以下计划分期偿还:\n{schedule}\n"
        "借款人承诺按期足额还款。如未按期还款,银行有权依法采取进一步措施。\n"
        "本协议经借款人与客户经理签字后生效。"
    ),
    "en": (
        "Instalment Agreement\n\nThe borrower {borrower_name} (ID {national_id_masked}) "
        "confirms that as of {date} the overdue amount of loan {account_number} at "
        "{branch_name} is {principal}. Both parties agree that the borrower pays "
        "{down_payment} now and the rest by the following schedule:\n{schedule}\n"
        "The borrower undertakes to pay each instalment in full and on time. If an "
        "instalment is missed, the bank may take further lawful steps.\n"
        "This agreement takes effect when signed by the borrower and the officer."
    ),
}
# The phone's catalogue entries agreement.downLine, agreement.seq and agreement.total.
_LABELS: dict[TextLang, tuple[str, str, str]] = {
    "zh-CN": ("首付", "第 {n} 期", "合计"),
    "en": ("Down payment", "No. {n}", "Total"),
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")  # JavaScript's \w, without the u flag


@dataclass(frozen=True)
class TextValues:
    """What the text is filled with (the phone's AgreementValues)."""

    borrower_name: str
    national_id_masked: str
    loan_account: str
    branch_name: str
    officer_name: str
    principal_fen: int
    down_payment_fen: int
    lines: Sequence[tuple[date, int]]  # (due date, amount) in order; seq from 1
    signed_on: date  # the signing day in the branch's zone


def agreement_lang(borrower_language: str | None) -> TextLang:
    """The borrower's language if there is a template for it, else zh-CN."""
    return "en" if (borrower_language or "").lower().startswith("en") else "zh-CN"


def format_money(fen: int) -> str:
    """1234500 -> "¥12,345.00" (the same in every language)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def format_date(day: date, lang: TextLang) -> str:
    """2026-11-23 -> "2026年11月23日" (zh-CN) or "2026-11-23" (en)."""
    text = day.isoformat()
    if lang == "en":
        return text
    year, month, dom = text.split("-")
    return f"{year}年{int(month)}月{int(dom)}日"


def schedule_text(values: TextValues, lang: TextLang) -> str:
    down, seq, total = _LABELS[lang]
    rows = []
    if values.down_payment_fen > 0:
        when = format_date(values.signed_on, lang)
        rows.append(f"{down}  {when}  {format_money(values.down_payment_fen)}")
    for index, (due, amount) in enumerate(values.lines, start=1):
        label = seq.replace("{n}", str(index))
        rows.append(f"{label}  {format_date(due, lang)}  {format_money(amount)}")
    rows.append(f"{total}  {format_money(values.principal_fen)}")
    return "\n".join(rows)


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """Fill the {placeholders} in one pass; unknown ones are left as they are."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def render_text(
    values: TextValues, lang: TextLang, templates: Mapping[str, str] = AGREEMENT_TEMPLATES
) -> str:
    """The text to sign, in `lang`."""
    return fill_template(
        templates[lang],
        {
            "borrower_name": values.borrower_name,
            "national_id_masked": values.national_id_masked,
            "loan_account": values.loan_account,
            "account_number": values.loan_account,
            "branch_name": values.branch_name,
            "officer_name": values.officer_name,
            "principal": format_money(values.principal_fen),
            "down_payment": format_money(values.down_payment_fen),
            "count": str(len(values.lines)),
            "schedule": schedule_text(values, lang),
            "date": format_date(values.signed_on, lang),
        },
    )
