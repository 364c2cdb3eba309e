"""The printable copy of a signed agreement (Chinese by default, or English), with fpdf2.

The font is a setting (`FIELDVISIT_PDF_FONT_PATH`): a TrueType font or collection with
Chinese glyphs, by default WenQuanYi Micro Hei from the Debian package fonts-wqy-microhei
(the Makefile's system-deps and the Dockerfile install it). fpdf2 embeds TrueType outlines
well; the CFF outlines of Noto CJK OTC files it does not, so they are not the default.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.agreements.labels import (
    AGREEMENT_STATUS,
    LINE_STATUS,
    Lang,
    format_money,
    label,
    local_time,
)
from api.agreements.lists import AgreementRow
from api.errors import DomainError
from models import Agreement, Branch

DEFAULT_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PNG_PREFIX = "data:image/png;base64,"


class PdfSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDVISIT_", extra="ignore")

    pdf_font_path: Path = DEFAULT_FONT


@lru_cache
def get_pdf_settings() -> PdfSettings:
    return PdfSettings()


class PdfFontMissing(DomainError, status=500):
    """The server cannot print until its administrator installs the font (or names another)."""


def check_font(path: Path) -> Path:
    if not path.is_file():
        raise PdfFontMissing(
            f"The font for printed agreements is missing at {path}. Install the Debian package "
            "fonts-wqy-microhei (make system-deps) or set FIELDVISIT_PDF_FONT_PATH to a "
            "TrueType font with Chinese characters."
        )
    return path


@dataclass(frozen=True)
class PrintData:
    row: AgreementRow  # the agreement with its names and schedule
    branch: Branch


_TEXT: dict[str, tuple[str, str]] = {
    "title": ("分期还款协议", "Instalment Agreement"),
    "status": ("状态", "Status"),
    "agreement_id": ("协议编号", "Agreement no."),
    "borrower": ("借款人", "Borrower"),
    "id_number": ("身份证号", "ID number"),
    "loan": ("贷款账号", "Loan account"),
    "branch": ("支行", "Branch"),
    "officer": ("客户经理", "Officer"),
    "signed_at": ("签署时间", "Signed at"),
    "place": ("签署地点", "Place"),
    "no_place": ("未记录", "not recorded"),
    "amount": ("协议金额", "Amount agreed"),
    "down_payment": ("首付", "Down payment"),
    "schedule": ("还款计划", "Repayment schedule"),
    "seq": ("期数", "No."),
    "due_date": ("到期日", "Due date"),
    "line_amount": ("应还金额", "Amount"),
    "paid": ("已还金额", "Paid"),
    "line_status": ("状态", "Status"),
    "total": ("合计", "Total"),
    "text": ("协议文本（向借款人展示并签署的原文）", "Agreement text (as shown and signed)"),
    "borrower_signature": ("借款人签名", "Borrower's signature"),
    "officer_signature": ("客户经理签名", "Officer's signature"),
    "unreadable": ("（签名图像无法读取）", "(signature image unreadable)"),
    "decision": ("审批意见", "Decision"),
    "supersedes": ("取代协议", "Replaces agreement"),
    "content_hash": ("内容哈希 (SHA-256)", "Content hash (SHA-256)"),
    "text_hash": ("文本哈希 (SHA-256)", "Text hash (SHA-256)"),
    "hash_note": (
        "内容哈希覆盖条款、还款计划、文本、双方签名、签署时间和地点；可在系统中核验。",
        "The content hash covers the terms, schedule, text, both signatures, time and place; "
        "it can be verified in the system.",
    ),
}


def _t(key: str, lang: Lang) -> str:
    zh, en = _TEXT[key]
    return en if lang == "en" else zh


def _png(data_url: str) -> io.BytesIO | None:
    if not data_url.startswith(PNG_PREFIX):
        return None
    try:
        return io.BytesIO(base64.b64decode(data_url[len(PNG_PREFIX) :], validate=True))
    except (binascii.Error, ValueError):
        return None


def _place(agreement: Agreement, lang: Lang) -> str:
    if agreement.lat is None or agreement.lon is None:
        return _t("no_place", lang)
    place = f"{agreement.lat:.6f}, {agreement.lon:.6f}"
    if agreement.accuracy_m is not None:
        place += f" (±{agreement.accuracy_m:.0f} m)"
    return place


def render_agreement_pdf(data: PrintData, *, lang: Lang, font_path: Path) -> bytes:
    """The agreement as a PDF: parties, terms, schedule, the text, signatures and hashes."""
    font = check_font(font_path)
    agreement = data.row.agreement
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"{_t('title', lang)} {agreement.id}")
    pdf.set_creator("fieldvisit")
    pdf.add_font("cjk", "", str(font))
    pdf.add_page()
    _title(pdf, agreement, lang)
    _facts(pdf, data, lang)
    _heading(pdf, _t("schedule", lang))
    _schedule(pdf, data, lang)
    _heading(pdf, _t("text", lang))
    pdf.multi_cell(pdf.epw, 6, agreement.text, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _signatures(pdf, agreement, lang)
    _hashes(pdf, agreement, lang)
    return bytes(pdf.output())


# Table headings and the label column: plain text on grey.
_PLAIN = FontFace(emphasis="", fill_color=(235, 235, 235))


def _title(pdf: Any, agreement: Agreement, lang: Lang) -> None:
    pdf.set_font("cjk", size=18)
    pdf.cell(pdf.epw, 10, _t("title", lang), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    status = f"{_t('status', lang)}: {label(AGREEMENT_STATUS, agreement.status, lang)}"
    pdf.cell(pdf.epw, 6, status, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _heading(pdf: Any, text: str) -> None:
    """A section heading; the section's body follows in the body size."""
    pdf.set_font("cjk", size=12)
    pdf.cell(pdf.epw, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)


