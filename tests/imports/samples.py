"""Core-banking export files for import tests and the import benchmark."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

LOAN_HEADERS_EN = [
    "account_number",
    "borrower_name",
    "national_id",
    "phone",
    "address",
    "village",
    "lat",
    "lon",
    "segment",
    "product",
    "principal",
    "outstanding",
    "overdue_amount",
    "dpd",
    "last_payment_date",
]
LOAN_HEADERS_ZH = [
    "账号",
    "借款人姓名",
    "身份证号",
    "手机号",
    "地址",
    "村",
    "纬度",
    "经度",
    "客户类型",
    "产品",
    "本金",
    "贷款余额",
    "逾期金额",
    "逾期天数",
    "最后还款日",
]
PAYMENT_HEADERS_EN = ["account_number", "reference", "paid_on", "amount"]
PAYMENT_HEADERS_ZH = ["账号", "交易流水号", "还款日期", "还款金额"]


def national_id(n: int, birth: str = "19800101", region: str = "371428") -> str:
    """A valid 18-character resident ID number (correct check digit)."""
    body = f"{region}{birth}{n % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


def loan_row(n: int, **overrides: Any) -> dict[str, Any]:
    """One loan row keyed by the English header names."""
    row: dict[str, Any] = {
        "account_number": f"62100{n:08d}",
        "borrower_name": f"借款人{n}",
        # Unique for n < 40,000: the birth year and the sequence number both vary.
        "national_id": national_id(n % 1000, birth=f"19{60 + n // 1000 % 40:02d}0101"),
        "phone": f"138{n:08d}",
        "address": f"山东省德州市陵城区某镇某村{n}号",
        "village": f"张庄{n % 50}",
        "lat": f"{37.30 + (n % 97) * 0.001:.6f}",
        "lon": f"{116.55 + (n % 89) * 0.001:.6f}",
        "segment": "农户",
        "product": "农户小额信用贷款",
        "principal": "100,000.00",
        "outstanding": "80,000.00",
        "overdue_amount": "38,000.50",
        "dpd": "45",
        "last_payment_date": "2026-10-09",
    }
    row.update(overrides)
    return row


def bulk_loan_rows(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    """`count` loans; about one borrower in ten has a second loan."""
    rng = random.Random(seed)
    rows = []
    person = 0
    for n in range(count):
        if n == 0 or rng.random() > 0.1:
            person = n
        principal = rng.randrange(20_000, 500_000, 1000)
        outstanding = int(principal * rng.uniform(0.3, 0.95))
        dpd = rng.randint(0, 400)
        overdue_cents = rng.randint(0, outstanding * 100)
        rows.append(
            loan_row(
                person,
                account_number=f"62100{n:08d}",
                principal=f"{principal:,}.00",
                outstanding=f"{outstanding:,}",
                overdue_amount=f"{overdue_cents // 100}.{overdue_cents % 100:02d}",
                dpd=str(dpd),
                last_payment_date=(date(2026, 11, 1) - timedelta(days=dpd)).isoformat(),
                segment=["农户", "小微企业主", "个体工商户"][person % 3],
            )
        )
    return rows


def csv_bytes(
    rows: Sequence[dict[str, Any]],
    headers: Sequence[str] = LOAN_HEADERS_EN,
    *,
    names: Sequence[str] | None = None,
    encoding: str = "utf-8",
) -> bytes:
    """Rows (keyed by English names) written under `names` (default: `headers`)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(names or headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[dict[str, Any]],
    headers: Sequence[str] = LOAN_HEADERS_EN,
    *,
    names: Sequence[str] | None = None,
    numeric: bool = True,
) -> bytes:
    """An XLSX workbook; with `numeric`, amounts, DPD, coordinates and dates are typed cells
    as Excel writes them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("贷款")
    sheet.append(list(names or headers))
    for row in rows:
        cells: list[Any] = []
        for h in headers:
            value = row.get(h, "")
            if numeric and h in ("principal", "outstanding", "overdue_amount", "amount"):
                value = float(str(value).replace(",", "")) if value != "" else None
            elif numeric and h == "dpd" and str(value).isdigit():
                value = int(value)
            elif numeric and h in ("lat", "lon") and value != "":
                value = float(value)
            elif numeric and h in ("last_payment_date", "paid_on") and value:
                value = date.fromisoformat(str(value).replace("/", "-"))
            cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def payment_row(n: int, account: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "account_number": account,
        "reference": f"TXN2026{n:010d}",
        "paid_on": "2026-11-20",
        "amount": "1,500.00",
    }
    row.update(overrides)
    return row
