"""HTTP endpoints for imports from core banking (branch managers only).

The file is read and parsed before the request touches the database: on SQLite the first
query of a request takes the write lock, and a large file parsed under it would stall every
phone's sync. The token is checked first without the database (no anonymous parsing), then
the file is parsed, then the caller is checked in full and the good rows are written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, File, UploadFile

from api.deps import ClockDep, CurrentManager, SessionDep, SettingsDep, oauth2_scheme
from api.errors import InvalidInput, NotAuthenticated, PayloadTooLarge
from api.geo.factory import make_geocoder
from api.imports import parse, service
from api.imports.geocoding import geocode_rows
from api.imports.schemas import ImportReportPublic, LoanImportReportPublic
from api.security import decode_token

router = APIRouter(prefix="/imports", tags=["imports"])

MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # about 100,000 loan rows as CSV

UploadDep = Annotated[UploadFile, File(description="A CSV (UTF-8 or GBK) or XLSX export.")]
Row = TypeVar("Row")


def _read(upload: UploadFile) -> bytes:
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(
            f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Split it into "
            "several files and import them one after the other."
        )
    return data


def _file_error(exc: parse.ImportFileError) -> InvalidInput | PayloadTooLarge:
    if exc.too_large:
        return PayloadTooLarge(exc.message)
    if exc.missing:
        return InvalidInput(exc.message, missing_columns=exc.missing)
    return InvalidInput(exc.message)


def signed_in(
    settings: SettingsDep, now: ClockDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> None:
    """A valid access token, checked without the database (the full check comes after)."""
    if not token:
        raise NotAuthenticated()
    try:
        decode_token(token, secret=settings.secret_key, expected="access", now=now)
    except ValueError as exc:
        raise NotAuthenticated(f"Sign in again ({exc}).") from exc


SignedIn = Annotated[None, Depends(signed_in)]


Parsed = parse.ParseResult[Row] | InvalidInput | PayloadTooLarge


def parse_upload(
    upload: UploadFile, read: Callable[[bytes], parse.ParseResult[Row]]
) -> Parsed[Row]:
    """Read and parse the upload. What is wrong with the file as a whole (422; 413 for more
    rows than the setting allows) is returned, raised once the caller is known to be a
    manager: anyone else is told 403 first."""
    try:
        return read(_read(upload))
    except PayloadTooLarge as exc:
        return exc
    except parse.ImportFileError as exc:
        return _file_error(exc)


def parsed_loans(
    file: UploadDep, settings: SettingsDep, _signed_in: SignedIn
) -> Parsed[parse.LoanRow]:
    def read(data: bytes) -> parse.ParseResult[parse.LoanRow]:
        return parse.parse_loans(
            data, id_key=settings.secret_key, max_rows=settings.import_max_rows
        )

    return parse_upload(file, read)


def parsed_payments(
    file: UploadDep, settings: SettingsDep, _signed_in: SignedIn
) -> Parsed[parse.PaymentRow]:
    return parse_upload(
        file, lambda data: parse.parse_payments(data, max_rows=settings.import_max_rows)
    )


# Declared before the caller in each route: FastAPI resolves them first, before any query.
ParsedLoans = Annotated[Parsed[parse.LoanRow], Depends(parsed_loans)]
ParsedPayments = Annotated[Parsed[parse.PaymentRow], Depends(parsed_payments)]


class ImportRun:
    """What both imports take besides the parsed file: the file's name, who imports, into
    which branch, when (a dependency: resolved after the parsed file, see above)."""

    def __init__(
        self,
        file: UploadDep,
        manager: CurrentManager,
        session: SessionDep,
        settings: SettingsDep,
        now: ClockDep,
    ) -> None:
        self.source = file.filename or ""
        self.manager, self.session, self.settings, self.now = manager, session, settings, now

    def located(self, rows: Parsed[parse.LoanRow]) -> parse.ParseResult[parse.LoanRow]:
        """The loan rows, those without coordinates geocoded when a geocoder is configured.
        The provider is asked after two plain reads and before any write of the import, so
        no row lock is held while waiting for it (see api.imports.geocoding)."""
        if not isinstance(rows, parse.ParseResult):
            raise rows
        geocoder = make_geocoder(self.settings)
        if geocoder is None:
            return rows
        return geocode_rows(
            self.session,
            geocoder=geocoder,
            branch_id=self.manager.branch_id,
            rows=rows,
            now=self.now,
        )

    def __call__(self, rows: Parsed[Row], write: service.Importer[Row]) -> dict[str, Any]:
        """Import the parsed file's good rows into the manager's branch; the report lists
        the first `import_max_errors` wrong cells."""
        if not isinstance(rows, parse.ParseResult):
            raise rows
        report = write(
            session=self.session,
            branch_id=self.manager.branch_id,
            actor_id=self.manager.id,
            rows=rows,
            now=self.now,
            source=self.source,
        )
        return report.as_dict(max_errors=self.settings.import_max_errors)


ImportRunDep = Annotated[ImportRun, Depends()]


@router.post("/loans", operation_id="imports-loans", response_model=LoanImportReportPublic)
def import_loans(rows: ParsedLoans, run: ImportRunDep) -> LoanImportReportPublic:
    """Import overdue loans and their borrowers into your branch.

    Rows without coordinates are geocoded (address and village) when the server has a
    geocoder; the report counts borrowers located from the file, by the geocoder, already
    located, and lists those left unlocated with the reason. Optional columns
    `方便走访时间` (preferred_times, e.g. "周一至周五 18:00-20:00; 周六 09:00-12:00") and
    `安全提示` (safety_flags: 恶犬/家属敌对/偏远道路/曾有威胁 or their codes).

    Good rows are imported even when others are wrong; the report counts every wrong cell
    (`error_count`) and lists the first 1,000 with their row numbers. A file of more than
    50,000 data rows (a setting) answers 413: split it. Importing the same file again changes
    nothing.
    """
    return LoanImportReportPublic.model_validate(run(run.located(rows), service.import_loans))


@router.post("/payments", operation_id="imports-payments", response_model=ImportReportPublic)
def import_payments(rows: ParsedPayments, run: ImportRunDep) -> ImportReportPublic:
    """Import payments received (one row per core-banking transaction reference).

    A reference already imported is left as it is, so the same file can be imported twice.
    Limits as for loans: 50,000 data rows per file, the first 1,000 errors listed.
    """
    return ImportReportPublic.model_validate(run(rows, service.import_payments))
