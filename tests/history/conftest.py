"""A borrower whose file has one row of every source, at known times."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from api.audit import record_manager_action
from models import (
    Agreement,
    AgreementLine,
    Borrower,
    BorrowerProposal,
    Branch,
    ChangeRequest,
    ContactLog,
    HardshipReason,
    Loan,
    Note,
    Payment,
    Promise,
    User,
    Visit,
    VisitOutcome,
)
from models.enums import (
    AgreementStatus,
    Contact,
    PromiseStatus,
    Role,
    ScheduleLineStatus,
    VisitStatus,
)
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


@dataclass
class File:
    branch: Branch
    manager: User
    alice: User
    bob: User
    borrower: Borrower
    loan: Loan
    visit: Visit
    skipped: Visit


def _agreement(alice: User, borrower: Borrower, loan: Loan, signed: datetime) -> Agreement:
    return Agreement(
        id=uuid.uuid4(),
        loan_id=loan.id,
        borrower_id=borrower.id,
        officer_id=alice.id,
        principal_fen=300_000,
        text="协议",
        text_sha256="0" * 64,
        borrower_signature="sig",
        officer_signature="sig",
        signed_at=signed,
        content_sha256="0" * 64,
        status=AgreementStatus.active,
    )


def fill(session: Session, f: File) -> None:
    """One row per source, an hour apart, oldest first (hours 1..10)."""
    b, alice = f.borrower, f.alice
    session.add(HardshipReason(code="hist_crop", label_zh="作物歉收", label_en="Crop failure"))
    session.add(
        VisitOutcome(
            id=uuid.uuid4(),
            visit_id=f.visit.id,
            officer_id=alice.id,
            contact=Contact.borrower,
            hardship_reasons=["hist_crop"],
            hardship_detail="旱灾",
            next_action="phone_follow_up",
            follow_up_on=date(2026, 11, 8),
            income_source="farming",
            business_condition="seasonal_low",
            willingness="hesitant",
            at=at(1),
        )
    )
    f.skipped.skip_reason, f.skipped.skipped_at = "absent", at(2)
    session.add(f.skipped)
    session.add(
        Note(id=uuid.uuid4(), borrower_id=b.id, author_id=alice.id, text="门口有狗", at=at(3))
    )
    for hour, channel, result in ((4, "call", "promised"), (5, "sms", "sent")):
        session.add(
            ContactLog(
                id=uuid.uuid4(),
                branch_id=b.branch_id,
                borrower_id=b.id,
                officer_id=alice.id,
                channel=channel,
                answered_by="borrower",
                result=result,
                at=at(hour),
            )
        )
    session.add(
        Promise(
            id=uuid.uuid4(),
            loan_id=f.loan.id,
            borrower_id=b.id,
            officer_id=alice.id,
            amount_fen=50_000,
            due_date=date(2026, 11, 10),
            status=PromiseStatus.broken,
            made_at=at(6),
        )
    )
    agreement = _agreement(alice, b, f.loan, at(7))
    session.add(agreement)
    session.flush()
    for seq, status in enumerate(
        (ScheduleLineStatus.paid, ScheduleLineStatus.missed, ScheduleLineStatus.due), start=1
    ):
        session.add(
            AgreementLine(
                agreement_id=agreement.id,
                seq=seq,
                due_date=date(2026, 11, seq * 7),
                amount_fen=100_000,
                status=status,
            )
        )
    # A payment's instant is midnight UTC of its day: 2026-11-02 00:00 is hour 22.
    session.add(
        Payment(
            loan_id=f.loan.id,
            reference=f"REF-{uuid.uuid4()}",
            paid_on=date(2026, 11, 2),
            amount_fen=100_000,
        )
    )
    session.add(
        ChangeRequest(
            id=uuid.uuid4(),
            visit_id=f.visit.id,
            borrower_id=b.id,
            branch_id=b.branch_id,
            officer_id=alice.id,
            kind="extension",
            reason="秋收后",
            status="approved",
            created_at=at(8),
            decided_by=f.manager.id,
            decided_at=at(9),
            decision_reason="同意",
        )
    )
    record_manager_action(
        session,
        f.manager,
        action="borrower.locate",
        entity="borrower",
        entity_id=b.id,
        now=at(9),
        data={"lat": 37.1, "lon": 116.1},
    )
    session.add(
        BorrowerProposal(
            branch_id=b.branch_id,
            borrower_id=b.id,
            kind="location",
            data={"lat": 37.2, "lon": 116.2, "distance_m": 900},
            source="check_in",
            proposed_by=alice.id,
            at=at(8),
            status="accepted",
            decided_by=f.manager.id,
            decided_at=at(10),
        )
    )
    session.flush()


@pytest.fixture
def file(session: Session) -> File:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    alice, bob = make_user(session, branch), make_user(session, branch)
    borrower = make_borrower(session, branch)
    loan = make_loan(session, borrower)
    visit = make_visit(session, borrower, [alice], loans=[loan], status=VisitStatus.done)
    skipped = make_visit(session, borrower, [alice], loans=[loan], position=2)
    skipped.status = VisitStatus.skipped
    f = File(branch, manager, alice, bob, borrower, loan, visit, skipped)
    fill(session, f)
    return f
