from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from models import Borrower, Branch, Loan, User, Visit
from models.enums import Role
from tests.conftest import Clock
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit
from tests.phone import Phone


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
    """Alice has visits 0-2 (visit 2 with Bob as co-visitor); Bob has visits 2-3."""
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    alice, bob = make_user(session, branch), make_user(session, branch)
    borrowers = [make_borrower(session, branch) for _ in range(4)]
    loans = [make_loan(session, b) for b in borrowers]
    teams = [[alice], [alice], [alice, bob], [bob]]
    visits = [
        make_visit(session, b, team, loans=[loan], position=i + 1)
        for i, (b, loan, team) in enumerate(zip(borrowers, loans, teams, strict=True))
    ]
    return World(branch, manager, alice, bob, borrowers, loans, visits)


@pytest.fixture
def phone_for(client: TestClient, clock: Clock):
    def _phone(user: User) -> Phone:
        return Phone(client, user.username, now=clock).sign_in()

    return _phone
