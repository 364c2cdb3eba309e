"""A branch with a manager, two officers and visits today; phones; long-lived tokens."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from api.agreements.signed_text import render_for
from api.config import Settings
from api.deps import settings_dependency
from models import Borrower, Branch, Loan, User, Visit, VisitOfficer
from models.enums import Role
from tests.conftest import Clock
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit
from tests.phone import PNG_1PX, Phone


@pytest.fixture
def app(app: FastAPI, settings: Settings) -> FastAPI:
    # Tracking tests move the clock by weeks: tokens signed in before must still be valid
    # (a token issued "in the future" is refused, so nobody signs in after the clock moved).
    lasting = settings.model_copy(update={"access_token_minutes": 60 * 24 * 365})
    app.dependency_overrides[settings_dependency] = lambda: lasting
    return app


@dataclass
class World:
    branch: Branch
    manager: User
    alice: User
    bob: User
    borrowers: list[Borrower]
    loans: list[Loan]
    visits: list[Visit]


@pytest.fixture
def world(session: Session) -> World:
    """Alice visits borrowers 0 and 1 today, Bob borrower 2."""
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    alice, bob = make_user(session, branch), make_user(session, branch)
    borrowers = [make_borrower(session, branch) for _ in range(3)]
    loans = [make_loan(session, b) for b in borrowers]
    teams = [[alice], [alice], [bob]]
    visits = [
        make_visit(session, b, team, loans=[loan], position=i + 1)
        for i, (b, loan, team) in enumerate(zip(borrowers, loans, teams, strict=True))
    ]
    return World(branch, manager, alice, bob, borrowers, loans, visits)


PhoneFor = Callable[[User], Phone]


@pytest.fixture
def phone_for(client: TestClient, clock: Clock) -> PhoneFor:
    def _phone(user: User) -> Phone:
        return Phone(client, user.username, now=clock).sign_in()

    return _phone


def canonical_text(
    visit: Visit,
    loan: Loan,
    principal_fen: int,
    down_payment_fen: int,
    schedule: list[tuple[str, int]],
    signed_at: str,
    officer: User | None = None,
) -> str:
    """The text the phone renders for these terms (read through the objects' session)."""
    session = object_session(loan)
    assert isinstance(session, Session)
    if officer is None:
        first = session.exec(
            select(VisitOfficer.user_id).where(VisitOfficer.visit_id == visit.id)
        ).first()
        officer = session.get(User, first)
    borrower = session.get(Borrower, loan.borrower_id)
    assert officer is not None and borrower is not None
    branch = session.get(Branch, officer.branch_id)
    assert branch is not None
    at = datetime.fromisoformat(signed_at.replace("Z", "+00:00"))
    return render_for(
        borrower=borrower,
        loan=loan,
        branch=branch,
        officer=officer,
        principal_fen=principal_fen,
        down_payment_fen=down_payment_fen,
        lines=[(date.fromisoformat(d), a) for d, a in schedule],
        signed_on=at.astimezone(ZoneInfo(branch.timezone)).date(),
    ).text


def sign_args(
    *,
    visit: Visit,
    loan: Loan,
    principal_fen: int,
    down_payment_fen: int,
    schedule: list[tuple[str, int]],
    text: str | None = None,
    signed_at: str = "2026-11-23T03:00:00Z",
    supersedes_id: uuid.UUID | None = None,
    officer: User | None = None,
) -> dict[str, Any]:
    """The args of an `agreement.sign` mutation as the phone builds them; the text is the
    one the phone renders (the branch's template filled with the terms) unless given.
    `officer` signs (default: the visit's first officer)."""
    if text is None:
        text = canonical_text(
            visit, loan, principal_fen, down_payment_fen, schedule, signed_at, officer
        )
    args: dict[str, Any] = {
        "agreement_id": str(uuid.uuid4()),
        "visit_id": str(visit.id),
        "loan_id": str(loan.id),
        "terms": {
            "principal_fen": principal_fen,
            "down_payment_fen": down_payment_fen,
            "schedule": [{"due_date": d, "amount_fen": a} for d, a in schedule],
        },
        "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "borrower_signature": PNG_1PX,
        "officer_signature": PNG_1PX,
        "signed_at": signed_at,
        "location": {"lat": 37.3412345, "lon": 116.5812345, "accuracy_m": 12},
    }
    if supersedes_id is not None:
        args["supersedes_id"] = str(supersedes_id)
    return args
