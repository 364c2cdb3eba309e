"""HTTP endpoints for agreements, promises and the branch's agreement limits.

Managers see their branch; officers may read (and print and verify) the agreements of their
own visits. Path parameters are `agreement_id` only. The router has no /api/v1 prefix.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.agreements import export, plan, service
from api.agreements.labels import Lang
from api.agreements.pdf import PdfSettings, PrintData, get_pdf_settings, render_agreement_pdf
from api.deps import ClockDep, CurrentManager, CurrentUser, SessionDep
from api.errors import NotFound
from models import Borrower, Branch, Loan, User
from models.enums import AgreementStatus, PromiseStatus, ScheduleLineStatus

router = APIRouter(tags=["agreements"])

Format = Literal["json", "csv", "xlsx"]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
        },
        "description": "JSON, or a file download with ?format=csv|xlsx.",
    }
}


class AgreementLinePublic(BaseModel):
    seq: int
    due_date: date
    amount_fen: int
    paid_fen: int
    status: ScheduleLineStatus
    paid_on: date | None


class ReasonPublic(BaseModel):
    code: str
    text: str
    text_zh: str


class AgreementSummary(BaseModel):
    id: uuid.UUID
    status: AgreementStatus
    borrower_id: uuid.UUID
    borrower_name: str
    loan_id: uuid.UUID
    account_number: str
    officer_id: uuid.UUID
    officer_name: str
    visit_id: uuid.UUID | None
    principal_fen: int
    down_payment_fen: int
    down_payment_paid_fen: int
    down_payment_status: ScheduleLineStatus
    paid_fen: int = Field(description="Down payment and lines paid so far.")
    instalments: int
    missed_lines: int
    next_due_date: date | None
    signed_at: datetime
    received_at: datetime
    approval_reasons: list[ReasonPublic]
    decision_reason: str
    decided_at: datetime | None
    supersedes_id: uuid.UUID | None
    version: int


class AgreementPublic(AgreementSummary):
    national_id_masked: str
    text: str
    text_sha256: str
    content_sha256: str
    borrower_signature: str
    officer_signature: str
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    decided_by: uuid.UUID | None
    activated_at: datetime | None
    status_changed_at: datetime | None
    superseded_by: uuid.UUID | None
    lines: list[AgreementLinePublic]
    allowed_actions: list[str] = Field(description="What a manager may do now.")


class PromisePublic(BaseModel):
    id: uuid.UUID
    status: PromiseStatus
    borrower_id: uuid.UUID
    borrower_name: str
    loan_id: uuid.UUID
    account_number: str
    officer_id: uuid.UUID
    officer_name: str
    visit_id: uuid.UUID | None
    amount_fen: int
    paid_fen: int
    due_date: date
    made_at: datetime
    received_at: datetime
    resolved_at: datetime | None
    version: int


class VerificationPublic(BaseModel):
    valid: bool
    stored_sha256: str
    computed_sha256: str
    text_sha256_valid: bool
    problems: list[str]


class ReasonBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    # Required, but checked after the agreement is found (another branch's id answers 404).
    reason: str = Field("", max_length=500, description="Required; shown on the officer's phone.")


class ApproveBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    note: str = Field("", max_length=500, description="Optional note for the officer.")


def _summary_fields(row: service.AgreementRow) -> dict[str, Any]:
    a = row.agreement
    return {
        "id": a.id,
        "status": a.status,
        "borrower_id": a.borrower_id,
        "borrower_name": row.borrower_name,
        "loan_id": a.loan_id,
        "account_number": row.account_number,
        "officer_id": a.officer_id,
        "officer_name": row.officer_name,
        "visit_id": a.visit_id,
        "principal_fen": a.principal_fen,
        "down_payment_fen": a.down_payment_fen,
        "down_payment_paid_fen": a.down_payment_paid_fen,
        "down_payment_status": a.down_payment_status,
        "paid_fen": row.paid_fen,
        "instalments": len(row.lines),
        "missed_lines": row.missed_lines,
        "next_due_date": row.next_due_date,
        "signed_at": a.signed_at,
        "received_at": a.received_at,
        "approval_reasons": a.approval_reasons,
        "decision_reason": a.decision_reason,
        "decided_at": a.decided_at,
        "supersedes_id": a.supersedes_id,
        "version": a.version,
    }


def _promise_public(row: service.PromiseRow) -> PromisePublic:
    p = row.promise
    return PromisePublic(
        id=p.id,
        status=p.status,
        borrower_id=p.borrower_id,
        borrower_name=row.borrower_name,
        loan_id=p.loan_id,
        account_number=row.account_number,
        officer_id=p.officer_id,
        officer_name=row.officer_name,
        visit_id=p.visit_id,
        amount_fen=p.amount_fen,
        paid_fen=p.paid_fen,
        due_date=p.due_date,
        made_at=p.made_at,
        received_at=p.received_at,
        resolved_at=p.resolved_at,
        version=p.version,
    )


def _filters(
    status: Annotated[list[str] | None, Query(description="One or more statuses.")] = None,
    officer_id: uuid.UUID | None = None,
    borrower_id: uuid.UUID | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> service.Filters:
    return service.Filters(
        status=[s for value in status or [] for s in value.split(",") if s],
        officer_id=officer_id,
        borrower_id=borrower_id,
        due_from=due_from,
        due_to=due_to,
    )


FiltersDep = Annotated[service.Filters, Depends(_filters)]
FormatQuery = Annotated[Format, Query(alias="format", description="json, csv or xlsx.")]


def _download(content: bytes, *, fmt: Literal["csv", "xlsx"], name: str) -> Response:
    return Response(
        content,
        media_type=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _timezone(session: Session, user: User) -> str:
    branch = session.get(Branch, user.branch_id)
    return branch.timezone if branch is not None else "Asia/Shanghai"


# --- settings ---------------------------------------------------------------------------


@router.get(
    "/branches/current/settings/agreements",
    operation_id="agreements-settings-get",
    response_model=plan.AgreementSettings,
)
def get_agreement_settings(manager: CurrentManager, session: SessionDep) -> plan.AgreementSettings:
    """What an officer may agree alone, and how promises and agreements are tracked."""
    return service.get_agreement_settings(session=session, branch_id=manager.branch_id)


@router.put(
    "/branches/current/settings/agreements",
    operation_id="agreements-settings-put",
    response_model=plan.AgreementSettings,
)
def put_agreement_settings(
    values: plan.AgreementSettings,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> plan.AgreementSettings:
    """Replace the branch's agreement settings; omitted fields take their default."""
    return service.put_agreement_settings(session=session, manager=manager, values=values, now=now)


