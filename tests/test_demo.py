from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.config import Settings
from api.demo import BRANCH_CODE, load_demo
from models import Borrower, Branch, Loan, User, Visit, VisitOfficer
from models.enums import Role, Segment
from tests.conftest import FIXED_NOW


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.exec(select(func.count()).select_from(table)).one()
        for table in (Branch, User, Borrower, Loan, Visit, VisitOfficer)
    )


def test_demo_branch_is_realistic_and_idempotent(session: Session, settings: Settings) -> None:
    first = load_demo(session=session, settings=settings, now=FIXED_NOW)
    assert first.created_branch and first.created_plan
    before = _counts(session)
    second = load_demo(session=session, settings=settings, now=FIXED_NOW)
    assert not second.created_branch and not second.created_plan
    assert _counts(session) == before

    branch = session.exec(select(Branch).where(Branch.code == BRANCH_CODE)).one()
    users = session.exec(select(User).where(User.branch_id == branch.id)).all()
    assert sorted(u.username for u in users if u.role == Role.officer) == [
        f"officer{i}" for i in range(1, 7)
    ]
    assert [u.username for u in users if u.role == Role.manager] == ["manager"]
    borrowers = session.exec(select(Borrower).where(Borrower.branch_id == branch.id)).all()
    assert len(borrowers) == 150
    assert {b.segment for b in borrowers} == set(Segment)
    assert all("*" in b.national_id_masked for b in borrowers)
    # Within ~40 km of the branch.
    assert all(abs(b.lat - branch.lat) < 0.36 and abs(b.lon - branch.lon) < 0.45 for b in borrowers)  # type: ignore[operator]
    dpds = [loan.dpd for loan in session.exec(select(Loan).where(Loan.branch_id == branch.id))]
    assert all(
        any(lo <= d <= hi for d in dpds) for lo, hi in [(1, 30), (31, 60), (61, 90), (91, 999)]
    )

    today = FIXED_NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()
    for officer in (u for u in users if u.role == Role.officer):
        visits = session.exec(
            select(Visit)
            .join(VisitOfficer, col(VisitOfficer.visit_id) == Visit.id)
            .where(VisitOfficer.user_id == officer.id, Visit.plan_date == today)
            .order_by(col(Visit.route_position))
        ).all()
        assert len(visits) >= 3
        assert [v.route_position for v in visits] == list(range(1, len(visits) + 1))


def test_demo_refuses_production(session: Session, settings: Settings) -> None:
    import pytest

    with pytest.raises(RuntimeError, match="production"):
        load_demo(
            session=session,
            settings=settings.model_copy(update={"env": "production"}),
            now=datetime(2026, 11, 23, tzinfo=UTC),
        )
