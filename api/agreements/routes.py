"""HTTP endpoints for agreements, promises and the branch's agreement limits.

Managers see their branch; officers may read (and print and verify) the agreements of their
own visits. Path parameters are `agreement_id` only. The router has no /api/v1 prefix.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from sqlmodel import Session

from api.agreements import export, lists, plan, repository, service, signed_text
from api.agreements.labels import Lang
from api.agreements.pdf import (
    PdfFontMissing,
    PdfSettings,
    PrintData,
    get_pdf_settings,
    render_agreement_pdf,
)
from api.agreements.schemas import (
    AgreementPublic,
    AgreementRenderRequest,
    AgreementSummary,
    AgreementTextPublic,
    ApproveBody,
    PromisePublic,
    ReasonBody,
    VerificationPublic,
    agreement_public,
    agreement_summary,
    promise_public,
)
from api.deps import ClockDep, CurrentBranch, CurrentManager, CurrentUser, SessionDep
from api.errors import error_responses
from api.exports import file_responses
from models import User

router = APIRouter(tags=["agreements"])

Format = Literal["json", "csv", "xlsx"]
FILE_RESPONSES = file_responses(
    "csv", "xlsx", description="JSON, or a file download with ?format=csv|xlsx."
)
# A missing font (PdfFontMissing) answers 500: the server's setup, not the request, is wrong.
PDF_RESPONSES = {
    **file_responses("pdf", description="The printable agreement."),
    **error_responses({PdfFontMissing.status_code}),
}


def _agreement_record(session: Session, user: User, agreement_id: uuid.UUID) -> AgreementPublic:
    """The full record with its schedule, as `user` may read it."""
    agreement = repository.get_agreement(session=session, user=user, agreement_id=agreement_id)
    return agreement_public(
        lists.agreement_row(session, agreement),
        superseded_by=repository.superseded_by(session, agreement.id),
        allowed_actions=service.manager_actions(agreement.status),
    )


def _filters(
    status: Annotated[list[str] | None, Query(description="One or more statuses.")] = None,
    officer_id: uuid.UUID | None = None,
    borrower_id: uuid.UUID | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> lists.Filters:
    return lists.Filters(
        status=[s for value in status or [] for s in value.split(",") if s],
        officer_id=officer_id,
        borrower_id=borrower_id,
        due_from=due_from,
        due_to=due_to,
    )


FiltersDep = Annotated[lists.Filters, Depends(_filters)]
FormatQuery = Annotated[Format, Query(alias="format", description="json, csv or xlsx.")]
Row = TypeVar("Row")
Public = TypeVar("Public")


@dataclass
class ManagerRequest:
    """What the manager's endpoints share: who asks, their branch, the session, the clock."""

    manager: CurrentManager
    branch: CurrentBranch
    session: SessionDep
    now: ClockDep


@dataclass
class ListRequest(ManagerRequest):
    """A list: the filters, and JSON or a file (`?format=csv|xlsx`)."""

    filters: FiltersDep
    fmt: FormatQuery = "json"

    def answer(
        self,
        rows: Sequence[Row],
        public: Callable[[Row], Public],
        columns: Callable[[str], list[export.Column[Row]]],
        *,
        title: str,
        kind: str,
    ) -> list[Public] | Response:
        """The rows as JSON, or as a CSV or XLSX download with the branch's local times."""
        if self.fmt == "json":
            return [public(row) for row in rows]
        file = export.download(
            columns(self.branch.timezone), rows, fmt=self.fmt, title=title, kind=kind, now=self.now
        )
        return Response(
            file.content,
            media_type=file.media_type,
            headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
        )


ManagerRequestDep = Annotated[ManagerRequest, Depends()]
ListRequestDep = Annotated[ListRequest, Depends()]


def _json_or_file(model: Any) -> dict[str, Any]:
    """The route options of a list: `model` as JSON, or a file."""
    return {"response_model": model, "responses": FILE_RESPONSES}


# --- settings ---------------------------------------------------------------------------


@router.get(
    "/branches/current/settings/agreements",
    operation_id="agreements-settings-get",
    response_model=plan.AgreementSettings,
)
def get_agreement_settings(
    manager: CurrentManager, branch: CurrentBranch
) -> plan.AgreementSettings:
    """What an officer may agree alone, and how promises and agreements are tracked."""
    return plan.settings_from_branch(branch.settings)


@router.put(
    "/branches/current/settings/agreements",
    operation_id="agreements-settings-put",
    response_model=plan.AgreementSettings,
)
def put_agreement_settings(
    values: plan.AgreementSettings, request: ManagerRequestDep
) -> plan.AgreementSettings:
    """Replace the branch's agreement settings; omitted fields take their default."""
    return service.put_agreement_settings(
        session=request.session,
        manager=request.manager,
        branch=request.branch,
        values=values,
        now=request.now,
    )


# --- lists ------------------------------------------------------------------------------


@router.get("/agreements", operation_id="agreements-list", **_json_or_file(list[AgreementSummary]))
def list_agreements(request: ListRequestDep) -> list[AgreementSummary] | Response:
    """The branch's agreements, newest first (pending_approval ones are the review list).
    `due_from`/`due_to` keep agreements with an instalment due in that range."""
    rows = lists.list_agreements(
        session=request.session, branch_id=request.branch.id, filters=request.filters
    )
    return request.answer(
        rows, agreement_summary, export.agreement_columns, title="分期协议", kind="agreements"
    )