# --- lists ------------------------------------------------------------------------------


@router.get(
    "/agreements",
    operation_id="agreements-list",
    response_model=list[AgreementSummary],
    responses=FILE_RESPONSES,
)
def list_agreements(
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
    filters: FiltersDep,
    fmt: FormatQuery = "json",
) -> list[AgreementSummary] | Response:
    """The branch's agreements, newest first (pending_approval ones are the review list).
    `due_from`/`due_to` keep agreements with an instalment due in that range."""
    rows = service.list_agreements(session=session, manager=manager, filters=filters)
    if fmt == "json":
        return [AgreementSummary.model_validate(_summary_fields(row)) for row in rows]
    content = export.render(
        export.AGREEMENT_HEADERS,
        export.agreement_rows(rows, _timezone(session, manager)),
        fmt=fmt,
        title="分期协议",
    )
    return _download(content, fmt=fmt, name=export.filename("agreements", fmt, now))


@router.get(
    "/promises",
    operation_id="promises-list",
    response_model=list[PromisePublic],
    responses=FILE_RESPONSES,
)
def list_promises(
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
    filters: FiltersDep,
    fmt: FormatQuery = "json",
) -> list[PromisePublic] | Response:
    """The branch's promises to pay, by due date."""
    rows = service.list_promises(session=session, manager=manager, filters=filters)
    if fmt == "json":
        return [_promise_public(row) for row in rows]
    content = export.render(
        export.PROMISE_HEADERS,
        export.promise_rows(rows, _timezone(session, manager)),
        fmt=fmt,
        title="承诺还款",
    )
    return _download(content, fmt=fmt, name=export.filename("promises", fmt, now))


# --- one agreement ----------------------------------------------------------------------


def _print_data(session: Session, user: User, agreement_id: uuid.UUID) -> PrintData:
    agreement = service.get_agreement(session=session, user=user, agreement_id=agreement_id)
    borrower = session.get(Borrower, agreement.borrower_id)
    loan = session.get(Loan, agreement.loan_id)
    branch = session.get(Branch, user.branch_id)
    if borrower is None or loan is None or branch is None:
        raise NotFound("No such agreement.")
    return PrintData(
        agreement=agreement,
        lines=service.agreement_lines(session, agreement.id),
        borrower=borrower,
        loan=loan,
        branch=branch,
        officer=session.get(User, agreement.officer_id),
    )


PdfSettingsDep = Annotated[PdfSettings, Depends(get_pdf_settings)]
LangQuery = Annotated[Literal["zh", "zh-CN", "en"], Query(description="zh (default) or en.")]


def _pdf(
    agreement_id: uuid.UUID,
    user: User,
    session: Session,
    pdf_settings: PdfSettings,
    lang: str,
) -> Response:
    data = _print_data(session, user, agreement_id)
    language: Lang = "en" if lang == "en" else "zh-CN"
    content = render_agreement_pdf(data, lang=language, font_path=pdf_settings.pdf_font_path)
    name = f"agreement-{data.loan.account_number}-{agreement_id.hex[:8]}-{language}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The printable agreement."}
}


