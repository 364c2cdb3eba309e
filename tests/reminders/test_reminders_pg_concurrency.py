"""PostgreSQL: two people mark the same reminder sent at the same moment; one SMS contact
is stored, both get an answer (no 500)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from api.db import make_engine
from api.reminders import service
from api.reminders.schemas import ReminderSent
from models import Agreement, AgreementLine, Branch, ContactLog, User
from models.enums import AgreementStatus, Role
from tests.conftest import FIXED_NOW
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit


@pytest.fixture
def pg(database_url: str, engine: Engine) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    real = make_engine(database_url)
    yield real
    real.dispose()


def _cleanup(engine: Engine, branch_id: uuid.UUID) -> None:
    statements = [
        "DELETE FROM contact_log WHERE branch_id = :b",
        "DELETE FROM audit_event WHERE branch_id = :b",
        "DELETE FROM agreement_line WHERE agreement_id IN (SELECT a.id FROM agreement a "
        "JOIN loan l ON l.id = a.loan_id WHERE l.branch_id = :b)",
        "DELETE FROM agreement WHERE loan_id IN (SELECT id FROM loan WHERE branch_id = :b)",
        "DELETE FROM visit_officer WHERE visit_id IN (SELECT id FROM visit WHERE branch_id = :b)",
        "DELETE FROM visit WHERE branch_id = :b",
        "DELETE FROM loan WHERE branch_id = :b",
        "DELETE FROM borrower WHERE branch_id = :b",
        "DELETE FROM app_user WHERE branch_id = :b",
        "DELETE FROM branch WHERE id = :b",
    ]
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql), {"b": branch_id})


def _mark(engine: Engine, user_id: uuid.UUID, branch_id: uuid.UUID, line_id: int) -> ReminderSent:
    with Session(engine) as session:
        user, branch = session.get(User, user_id), session.get(Branch, branch_id)
        assert user is not None and branch is not None
        sent = service.mark_sent(
            session=session, user=user, branch=branch, line_id=line_id, now=FIXED_NOW
        )
        session.commit()
    return sent


def test_marking_sent_twice_at_once_stores_one_contact(pg: Engine) -> None:
    with Session(pg, expire_on_commit=False) as setup:
        branch = make_branch(setup)
        manager = make_user(setup, branch, role=Role.manager)
        officer = make_user(setup, branch)
        borrower = make_borrower(setup, branch)
        loan = make_loan(setup, borrower)
        visit = make_visit(setup, borrower, [officer], loans=[loan])
        agreement = Agreement(
            id=uuid.uuid4(),
            visit_id=visit.id,
            loan_id=loan.id,
            borrower_id=borrower.id,
            officer_id=officer.id,
            principal_fen=100,
            text="t",
            text_sha256="0" * 64,
            borrower_signature="",
            officer_signature="",
            signed_at=FIXED_NOW - timedelta(days=1),
            content_sha256="0" * 64,
            status=AgreementStatus.active,
        )
        setup.add(agreement)
        setup.flush()
        line = AgreementLine(
            agreement_id=agreement.id, seq=1, due_date=visit.plan_date, amount_fen=100
        )
        setup.add(line)
        setup.commit()
        line_id = line.id or 0
    try:
        # The first marker holds its insert uncommitted while the second one tries.
        first = Session(pg)
        user, home = first.get(User, officer.id), first.get(Branch, branch.id)
        assert user is not None and home is not None
        answer = service.mark_sent(
            session=first, user=user, branch=home, line_id=line_id, now=FIXED_NOW
        )
        results: list[ReminderSent] = []
        second = threading.Thread(
            target=lambda: results.append(_mark(pg, manager.id, branch.id, line_id))
        )
        second.start()
        first.commit()
        first.close()
        second.join()
        assert answer.already_sent is False
        (other,) = results
        assert other.already_sent is True and other.contact_id == answer.contact_id
        with Session(pg) as check:
            stored = check.exec(
                select(ContactLog).where(ContactLog.agreement_line_id == line_id)
            ).all()
            assert len(stored) == 1
    finally:
        _cleanup(pg, branch.id)
