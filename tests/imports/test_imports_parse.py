"""Reading core-banking exports: encodings, formats, Chinese headers, row errors."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from api.imports.parse import (
    ImportFileError,
    RowError,
    parse_amount_fen,
    parse_date,
    parse_loans,
    parse_payments,
)
from api.privacy import hash_national_id
from models.enums import Segment
from tests.imports.samples import (
    LOAN_HEADERS_EN,
    LOAN_HEADERS_ZH,
    PAYMENT_HEADERS_EN,
    PAYMENT_HEADERS_ZH,
    csv_bytes,
    loan_row,
    national_id,
    payment_row,
    xlsx_bytes,
)

KEY = "test-key"


def test_english_csv_amounts_become_fen_without_rounding() -> None:
    data = csv_bytes([loan_row(1), loan_row(2, overdue_amount="1,234.5", principal="99")])
    result = parse_loans(data, id_key=KEY)
    assert result.errors == []
    assert result.total == 2
    first, second = result.rows
    assert first.row == 2 and second.row == 3
    assert first.overdue_fen == 3_800_050
    assert first.principal_fen == 10_000_000
    assert second.overdue_fen == 123_450
    assert second.principal_fen == 9_900
    assert first.dpd == 45
    assert first.last_payment_date == date(2026, 10, 9)
    assert first.segment == Segment.farmer
    assert first.lat == pytest.approx(37.301) and first.lon == pytest.approx(116.551)


def test_the_full_id_number_never_leaves_the_parser() -> None:
    nid = loan_row(1)["national_id"]
    row = parse_loans(csv_bytes([loan_row(1)]), id_key=KEY).rows[0]
    assert row.national_id_hash == hash_national_id(nid, key=KEY)
    assert row.national_id_masked == nid[:4] + "*" * 10 + nid[-4:]
    assert nid not in repr(row)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8", "gb18030"])
def test_chinese_headers_in_every_encoding_excel_and_wps_write(encoding: str) -> None:
    rows = [loan_row(1), loan_row(2, segment="个体工商户", borrower_name="张三丰")]
    data = csv_bytes(rows, names=LOAN_HEADERS_ZH, encoding=encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    result = parse_loans(data, id_key=KEY)
    assert result.errors == []
    assert [r.borrower_name for r in result.rows] == ["借款人1", "张三丰"]
    assert result.rows[1].segment == Segment.individual_trader
    assert result.columns["overdue_amount"] == "逾期金额"


def test_headers_with_units_spaces_and_case_are_recognised() -> None:
    names = [
        "Account Number",
        "Borrower_Name",
        "身份证号码",
        "手机号码",
        "家庭住址",
        "村庄",
        "纬度",
        "经度",
        "类型",
        "产品名称",
        "本金（元）",
        "贷款余额(元)",
        "逾期金额（元）",
        "逾期天数",
        "最后还款日期",
    ]
    result = parse_loans(csv_bytes([loan_row(1)], names=names), id_key=KEY)
    assert result.errors == []
    assert result.rows[0].overdue_fen == 3_800_050


def test_xlsx_with_chinese_headers_and_typed_cells() -> None:
    rows = [loan_row(1), loan_row(2, overdue_amount="12,000.10", dpd="95")]
    data = xlsx_bytes(rows, names=LOAN_HEADERS_ZH)
    result = parse_loans(data, id_key=KEY)
    assert result.errors == []
    assert [r.overdue_fen for r in result.rows] == [3_800_050, 1_200_010]
    assert result.rows[1].dpd == 95
    assert result.rows[0].last_payment_date == date(2026, 10, 9)
    assert result.rows[0].account_number == loan_row(1)["account_number"]


def test_xlsx_text_cells_read_like_csv() -> None:
    result = parse_loans(xlsx_bytes([loan_row(3)], numeric=False), id_key=KEY)
    assert result.errors == [] and result.rows[0].overdue_fen == 3_800_050


def test_bad_rows_are_reported_and_good_rows_kept() -> None:
    rows = [
        loan_row(1),
        loan_row(2, overdue_amount="12.345"),  # row 3: three decimals
        loan_row(3, national_id=national_id(3)[:-1] + ("0" if national_id(3)[-1] != "0" else "1")),
        loan_row(4),
        loan_row(5, dpd="many", phone="12"),  # row 6: two errors
        loan_row(6, lat="", lon="116.5"),  # row 7: half a location
        loan_row(7, account_number=loan_row(1)["account_number"]),  # row 8: duplicate
        loan_row(8, segment="小卖部"),
        loan_row(9, last_payment_date="2026-13-01"),
        loan_row(10, principal="-5"),
    ]
    result = parse_loans(csv_bytes(rows, names=LOAN_HEADERS_ZH), id_key=KEY)
    assert [r.row for r in result.rows] == [2, 5]
    assert result.total == 10
    by_row: dict[int, list[RowError]] = {}
    for e in result.errors:
        by_row.setdefault(e.row, []).append(e)
    assert sorted(by_row) == [3, 4, 6, 7, 8, 9, 10, 11]
    assert by_row[3][0].column == "逾期金额"
    assert "more than 2 decimals" in by_row[3][0].message
    assert by_row[4][0].column == "身份证号" and "check digit" in by_row[4][0].message
    assert {e.column for e in by_row[6]} == {"逾期天数", "手机号"}
    assert by_row[7][0].column == "纬度" and "both" in by_row[7][0].message
    assert by_row[8][0].column == "账号" and "row 2" in by_row[8][0].message
    assert by_row[9][0].column == "客户类型" and "farmer" in by_row[9][0].message
    assert by_row[10][0].column == "最后还款日" and "2026-11-20" in by_row[10][0].message
    assert by_row[11][0].column == "本金" and "negative" in by_row[11][0].message
    for error in result.errors:
        assert error.message.startswith(error.column)


def test_the_same_id_number_with_two_names_is_a_row_error() -> None:
    rows = [loan_row(1), loan_row(1, account_number="X-2", borrower_name="别人")]
    result = parse_loans(csv_bytes(rows), id_key=KEY)
    assert len(result.rows) == 1
    assert result.errors[0].row == 3 and result.errors[0].column == "borrower_name"


def test_two_loans_of_one_borrower_are_two_rows() -> None:
    rows = [loan_row(1), loan_row(1, account_number="62100999")]
    result = parse_loans(csv_bytes(rows), id_key=KEY)
    assert result.errors == [] and len(result.rows) == 2
    assert result.rows[0].national_id_hash == result.rows[1].national_id_hash


def test_missing_columns_are_named() -> None:
    headers = [h for h in LOAN_HEADERS_EN if h not in ("national_id", "overdue_amount")]
    with pytest.raises(ImportFileError) as caught:
        parse_loans(csv_bytes([loan_row(1)], headers), id_key=KEY)
    assert caught.value.missing == ["national_id (身份证号)", "overdue_amount (逾期金额)"]
    assert "national_id" in caught.value.message


def test_optional_columns_may_be_absent() -> None:
    headers = [h for h in LOAN_HEADERS_EN if h not in ("village", "lat", "lon", "segment")]
    row = parse_loans(csv_bytes([loan_row(1)], headers), id_key=KEY).rows[0]
    assert row.village is None and row.segment is None and not row.has_location


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        b"PK\x03\x04 not really a zip",
        b"",
        b"account_number,borrower_name\n",
    ],
    ids=["png", "xls", "bad-zip", "empty", "header-only"],
)
def test_files_that_cannot_be_read(data: bytes) -> None:
    with pytest.raises(ImportFileError):
        parse_loans(data, id_key=KEY)


def test_two_columns_meaning_the_same_thing() -> None:
    names = [*LOAN_HEADERS_EN, "账号"]
    with pytest.raises(ImportFileError, match="both mean account_number"):
        parse_loans(csv_bytes([loan_row(1)], [*LOAN_HEADERS_EN, "x"], names=names), id_key=KEY)


@pytest.mark.parametrize(
    ("raw", "fen"),
    [
        ("38,000.50", 3_800_050),
        ("38000.5", 3_800_050),
        ("￥1,000", 100_000),
        ("1000元", 100_000),
        ("0", 0),
        ("0.01", 1),
        (38000.5, 3_800_050),
        (0.1 + 0.2, 30),  # a spreadsheet sum with float noise
        (12, 1200),
        ("19999999.99", 1_999_999_999),
    ],
)
def test_amounts(raw: object, fen: int) -> None:
    assert parse_amount_fen(raw) == fen


@pytest.mark.parametrize("raw", ["12.345", "-1", "abc", "", "1.2.3", 1.2345, True])
def test_bad_amounts(raw: object) -> None:
    from api.imports.parse import CellError

    with pytest.raises(CellError):
        parse_amount_fen(raw)


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026/11/20", date(2026, 11, 20)),
        ("20261120", date(2026, 11, 20)),
        (20261120, date(2026, 11, 20)),
        ("2026年11月20日", date(2026, 11, 20)),
        ("2026-11-20 00:00:00", date(2026, 11, 20)),
        (46346, date(2026, 11, 20)),  # an Excel day number
        ("", None),
    ],
)
def test_dates(raw: object, day: date | None) -> None:
    assert parse_date(raw) == day


def test_payments_csv_and_xlsx_with_chinese_headers() -> None:
    rows = [payment_row(1, "A1"), payment_row(2, "A1", amount="200.5", paid_on="2026/11/21")]
    for data in (
        csv_bytes(rows, PAYMENT_HEADERS_EN, names=PAYMENT_HEADERS_ZH, encoding="gbk"),
        xlsx_bytes(rows, PAYMENT_HEADERS_EN, names=PAYMENT_HEADERS_ZH),
    ):
        result = parse_payments(data)
        assert result.errors == []
        assert [(p.reference, p.paid_on, p.amount_fen) for p in result.rows] == [
            ("TXN20260000000001", date(2026, 11, 20), 150_000),
            ("TXN20260000000002", date(2026, 11, 21), 20_050),
        ]


def test_payment_row_errors() -> None:
    rows = [
        payment_row(1, "A1", amount="0"),
        payment_row(2, "A1", paid_on=""),
        payment_row(1, "A1"),  # the same reference again (the first row was bad, still seen)
        payment_row(4, "A1"),
    ]
    result = parse_payments(csv_bytes(rows, PAYMENT_HEADERS_EN))
    assert [r.row for r in result.rows] == [5]
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "amount"),
        (3, "paid_on"),
        (4, "reference"),
    ]
