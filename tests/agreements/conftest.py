"""A branch with a manager, two officers and visits today; phones; long-lived tokens."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.config import Settings
from api.deps import settings_dependency
from models import Borrower, Branch, Loan, User, Visit
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


def sign_args(
    *,
    visit: Visit,
    loan: Loan,
    principal_fen: int,
    down_payment_fen: int,
    schedule: list[tuple[str, int]],
    text: str = "分期还款协议：借款人同意按计划还款。",
    signed_at: str = "2026-11-23T03:00:00Z",
    supersedes_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The args of an `agreement.sign` mutation as the phone builds them."""
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
