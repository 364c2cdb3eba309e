"""HTTP endpoints for imports from core banking (branch managers only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel, Field

from api.deps import ClockDep, CurrentManager, SessionDep, SettingsDep
from api.errors import InvalidInput, PayloadTooLarge
from api.imports import parse, service

router = APIRouter(prefix="/imports", tags=["imports"])

MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # about 100,000 loan rows as CSV


class RowErrorPublic(BaseModel):
    row: int = Field(description="Spreadsheet row number; the header is row 1.")
    column: str = Field(description="The column as named in the file.")
    message: str = Field(description="What is wrong and what to fix.")


class ImportReportPublic(BaseModel):
    rows: int = Field(description="Data rows in the file.")
    created: int
    updated: int
    unchanged: int
    failed: int = Field(description="Rows not imported because of the errors listed.")
    errors: list[RowErrorPublic]


UploadDep = Annotated[UploadFile, File(description="A CSV (UTF-8 or GBK) or XLSX export.")]


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
    data = _read(file)
    try:
        rows = parse.parse_loans(data, id_key=settings.secret_key)
    except parse.ImportFileError as exc:
        raise _file_error(exc) from exc
    report = service.import_loans(
        session=session,
        branch_id=manager.branch_id,
        actor_id=manager.id,
        rows=rows,
        now=now,
        source=file.filename or "",
    )
    return ImportReportPublic.model_validate(report.as_dict())


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
    data = _read(file)
    try:
        rows = parse.parse_payments(data)
    except parse.ImportFileError as exc:
        raise _file_error(exc) from exc
    report = service.import_payments(
        session=session,
        branch_id=manager.branch_id,
        actor_id=manager.id,
        rows=rows,
        now=now,
        source=file.filename or "",
    )
    return ImportReportPublic.model_validate(report.as_dict())
