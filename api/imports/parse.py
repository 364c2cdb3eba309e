"""Read core-banking exports: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, English or Chinese
column names. Pure: no FastAPI, no database.

Every data row is checked on its own; a bad cell becomes a `RowError` with the spreadsheet
row number (the header is row 1), the column as it is named in the file and what to fix.
Good rows are returned even when others are bad. A file that cannot be read at all, or lacks
required columns, raises `ImportFileError`.

National identity numbers are hashed and masked here: the full number is never returned.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from api.geo.preferences import PreferenceError, parse_preferred_times, parse_safety_flags
from api.privacy import hash_national_id, mask_national_id, normalise_national_id
from models.enums import Segment

MAX_AMOUNT_FEN = 10**13  # 100 billion yuan: anything larger is a unit or column mistake
MAX_DPD = 36_500
EXCEL_EPOCH = date(1899, 12, 30)

T = TypeVar("T")


DEFAULT_MAX_ROWS = 50_000  # data rows per file (the setting `import_max_rows`)
MAX_COLUMNS = 200  # cells read per XLSX row: the files have about 20 columns


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (not CSV/XLSX, missing columns, empty, more
    rows than allowed: `too_large`)."""

    def __init__(
        self, message: str, *, missing: Sequence[str] = (), too_large: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.missing = list(missing)
        self.too_large = too_large


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number: the header is row 1
    column: str  # the column as named in the file ("" when the whole row is wrong)
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParseResult(Generic[T]):
    rows: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0  # data rows in the file (empty rows are not counted)
    columns: dict[str, str] = field(default_factory=dict)  # key -> header as written

    def column(self, key: str) -> str:
        return self.columns.get(key, key)

    @property
    def error_rows(self) -> set[int]:
        return {e.row for e in self.errors}


@dataclass(frozen=True)
class LoanRow:
    row: int
    account_number: str
    borrower_name: str
    national_id_hash: str
    national_id_masked: str
    phone: str
    address: str
    product: str
    principal_fen: int
    outstanding_fen: int
    overdue_fen: int
    dpd: int
    last_payment_date: date | None
    # Optional columns: None means "not in the file", so stored values are kept.
    village: str | None = None
    lat: float | None = None
    lon: float | None = None
    has_location: bool = False  # lat/lon columns present and both filled (or geocoded)
    segment: Segment | None = None
    preferred_times: list[dict[str, Any]] | None = None
    safety_flags: list[str] | None = None
    # Where lat/lon came from: "import" (the file) or "geocoder" (api.imports.geocoding).
    location_source: str | None = None
    location_precision: str | None = None
    location_note: str = ""  # why a row without coordinates stays unlocated


@dataclass(frozen=True)
class PaymentRow:
    row: int
    account_number: str
    reference: str
    paid_on: date
    amount_fen: int


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...]
    required: bool = True

    @property
    def label(self) -> str:
        return f"{self.key} ({self.aliases[0]})" if self.aliases else self.key


LOAN_COLUMNS: tuple[Column, ...] = (
    Column("account_number", ("账号", "贷款账号", "借据号", "account", "account_no")),
    Column("borrower_name", ("借款人姓名", "借款人", "姓名", "客户名称", "name")),
    Column("national_id", ("身份证号", "身份证号码", "证件号码", "id_number")),
    Column("phone", ("手机号", "手机号码", "联系电话", "电话", "mobile")),
    Column("address", ("地址", "住址", "家庭住址", "联系地址")),
    Column("village", ("村", "村庄", "所在村", "村名"), required=False),
    Column("lat", ("纬度", "latitude"), required=False),
    Column("lon", ("经度", "longitude", "lng"), required=False),
    Column("segment", ("客户类型", "客户类别", "类型"), required=False),
    Column(
        "preferred_times",
        ("方便走访时间", "走访时间", "preferred_time", "visit_times"),
        required=False,
    ),
    Column("safety_flags", ("安全提示", "安全标记", "safety", "safety_flag"), required=False),
    Column("product", ("产品", "产品名称", "贷款产品")),
    Column("principal", ("本金", "贷款本金", "贷款金额", "合同金额")),
    Column("outstanding", ("贷款余额", "余额", "本金余额")),
    Column("overdue_amount", ("逾期金额", "逾期本息", "overdue")),
    Column("dpd", ("逾期天数", "days_past_due")),
    Column("last_payment_date", ("最后还款日", "最后还款日期", "上次还款日")),
)

