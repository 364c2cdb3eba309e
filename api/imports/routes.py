"""HTTP endpoints for imports from core banking (branch managers only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, File, UploadFile
from sqlmodel import Session

from api.deps import ClockDep, CurrentManager, SessionDep, SettingsDep
from api.errors import InvalidInput, PayloadTooLarge
from api.imports import parse, service
from api.imports.schemas import ImportReportPublic
from models import User

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


def _file_error(exc: parse.ImportFileError) -> InvalidInput:
    if exc.missing:
        return InvalidInput(exc.message, missing_columns=exc.missing)
    return InvalidInput(exc.message)


def _import(
    upload: UploadFile,
    read: Callable[[bytes], parse.ParseResult[Row]],
    write: service.Importer[Row],
    *,
    manager: User,
    session: Session,
    now: datetime,
) -> ImportReportPublic:
    """Parse the upload (a file that cannot be read at all answers 422) and import its good
    rows into the manager's branch."""
    data = _read(upload)
    try:
        rows = read(data)
    except parse.ImportFileError as exc:
        raise _file_error(exc) from exc
    report = write(
        session=session,
        branch_id=manager.branch_id,
        actor_id=manager.id,
        rows=rows,
        now=now,
        source=upload.filename or "",
    )
    return ImportReportPublic.model_validate(report.as_dict())


@router.post("/loans", operation_id="imports-loans", response_model=ImportReportPublic)
def import_loans(
    file: UploadDep,
    manager: CurrentManager,
    session: SessionDep,
    settings: SettingsDep,
    now: ClockDep,
) -> ImportReportPublic:
    """Import overdue loans and their borrowers into your branch.

    Good rows are imported even when others are wrong; the report lists every wrong cell
    with its row number. Importing the same file again changes nothing.
    """

    def read(data: bytes) -> parse.ParseResult[parse.LoanRow]:
        return parse.parse_loans(data, id_key=settings.secret_key)

    return _import(file, read, service.import_loans, manager=manager, session=session, now=now)


@router.post("/payments", operation_id="imports-payments", response_model=ImportReportPublic)
def import_payments(
    file: UploadDep,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> ImportReportPublic:
    """Import payments received (one row per core-banking transaction reference).

    A reference already imported is left as it is, so the same file can be imported twice.
    """
    return _import(
        file,
        parse.parse_payments,
        service.import_payments,
        manager=manager,
        session=session,
        now=now,
    )