@router.get("/promises", operation_id="promises-list", **_json_or_file(list[PromisePublic]))
def list_promises(request: ListRequestDep) -> list[PromisePublic] | Response:
    """The branch's promises to pay, by due date."""
    rows = lists.list_promises(
        session=request.session, branch_id=request.branch.id, filters=request.filters
    )
    return request.answer(
        rows, promise_public, export.promise_columns, title="承诺还款", kind="promises"
    )


# --- one agreement ----------------------------------------------------------------------


PdfSettingsDep = Annotated[PdfSettings, Depends(get_pdf_settings)]
LangQuery = Annotated[Literal["zh", "zh-CN", "en"], Query(description="zh (default) or en.")]


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
    branch: CurrentBranch,
    session: SessionDep,
    pdf_settings: PdfSettingsDep,
    lang: LangQuery = "zh",
) -> Response:
    """The agreement as a PDF, in Chinese (default) or English (`?lang=en`)."""
    agreement = repository.get_agreement(session=session, user=user, agreement_id=agreement_id)
    row = lists.agreement_row(session, agreement)
    language: Lang = "en" if lang == "en" else "zh-CN"
    content = render_agreement_pdf(
        PrintData(row, branch), lang=language, font_path=pdf_settings.pdf_font_path
    )
    name = f"agreement-{row.account_number}-{agreement_id.hex[:8]}-{language}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


# The same PDF at a path without a file extension.
router.add_api_route(
    "/agreements/{agreement_id}/pdf",
    agreement_pdf,
    operation_id="agreements-pdf-alias",
    summary="Agreement Pdf Alias",
    description="The same PDF at a path without a file extension.",
    response_class=Response,
    responses=PDF_RESPONSES,
)


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
    agreement = repository.get_agreement(session=session, user=user, agreement_id=agreement_id)
    result = service.verify(agreement, repository.agreement_lines(session, agreement.id))
    return VerificationPublic.model_validate(result, from_attributes=True)


@router.post(
    "/agreements/render", operation_id="agreements-render", response_model=AgreementTextPublic
)
def render_agreement_text(
    body: AgreementRenderRequest,
    user: CurrentUser,
    branch: CurrentBranch,
    session: SessionDep,
    now: ClockDep,
) -> AgreementTextPublic:
    """The text a borrower signs for these terms, exactly as the phone renders it from the
    branch's template (the borrower's language, the officer's name, the signing day): a pushed
    agreement with any other text is refused (`agreement_text_mismatch`). An officer may
    render for the borrowers of their visits, a manager for the branch's."""
    rendered = signed_text.render_request(
        session=session, user=user, branch=branch, request=body, now=now
    )
    return AgreementTextPublic.model_validate(rendered, from_attributes=True)


@router.get(
    "/agreements/{agreement_id}", operation_id="agreements-get", response_model=AgreementPublic
)
def get_agreement(
    agreement_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> AgreementPublic:
    """The full record with its schedule. An officer may read the agreements of their visits."""
    return _agreement_record(session, user, agreement_id)


# --- decisions --------------------------------------------------------------------------


@router.post(
    "/agreements/{agreement_id}/approve",
    operation_id="agreements-approve",
    response_model=AgreementPublic,
)
def approve_agreement(
    agreement_id: uuid.UUID,
    request: ManagerRequestDep,
    body: Annotated[ApproveBody | None, Body()] = None,
) -> AgreementPublic:
    """pending_approval -> active; the agreement it replaces becomes superseded. The officer's
    phone gets the decision on its next pull."""
    service.approve_agreement(
        session=request.session,
        manager=request.manager,
        agreement_id=agreement_id,
        now=request.now,
        note=body.note if body else "",
    )
    return _agreement_record(request.session, request.manager, agreement_id)


def _reasoned_decision(event: service.ReasonedEvent) -> Callable[..., AgreementPublic]:
    """decline and cancel take the same body and answer the same record: one handler, made
    for each and registered below with its own path and operation id."""

    def decide(
        agreement_id: uuid.UUID, body: ReasonBody, request: ManagerRequestDep
    ) -> AgreementPublic:
        service.decide_agreement(
            session=request.session,
            manager=request.manager,
            agreement_id=agreement_id,
            event=event,
            reason=body.reason,
            now=request.now,
        )
        return _agreement_record(request.session, request.manager, agreement_id)

    return decide


_REASONED: tuple[tuple[service.ReasonedEvent, str, str], ...] = (
    (
        "decline",
        "Decline Agreement",
        "pending_approval -> declined, with the reason the officer's phone shows.",
    ),
    ("cancel", "Cancel Agreement", "signed, active or broken -> cancelled, with a reason."),
)
for _event, _summary, _description in _REASONED:
    router.add_api_route(
        f"/agreements/{{agreement_id}}/{_event}",
        _reasoned_decision(_event),
        methods=["POST"],
        operation_id=f"agreements-{_event}",
        summary=_summary,
        description=_description,
        response_model=AgreementPublic,
    )
