"""A small branch for planning tests: a manager, officers and borrowers around the branch."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from api.compliance.policy import PolicyData
from models import Borrower, Branch, CompliancePolicy, Loan, Promise, User, Visit, VisitOutcome
from models.enums import Contact, LoanStatus, PromiseStatus, Role, VisitStatus
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit

BRANCH_AT = (37.3357, 116.5766)
TOMORROW = date(2026, 11, 24)  # the tests' "now" is Monday 2026-11-23 10:00 in Shanghai


@dataclass
class World:
    session: Session
    branch: Branch
    manager: User
    officers: list[User]
    rng: random.Random = field(default_factory=lambda: random.Random(42))
    headers: dict[str, str] = field(default_factory=dict)  # the manager's, once signed in

    def borrower(
        self,
        *,
        dpd: int = 45,
        overdue_fen: int = 1_200_000,
        loans: int = 1,
        status: LoanStatus = LoanStatus.active,
        near: float = 0.06,
        **fields: Any,
    ) -> tuple[Borrower, list[Loan]]:
        values: dict[str, Any] = {
            "lat": BRANCH_AT[0] + self.rng.uniform(-near, near),
            "lon": BRANCH_AT[1] + self.rng.uniform(-near, near),
        }
        values.update(fields)
        borrower = make_borrower(self.session, self.branch, **values)
        made = [
            make_loan(self.session, borrower, dpd=dpd, overdue_fen=overdue_fen, status=status)
            for _ in range(loans)
        ]
        return borrower, made

    def visit(
        self,
        borrower: Borrower,
        *,
        officers: list[User] | None = None,
        plan_date: date = date(2026, 11, 20),
        status: VisitStatus = VisitStatus.done,
    ) -> Visit:
        return make_visit(
            self.session,
            borrower,
            officers or [self.officers[0]],
            plan_date=plan_date,
            status=status,
        )

    def met(self, borrower: Borrower, at: datetime) -> None:
        visit = self.visit(borrower, plan_date=at.date())
        self.session.add(
            VisitOutcome(
                id=uuid.uuid4(),
                visit_id=visit.id,
                officer_id=self.officers[0].id,
                contact=Contact.borrower,
                at=at,
            )
        )
        self.session.flush()

    def promise(self, borrower: Borrower, loan: Loan, due: date, status: PromiseStatus) -> Promise:
        promise = Promise(
            id=uuid.uuid4(),
            loan_id=loan.id,
            borrower_id=borrower.id,
            officer_id=self.officers[0].id,
            amount_fen=200_000,
            due_date=due,
            status=status,
            made_at=datetime(2026, 10, 1, tzinfo=UTC),
        )
        self.session.add(promise)
        self.session.flush()
        return promise


def make_world(
    session: Session,
    officers: int = 4,
    *,
    policy: dict[str, Any] | None = None,
    workday: dict[str, Any] | None = None,
    **branch_fields: Any,
) -> World:
    """A branch whose stored policy (version 1) allows one-person routes unless `policy`
    says otherwise: most planning tests are about routes, not staffing. Its working day is
    the whole lawful day without breaks unless `workday` says otherwise (tests of shifts and
    breaks give one)."""
    branch = make_branch(session, **branch_fields)
    whole_day = {"start": "00:00", "end": "24:00", "breaks": [], "max_work_minutes": 960}
    branch.settings = {**branch.settings, "workday": workday or whole_day}
    data = PolicyData.model_validate({"min_staff": 1, **(policy or {})})
    session.add(
        CompliancePolicy(
            branch_id=branch.id,
            version=1,
            data=data.model_dump(mode="json"),
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
    )
    manager = make_user(session, branch, role=Role.manager)
    staff = [make_user(session, branch) for _ in range(officers)]
    return World(session=session, branch=branch, manager=manager, officers=staff)