PAYMENT_COLUMNS: tuple[Column, ...] = (
    Column("account_number", ("账号", "贷款账号", "借据号", "account", "account_no")),
    Column("reference", ("交易流水号", "流水号", "交易号", "参考号", "transaction_id")),
    Column("paid_on", ("还款日期", "交易日期", "还款日", "payment_date", "date")),
    Column("amount", ("还款金额", "交易金额", "金额", "amount_paid")),
)

SEGMENTS: dict[str, Segment] = {
    "farmer": Segment.farmer,
    "农户": Segment.farmer,
    "small_business": Segment.small_business,
    "small business": Segment.small_business,
    "小微企业主": Segment.small_business,
    "小微企业": Segment.small_business,
    "individual_trader": Segment.individual_trader,
    "individual trader": Segment.individual_trader,
    "个体工商户": Segment.individual_trader,
    "个体户": Segment.individual_trader,
}


def format_yuan(fen: int) -> str:
    """12345678 -> "123,456.78"; whole yuan without decimals ("38,000")."""
    yuan, cents = divmod(abs(fen), 100)
    sign = "-" if fen < 0 else ""
    return f"{sign}{yuan:,}" + (f".{cents:02d}" if cents else "")


# ---------------------------------------------------------------------------------------------
# Reading the file: rows of raw cell values, the header first

Cell = object
_UNIT_SUFFIX = re.compile(r"\s*[（(][^）)]*[）)]\s*$")


def _is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_table(data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    """(spreadsheet row number, cells) for every non-empty row; the header comes first."""
    if not data.strip():
        raise ImportFileError("The file is empty. Export the loans again from core banking.")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            "This is an old Excel .xls file. Open it in Excel or WPS and save it as .xlsx or CSV."
        )
    if _is_xlsx(data):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_xlsx(data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and data validation it does not read: not our concern.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            "The file is a ZIP archive but not an Excel .xlsx workbook. Upload a CSV or XLSX."
        ) from exc

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            sheet = workbook.worksheets[0]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                table = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
                for number, values in enumerate(table, start=1):
                    cells: list[Cell] = list(values)
                    if any(_present(c) for c in cells):
                        yield number, cells
        finally:
            workbook.close()

    return rows()


def _present(cell: Cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030: what Excel and WPS write."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise ImportFileError("The file is not a CSV or XLSX file. Upload a CSV or XLSX export.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The file is neither an XLSX workbook nor a CSV in UTF-8 or GBK. "
            "Save it from Excel or WPS as CSV (UTF-8) or XLSX."
        ) from exc