def _facts(pdf: Any, data: PrintData, lang: Lang) -> None:
    """Who, what, when and where, as a two-column table."""
    row, branch = data.row, data.branch
    agreement = row.agreement
    facts = [
        ("agreement_id", str(agreement.id)),
        ("borrower", row.borrower_name),
        ("id_number", row.national_id_masked),
        ("loan", row.account_number),
        ("branch", branch.name),
        ("officer", row.officer_name),
        ("signed_at", f"{local_time(agreement.signed_at, branch.timezone)} ({branch.timezone})"),
        ("place", _place(agreement, lang)),
        ("amount", format_money(agreement.principal_fen)),
        ("down_payment", format_money(agreement.down_payment_fen)),
    ]
    if agreement.decision_reason:
        facts.append(("decision", agreement.decision_reason))
    if agreement.supersedes_id is not None:
        facts.append(("supersedes", str(agreement.supersedes_id)))
    with pdf.table(
        col_widths=(1, 3), first_row_as_headings=False, line_height=7, text_align="LEFT"
    ) as table:
        for key, value in facts:
            cells = table.row()
            cells.cell(_t(key, lang), style=_PLAIN)
            cells.cell(value)
    pdf.ln(4)


def _schedule_rows(data: PrintData, lang: Lang) -> list[tuple[str, str, str, str, str]]:
    """The down payment (due on the signing day, branch time zone), the lines, the total."""
    agreement, lines = data.row.agreement, data.row.lines
    signed_local = local_time(agreement.signed_at, data.branch.timezone)[:10]
    rows: list[tuple[str, str, str, str, str]] = []
    if agreement.down_payment_fen:
        rows.append(
            (
                _t("down_payment", lang),
                signed_local,
                format_money(agreement.down_payment_fen),
                format_money(agreement.down_payment_paid_fen),
                label(LINE_STATUS, agreement.down_payment_status, lang),
            )
        )
    for line in sorted(lines, key=lambda item: item.seq):
        rows.append(
            (
                str(line.seq),
                line.due_date.isoformat(),
                format_money(line.amount_fen),
                format_money(line.paid_fen),
                label(LINE_STATUS, line.status, lang),
            )
        )
    paid_total = agreement.down_payment_paid_fen + sum(line.paid_fen for line in lines)
    scheduled = agreement.down_payment_fen + sum(line.amount_fen for line in lines)
    rows.append((_t("total", lang), "", format_money(scheduled), format_money(paid_total), ""))
    return rows


def _schedule(pdf: Any, data: PrintData, lang: Lang) -> None:
    with pdf.table(
        col_widths=(1, 2, 2, 2, 1.5),
        headings_style=_PLAIN,
        line_height=7,
        text_align=("CENTER", "CENTER", "RIGHT", "RIGHT", "CENTER"),
    ) as table:
        heading = table.row()
        for key in ("seq", "due_date", "line_amount", "paid", "line_status"):
            heading.cell(_t(key, lang))
        for values in _schedule_rows(data, lang):
            cells = table.row()
            for value in values:
                cells.cell(value)
    pdf.ln(4)


def _hashes(pdf: Any, agreement: Agreement, lang: Lang) -> None:
    """The hashes to verify the printed copy against the system."""
    pdf.set_font("cjk", size=8)
    for key, value in (
        ("content_hash", agreement.content_sha256),
        ("text_hash", agreement.text_sha256),
    ):
        pdf.cell(pdf.epw, 5, f"{_t(key, lang)}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(pdf.epw, 5, _t("hash_note", lang), new_x="LMARGIN", new_y="NEXT")


def _signatures(pdf: Any, agreement: Agreement, lang: Lang) -> None:
    box_w, box_h = 70.0, 30.0
    if pdf.will_page_break(box_h + 14):
        pdf.add_page()
    top = pdf.get_y()
    left = pdf.l_margin
    pdf.set_font("cjk", size=10)
    for i, (key, data_url) in enumerate(
        (
            ("borrower_signature", agreement.borrower_signature),
            ("officer_signature", agreement.officer_signature),
        )
    ):
        x = left + i * (box_w + 15)
        pdf.set_xy(x, top)
        pdf.cell(box_w, 6, _t(key, lang))
        pdf.rect(x, top + 7, box_w, box_h)
        image = _png(data_url)
        drawn = False
        if image is not None:
            try:
                pdf.image(
                    image, x=x + 2, y=top + 8, h=box_h - 2, keep_aspect_ratio=True, w=box_w - 4
                )
                drawn = True
            except Exception:  # a broken image must not stop the printout
                drawn = False
        if not drawn:
            pdf.set_xy(x + 2, top + 8)
            pdf.cell(box_w - 4, 6, _t("unreadable", lang))
    pdf.set_xy(left, top + box_h + 10)
