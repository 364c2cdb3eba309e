"""The text a borrower signs is the template filled with the terms (issue 13, item 8).

The server renders it with the same rules as the phone (`api/agreements/text.py`) for the
loan's borrower, the branch and the officer: `POST /agreements/render` shows it, and a pushed
agreement whose text is anything else is refused (`agreement_text_mismatch`)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists
from sqlmodel import Session, col, select

from api.agreements.mutations import AgreementArgs
from api.agreements.schemas import AgreementRenderRequest
from api.agreements.text import TEMPLATE_VERSION, TextValues, agreement_lang, render_text
from api.errors import NotFound
from api.writes.context import Context
from api.writes.rules import Rejected
from models import Borrower, Branch, Loan, User, Visit, VisitOfficer
from models.enums import Role


@dataclass(frozen=True)
class Rendered:
    text: str
    text_sha256: str
    template_version: int


def render_for(
    *,
    borrower: Borrower,
    loan: Loan,
    branch: Branch,
    officer: User,
    principal_fen: int,
    down_payment_fen: int,
    lines: Sequence[tuple[date, int]],
    signed_on: date,
) -> Rendered:
    """The text for these terms, in the borrower's language."""
    values = TextValues(
        borrower_name=borrower.name,
        national_id_masked=borrower.national_id_masked,
        loan_account=loan.account_number,
        branch_name=branch.name,
        officer_name=officer.full_name,
        principal_fen=principal_fen,
        down_payment_fen=down_payment_fen,
        lines=lines,
        signed_on=signed_on,
    )
    text = render_text(values, agreement_lang(borrower.language))
    return Rendered(text, hashlib.sha256(text.encode()).hexdigest(), TEMPLATE_VERSION)


def check_signed_text(ctx: Context, args: AgreementArgs, loan: Loan) -> None:
    """Refused unless the text is the template filled with these terms, for the signing day
    in the branch's zone (or the day before: drafted before midnight, signed after)."""
    borrower = ctx.session.get(Borrower, loan.borrower_id)
    if borrower is None:  # pragma: no cover - the loan's foreign key
        raise Rejected(f"Loan {loan.id} has no borrower.", "loan_mismatch")
    terms = args.terms
    signed_on = args.signed_at.astimezone(ctx.tz).date()
    days = [signed_on] if signed_on == date.min else [signed_on, signed_on - timedelta(days=1)]
    for day in days:
        rendered = render_for(
            borrower=borrower,
            loan=loan,
            branch=ctx.branch,
            officer=ctx.user,
            principal_fen=terms.principal_fen,
            down_payment_fen=terms.down_payment_fen,
            lines=[(line.due_date, line.amount_fen) for line in terms.schedule],
            signed_on=day,
        )
        if rendered.text == args.text:
            return
    raise Rejected(
        f"The agreement text is not the text of template version {TEMPLATE_VERSION} filled "
        "with these terms, this borrower and this officer. Let the app render it again "
        "(POST /api/v1/agreements/render shows the expected text) and sign that.",
        "agreement_text_mismatch",
    )


def signing_officer(session: Session, user: User, officer_id: uuid.UUID | None) -> User:
    """Whose name the text carries: the caller, or for a manager an officer of the branch."""
    if officer_id is None or officer_id == user.id:
        return user
    officer = session.get(User, officer_id)
    if user.role == Role.officer or officer is None or officer.branch_id != user.branch_id:
        raise NotFound("No such officer in your branch (an officer renders with their own name).")
    return officer


def readable_loan(session: Session, user: User, loan_id: uuid.UUID) -> tuple[Loan, Borrower]:
    """The loan and its borrower: a manager's of their branch, an officer's when they are on
    the team of a visit to the borrower; otherwise 404."""
    loan = session.get(Loan, loan_id)
    borrower = session.get(Borrower, loan.borrower_id) if loan is not None else None
    if loan is None or borrower is None or borrower.branch_id != user.branch_id:
        raise NotFound("No such loan.")
    if user.role == Role.officer:
        on_team = exists().where(
            col(VisitOfficer.visit_id) == col(Visit.id),
            col(VisitOfficer.user_id) == user.id,
        )
        visit = session.exec(
            select(Visit.id).where(col(Visit.borrower_id) == borrower.id, on_team)
        ).first()
        if visit is None:
            raise NotFound("No such loan among your visits.")
    return loan, borrower


def render_request(
    *, session: Session, user: User, branch: Branch, request: AgreementRenderRequest, now: datetime
) -> Rendered:
    """`POST /agreements/render`: the text the phone shows for these terms."""
    loan, borrower = readable_loan(session, user, request.loan_id)
    terms = request.terms
    return render_for(
        borrower=borrower,
        loan=loan,
        branch=branch,
        officer=signing_officer(session, user, request.officer_id),
        principal_fen=terms.principal_fen,
        down_payment_fen=terms.down_payment_fen,
        lines=[(line.due_date, line.amount_fen) for line in terms.schedule],
        signed_on=request.signed_on or now.astimezone(ZoneInfo(branch.timezone)).date(),
    )