# Registered before /agreements/{agreement_id}, which would otherwise take "<id>.pdf".
@router.get(
    "/agreements/{agreement_id}.pdf",
    operation_id="agreements-pdf",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def agreement_pdf(
    agreement_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    pdf_settings: PdfSettingsDep,
    lang: LangQuery = "zh",
) -> Response:
    """The agreement as a PDF, in Chinese (default) or English (`?lang=en`)."""
    return _pdf(agreement_id, user, session, pdf_settings, lang)


@router.get(
    "/agreements/{agreement_id}/pdf",
    operation_id="agreements-pdf-alias",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def agreement_pdf_alias(
    agreement_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    pdf_settings: PdfSettingsDep,
    lang: LangQuery = "zh",
) -> Response:
    """The same PDF at a path without a file extension."""
    return _pdf(agreement_id, user, session, pdf_settings, lang)


@router.get(
    "/agreements/{agreement_id}/verify",
    operation_id="agreements-verify",
    response_model=VerificationPublic,
)
def verify_agreement(
    agreement_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> VerificationPublic:
    """Recompute the content hash from what is stored: a record edited after signing is
    invalid, and `problems` says what differs."""
    agreement = service.get_agreement(session=session, user=user, agreement_id=agreement_id)
    result = service.verify(agreement, service.agreement_lines(session, agreement.id))
    return VerificationPublic.model_validate(result, from_attributes=True)


def agreement_public(session: Session, user: User, agreement_id: uuid.UUID) -> AgreementPublic:
    agreement = service.get_agreement(session=session, user=user, agreement_id=agreement_id)
    borrower = session.get(Borrower, agreement.borrower_id)
    loan = session.get(Loan, agreement.loan_id)
    officer = session.get(User, agreement.officer_id)
    lines = service.agreement_lines(session, agreement.id)
    row = service.AgreementRow(
        agreement,
        borrower.name if borrower else "",
        borrower.national_id_masked if borrower else "",
        loan.account_number if loan else "",
        officer.full_name if officer else "",
        lines,
    )
    return AgreementPublic.model_validate(
        {
            **_summary_fields(row),
            "national_id_masked": row.national_id_masked,
            "text": agreement.text,
            "text_sha256": agreement.text_sha256,
            "content_sha256": agreement.content_sha256,
            "borrower_signature": agreement.borrower_signature,
            "officer_signature": agreement.officer_signature,
            "lat": agreement.lat,
            "lon": agreement.lon,
            "accuracy_m": agreement.accuracy_m,
            "decided_by": agreement.decided_by,
            "activated_at": agreement.activated_at,
            "status_changed_at": agreement.status_changed_at,
            "superseded_by": service.superseded_by(session, agreement.id),
            "lines": [
                AgreementLinePublic.model_validate(line, from_attributes=True) for line in lines
            ],
            "allowed_actions": service.manager_actions(agreement.status),
        }
    )


@router.get(
    "/agreements/{agreement_id}", operation_id="agreements-get", response_model=AgreementPublic
)
def get_agreement(
    agreement_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> AgreementPublic:
    """The full record with its schedule. An officer may read the agreements of their visits."""
    return agreement_public(session, user, agreement_id)


@router.post(
    "/agreements/{agreement_id}/approve",
    operation_id="agreements-approve",
    response_model=AgreementPublic,
)
def approve_agreement(
    agreement_id: uuid.UUID,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
    body: Annotated[ApproveBody | None, Body()] = None,
) -> AgreementPublic:
    """pending_approval -> active; the agreement it replaces becomes superseded. The officer's
    phone gets the decision on its next pull."""
    service.approve_agreement(
        session=session,
        manager=manager,
        agreement_id=agreement_id,
        now=now,
        note=body.note if body else "",
    )
    return agreement_public(session, manager, agreement_id)


@router.post(
    "/agreements/{agreement_id}/decline",
    operation_id="agreements-decline",
    response_model=AgreementPublic,
)
def decline_agreement(
    agreement_id: uuid.UUID,
    body: ReasonBody,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> AgreementPublic:
    """pending_approval -> declined, with the reason the officer's phone shows."""
    service.decline_agreement(
        session=session, manager=manager, agreement_id=agreement_id, reason=body.reason, now=now
    )
    return agreement_public(session, manager, agreement_id)


@router.post(
    "/agreements/{agreement_id}/cancel",
    operation_id="agreements-cancel",
    response_model=AgreementPublic,
)
def cancel_agreement(
    agreement_id: uuid.UUID,
    body: ReasonBody,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> AgreementPublic:
    """signed, active or broken -> cancelled, with a reason."""
    service.cancel_agreement(
        session=session, manager=manager, agreement_id=agreement_id, reason=body.reason, now=now
    )
    return agreement_public(session, manager, agreement_id)