def _read_csv(data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for number, values in enumerate(reader, start=1):
                if any(v.strip() for v in values):
                    yield number, list(values)
        except csv.Error as exc:
            raise ImportFileError(
                f"The CSV file is malformed near line {reader.line_num}: {exc}. "
                "Save it again from Excel or WPS."
            ) from exc

    return rows()


def normalise_header(raw: Cell) -> str:
    text = "" if raw is None else str(raw)
    text = text.replace("\ufeff", "").strip()
    text = _UNIT_SUFFIX.sub("", text)
    return re.sub(r"[\s\-]+", "_", text.lower())


def map_columns(header: Sequence[Cell], spec: Sequence[Column]) -> dict[str, tuple[int, str]]:
    """Column key -> (index, header as written). Raises when a required column is missing."""
    names: dict[str, Column] = {}
    for column in spec:
        names[column.key] = column
        for alias in column.aliases:
            names[normalise_header(alias)] = column
    found: dict[str, tuple[int, str]] = {}
    for index, raw in enumerate(header):
        match = names.get(normalise_header(raw))
        if match is None:
            continue
        column = match
        written = str(raw).replace("\ufeff", "").strip()
        if column.key in found:
            raise ImportFileError(
                f"Two columns both mean {column.label}: {found[column.key][1]!r} and "
                f"{written!r}. Delete one of them."
            )
        found[column.key] = (index, written)
    missing = [c.label for c in spec if c.required and c.key not in found]
    if missing:
        raise ImportFileError(
            f"Missing required columns: {', '.join(missing)}. The first row must name the "
            "columns, in English or Chinese.",
            missing=missing,
        )
    return found


# ---------------------------------------------------------------------------------------------
# Cells


class CellError(ValueError):
    pass


def text_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def identifier_cell(value: Cell, what: str) -> str:
    """Account numbers and references: a float has already lost digits in the spreadsheet."""
    if isinstance(value, float) and (not value.is_integer() or abs(value) >= 2**53):
        raise CellError(
            f"the {what} was stored as a number and lost digits; format the column as text "
            "in the spreadsheet and export again"
        )
    return text_cell(value)


_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


def parse_amount_fen(value: Cell, *, allow_zero: bool = True) -> int:
    """Yuan with up to 2 decimals ("38,000.50", 38000.5) -> integer fen, without float maths."""
    if isinstance(value, bool):
        raise CellError("expected an amount in yuan, e.g. 38,000.50")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = _spreadsheet_amount(value)
    else:
        amount = _written_amount(text_cell(value))
    if amount < 0:
        raise CellError(f"{value} is negative; amounts must be 0 or more")
    fen = int(amount * 100)
    if fen >= MAX_AMOUNT_FEN:
        raise CellError(f"{value} yuan is too large; check the column and the unit (yuan)")
    if fen == 0 and not allow_zero:
        raise CellError("must be more than 0")
    return fen


def _spreadsheet_amount(value: float) -> Decimal:
    """A spreadsheet number: its shortest decimal form is what the cell shows (float noise
    below a millionth of a yuan is rounded away; real third decimals are an error)."""
    amount = Decimal(repr(value))
    if amount != amount.quantize(Decimal("0.01")):
        near = amount.quantize(Decimal("0.01"))
        if abs(amount - near) > Decimal("0.000001"):
            raise CellError(f"{value} has more than 2 decimals; amounts are in yuan and fen")
        amount = near
    return amount


def _written_amount(raw: str) -> Decimal:
    """An amount written as text: thousands separators, currency signs and units allowed."""
    cleaned = re.sub(r"[,，\s¥￥]|元$|CNY|RMB", "", raw, flags=re.IGNORECASE)
    if not cleaned:
        raise CellError("is empty; give the amount in yuan, e.g. 38,000.50")
    if cleaned.startswith("-"):
        raise CellError(f"{raw} is negative; amounts must be 0 or more")
    if not _AMOUNT.match(cleaned):
        if re.match(r"^\d+\.\d{3,}$", cleaned):
            raise CellError(f"{raw} has more than 2 decimals; amounts are in yuan and fen")
        raise CellError(f"{raw!r} is not an amount in yuan, e.g. 38,000.50")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex already checked
        raise CellError(f"{raw!r} is not an amount") from exc


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def parse_date(value: Cell) -> date | None:
    """ISO and the usual Chinese forms, Excel dates and Excel day serials; empty -> None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 <= value <= 80_000:  # an Excel day number (1954..2119)
            return EXCEL_EPOCH + timedelta(days=int(value))
        value = text_cell(value)
    raw = text_cell(value)
    if not raw:
        return None
    token = raw.split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(token, fmt).date()
        except ValueError:
            continue
    raise CellError(f"{raw!r} is not a date; write it as 2026-11-20")


def parse_int(value: Cell, *, low: int, high: int, unit: str = "") -> int:
    if isinstance(value, bool):
        raise CellError("expected a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"{value} is not a whole number")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        raw = text_cell(value)
        cleaned = raw.replace(",", "").removesuffix(unit).strip() if unit else raw
        if not re.fullmatch(r"-?\d+", cleaned):
            raise CellError(f"{raw!r} is not a whole number" if raw else "is empty")
        number = int(cleaned)
    if not low <= number <= high:
        raise CellError(f"{number} is out of range ({low} to {high})")
    return number


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def check_national_id(value: Cell) -> str:
    """A mainland resident ID: 18 characters with a valid check digit (or the old 15 digits)."""
    if isinstance(value, float):
        raise CellError(
            "the ID number was stored as a number and lost digits; format the column as text"
        )
    raw = normalise_national_id(text_cell(value))
    if not raw:
        raise CellError("is empty; give the borrower's resident ID number")
    if re.fullmatch(r"\d{15}", raw):
        return raw
    if not re.fullmatch(r"\d{17}[\dX]", raw):
        raise CellError("must be 18 characters (17 digits and a digit or X) or 15 digits")
    total = sum(int(d) * w for d, w in zip(raw[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != raw[17]:
        raise CellError("has a wrong check digit; check the number for a typing mistake")
    return raw


def check_phone(value: Cell) -> str:
    raw = text_cell(value).replace(" ", "")
    digits = re.sub(r"[\-()（）]", "", raw)
    if not raw:
        raise CellError("is empty; give the borrower's phone number")
    if not re.fullmatch(r"\+?\d{7,15}", digits):
        raise CellError(f"{raw!r} is not a phone number (7 to 15 digits)")
    return raw


def required_text(value: Cell, *, max_length: int) -> str:
    text = text_cell(value)
    if not text:
        raise CellError("is empty")
    if len(text) > max_length:
        raise CellError(f"is longer than {max_length} characters")
    return text


def parse_segment(value: Cell) -> Segment | None:
    raw = text_cell(value)
    if not raw:
        return None
    found = SEGMENTS.get(raw.lower())
    if found is None:
        raise CellError(
            f"{raw!r} is not a segment; use farmer/农户, small_business/小微企业主 or "
            "individual_trader/个体工商户"
        )
    return found


def parse_coordinate(value: Cell, *, limit: float) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raw = text_cell(value)
        if not raw:
            return None
        try:
            number = float(raw)
        except ValueError as exc:
            raise CellError(f"{raw!r} is not a number of degrees, e.g. 37.3357") from exc
    if not -limit <= number <= limit or number != number:
        raise CellError(f"{number} is out of range (-{limit:g} to {limit:g} degrees)")
    return number


# ---------------------------------------------------------------------------------------------
# Rows


class _RowReader:
    """Reads the cells of one row by column key and collects what is wrong with them."""

    def __init__(self, number: int, cells: list[Cell], columns: dict[str, tuple[int, str]]):
        self.number = number
        self.cells = cells
        self.columns = columns
        self.errors: list[RowError] = []

    def has(self, key: str) -> bool:
        return key in self.columns

    def raw(self, key: str) -> Cell:
        index = self.columns[key][0]
        return self.cells[index] if index < len(self.cells) else None

    def get(self, key: str, parse: Callable[[Cell], T]) -> T | None:
        try:
            return parse(self.raw(key))
        except CellError as exc:
            self.fail(key, str(exc))
            return None

    def fail(self, key: str, message: str) -> None:
        column = self.columns[key][1] if key in self.columns else key
        self.errors.append(RowError(self.number, column, f"{column} {message}".strip()))


def _parse(
    data: bytes,
    spec: Sequence[Column],
    build: Callable[[_RowReader], T | None],
    on_row: Callable[[int], None] | None,
    max_rows: int,
) -> ParseResult[T]:
    table = read_table(data)
    try:
        _number, header = next(iter(table))
    except StopIteration as exc:
        raise ImportFileError("The file has no rows. Export it again from core banking.") from exc
    columns = map_columns(header, spec)
    result: ParseResult[T] = ParseResult(columns={k: v[1] for k, v in columns.items()})
    for number, cells in table:
        result.total += 1
        if result.total > max_rows:
            raise ImportFileError(
                f"The file has more than {max_rows:,} data rows (row {number} is beyond the "
                "limit). Split it into files of at most that many rows and import them one "
                "after the other.",
                too_large=True,
            )
        reader = _RowReader(number, cells, columns)
        row = build(reader)
        if reader.errors or row is None:
            result.errors.extend(reader.errors)
        else:
            result.rows.append(row)
        if on_row is not None:
            on_row(1)
    if result.total == 0:
        raise ImportFileError("The file has a header but no data rows.")
    return result


def _account_number(value: Cell) -> str:
    text = identifier_cell(value, "account number")
    if not text:
        raise CellError("is empty")
    if len(text) > 40 or not re.fullmatch(r"[0-9A-Za-z\-_]+", text):
        raise CellError(f"{text!r} is not an account number (letters, digits, up to 40)")
    return text


def _village(r: _RowReader) -> str | None:
    """None when the file has no village column (the stored village is kept)."""
    if not r.has("village"):
        return None
    village = r.get("village", text_cell) or ""
    if len(village) > 120:
        r.fail("village", "is longer than 120 characters")
    return village


def _location(r: _RowReader) -> tuple[float | None, float | None]:
    """lat and lon, both or neither: one without the other is an error on the empty one."""
    lat = r.get("lat", lambda v: parse_coordinate(v, limit=90)) if r.has("lat") else None
    lon = r.get("lon", lambda v: parse_coordinate(v, limit=180)) if r.has("lon") else None
    if r.has("lat") and r.has("lon") and (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        if not any(e.column == r.columns[missing][1] for e in r.errors):
            r.fail(missing, "is empty; give both lat and lon, or leave both empty")
    return lat, lon


def _preferences(r: _RowReader) -> tuple[list[dict[str, Any]] | None, list[str] | None]:
    """Preferred times and safety flags; None when the file has no such column."""

    def read(key: str, parse: Callable[[str], T]) -> T | None:
        if not r.has(key):
            return None
        text = text_cell(r.raw(key))
        if len(text) > 255:
            r.fail(key, "is longer than 255 characters")
            return None
        try:
            return parse(text)
        except PreferenceError as exc:
            r.fail(key, str(exc))
            return None

    return read("preferred_times", parse_preferred_times), read("safety_flags", parse_safety_flags)


class _LoanRows:
    """Builds a `LoanRow` from each row of a loan file, checking it against the rows before
    it: each account is on one row, and an ID number has one name."""

    def __init__(self, id_key: str) -> None:
        self.id_key = id_key  # keys the national-ID hash
        self.seen_accounts: dict[str, int] = {}
        self.names_by_id: dict[str, tuple[str, int]] = {}

    def __call__(self, r: _RowReader) -> LoanRow | None:
        number = r.get("account_number", _account_number)
        name = r.get("borrower_name", lambda v: required_text(v, max_length=120))
        national_id = r.get("national_id", check_national_id)
        phone = r.get("phone", check_phone)
        address = r.get("address", lambda v: required_text(v, max_length=255))
        product = r.get("product", lambda v: required_text(v, max_length=80))
        principal = r.get("principal", parse_amount_fen)
        outstanding = r.get("outstanding", parse_amount_fen)
        overdue = r.get("overdue_amount", parse_amount_fen)
        dpd = r.get("dpd", lambda v: parse_int(v, low=0, high=MAX_DPD, unit="天"))
        last_paid = r.get("last_payment_date", parse_date)
        village = _village(r)
        segment = r.get("segment", parse_segment) if r.has("segment") else None
        lat, lon = _location(r)
        preferred_times, safety_flags = _preferences(r)
        self._check_against_earlier_rows(r, number, national_id, name)
        if r.errors:
            return None
        assert number is not None and name is not None and national_id is not None
        assert phone is not None and address is not None and product is not None
        assert principal is not None and outstanding is not None and overdue is not None
        assert dpd is not None
        return LoanRow(
            row=r.number,
            account_number=number,
            borrower_name=name,
            national_id_hash=hash_national_id(national_id, key=self.id_key),
            national_id_masked=mask_national_id(national_id),
            phone=phone,
            address=address,
            product=product,
            principal_fen=principal,
            outstanding_fen=outstanding,
            overdue_fen=overdue,
            dpd=dpd,
            last_payment_date=last_paid,
            village=village,
            lat=lat,
            lon=lon,
            has_location=lat is not None and lon is not None,
            segment=segment,
            preferred_times=preferred_times,
            safety_flags=safety_flags,
            location_source="import" if lat is not None and lon is not None else None,
            location_precision="exact" if lat is not None and lon is not None else None,
        )

    def _check_against_earlier_rows(
        self, r: _RowReader, number: str | None, national_id: str | None, name: str | None
    ) -> None:
        if number is not None:
            if number in self.seen_accounts:
                r.fail(
                    "account_number",
                    f"{number} already appears in row {self.seen_accounts[number]}; "
                    "each loan must be on one row",
                )
            else:
                self.seen_accounts[number] = r.number
        if national_id is not None and name is not None:
            first = self.names_by_id.setdefault(national_id, (name, r.number))
            if first[0] != name:
                r.fail(
                    "borrower_name",
                    f"{name!r} differs from {first[0]!r} in row {first[1]} for the same "
                    "ID number; correct the name or the ID number",
                )


def parse_loans(
    data: bytes,
    *,
    id_key: str,
    on_row: Callable[[int], None] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ParseResult[LoanRow]:
    """Overdue loans and their borrowers. `id_key` keys the national-ID hash."""
    return _parse(data, LOAN_COLUMNS, _LoanRows(id_key), on_row, max_rows)


def parse_payments(
    data: bytes,
    *,
    on_row: Callable[[int], None] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ParseResult[PaymentRow]:
    """Payments received, one per core-banking transaction reference."""
    seen: dict[str, int] = {}

    def identifier(what: str, max_length: int) -> Callable[[Cell], str]:
        def check(value: Cell) -> str:
            text = identifier_cell(value, what)
            if not text:
                raise CellError("is empty")
            if len(text) > max_length:
                raise CellError(f"is longer than {max_length} characters")
            return text

        return check

    def paid_on(value: Cell) -> date:
        found = parse_date(value)
        if found is None:
            raise CellError("is empty; give the date the payment was received")
        return found

    def build(r: _RowReader) -> PaymentRow | None:
        account = r.get("account_number", identifier("account number", 40))
        reference = r.get("reference", identifier("reference", 64))
        day = r.get("paid_on", paid_on)
        amount = r.get("amount", lambda v: parse_amount_fen(v, allow_zero=False))
        if reference is not None:
            if reference in seen:
                r.fail(
                    "reference",
                    f"{reference} already appears in row {seen[reference]}; "
                    "each transaction must be on one row",
                )
            else:
                seen[reference] = r.number
        if r.errors:
            return None
        assert account is not None and reference is not None
        assert day is not None and amount is not None
        return PaymentRow(
            row=r.number,
            account_number=account,
            reference=reference,
            paid_on=day,
            amount_fen=amount,
        )

    return _parse(data, PAYMENT_COLUMNS, build, on_row, max_rows)
