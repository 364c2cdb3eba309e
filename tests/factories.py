"""Rows for tests, written straight into the test session (flushed, never committed)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, time
from functools import lru_cache

from sqlmodel import Session

from api.privacy import hash_national_id, mask_national_id
from api.security import hash_password
from models import Borrower, Branch, Device, Loan, User, Visit, VisitOfficer
from models.enums import Role, Segment, VisitStatus

PASSWORD = "secret-pass"
_counter = itertools.count(1)


@lru_cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def make_branch(session: Session, *, code: str | None = None, **fields: object) -> Branch:
    n = next(_counter)
    branch = Branch(
        code=code or f"BR{n}",
        name=f"测试支行{n}",
        lat=37.3357,
        lon=116.5766,
        **fields,  # type: ignore[arg-type]
    )
    session.add(branch)
    session.flush()
    return branch


def make_user(
    session: Session, branch: Branch, *, role: Role = Role.officer, username: str | None = None
) -> User:
    n = next(_counter)
    user = User(
        branch_id=branch.id,
        username=username or f"{role}{n}",
        full_name=f"用户{n}",
        role=role,
        password_hash=password_hash(),
    )
    session.add(user)
    session.flush()
    return user


def make_borrower(session: Session, branch: Branch, **fields: object) -> Borrower:
    n = next(_counter)
    nid = f"37142819900101{n:04d}"
    values: dict[str, object] = {
        "name": f"借款人{n}",
        "national_id_masked": mask_national_id(nid),
        "national_id_hash": hash_national_id(nid, key="k"),
        "phone": "13800000000",
        "address": f"陵城区某村{n}号",
        "village": "某村",
        "lat": 37.34 + n * 0.001,
        "lon": 116.58 + n * 0.001,
        "segment": Segment.farmer,
    }
    values.update(fields)
    borrower = Borrower(branch_id=branch.id, **values)  # type: ignore[arg-type]
    session.add(borrower)
    session.flush()
    return borrower


def make_loan(session: Session, borrower: Borrower, **fields: object) -> Loan:
    n = next(_counter)
    values: dict[str, object] = {
        "account_number": f"ACC{n:08d}",
        "product": "农户小额信用贷款",
        "principal_fen": 10_000_000,
        "outstanding_fen": 8_000_000,
        "overdue_fen": 1_200_000,
        "dpd": 45,
    }
    values.update(fields)
    loan = Loan(branch_id=borrower.branch_id, borrower_id=borrower.id, **values)  # type: ignore[arg-type]
    session.add(loan)
    session.flush()
    return loan


def make_visit(
    session: Session,
    borrower: Borrower,
    officers: list[User],
    *,
    plan_date: date = date(2026, 11, 23),
    loans: list[Loan] | None = None,
    status: VisitStatus = VisitStatus.planned,
    position: int = 1,
) -> Visit:
    visit = Visit(
        branch_id=borrower.branch_id,
        borrower_id=borrower.id,
        officer_id=officers[0].id,
        loan_ids=[str(loan.id) for loan in loans or []],
        plan_date=plan_date,
        route_position=position,
        window_start=datetime.combine(plan_date, time(0, 0), tzinfo=UTC),
        window_end=datetime.combine(plan_date, time(13, 0), tzinfo=UTC),
        status=status,
    )
    session.add(visit)
    session.flush()
    for i, officer in enumerate(officers):
        session.add(VisitOfficer(visit_id=visit.id, user_id=officer.id, is_lead=i == 0))
    session.flush()
    return visit


def make_device(session: Session, user: User) -> Device:
    device = Device(id=uuid.uuid4(), user_id=user.id, name="测试手机", platform="Android")
    session.add(device)
    session.flush()
    return device
