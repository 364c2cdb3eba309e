from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.config import Settings
from api.demo import BRANCH_CODE, UNLOCATED_COUNT, UNLOCATED_NOTE, load_demo
from api.planning.schemas import PlanSummary
from models import (
    Borrower,
    BorrowerProposal,
    Branch,
    Loan,
    Promise,
    SafetyAlert,
    User,
    Visit,
    VisitOfficer,
    VisitPlan,
)
from models.enums import PlanStatus, PromiseStatus, Role, Segment, VisitStatus
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
    everyone = session.exec(select(Borrower).where(Borrower.branch_id == branch.id)).all()
    borrowers = [b for b in everyone if b.lat is not None]
    assert len(borrowers) == 150 and len(everyone) == 150 + UNLOCATED_COUNT
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


def test_demo_has_the_hard_cases(session: Session, settings: Settings) -> None:
    """Address-only borrowers (reported, one assigned by hand to find), provenance on every
    location, broken promises, a late check-out with its alert, an open "moved?" proposal."""
    branch = load_demo(session=session, settings=settings, now=FIXED_NOW).branch
    borrowers = session.exec(select(Borrower).where(Borrower.branch_id == branch.id)).all()
    unlocated = {b.id for b in borrowers if b.lat is None}
    assert len(unlocated) == UNLOCATED_COUNT
    for b in borrowers:
        if b.id in unlocated:
            assert b.lon is None and b.location_source is None and b.location_precision is None
            assert b.location_note == UNLOCATED_NOTE
        else:
            assert (b.location_source, b.location_precision) in (
                ("import", "exact"),
                ("geocoder", "village"),
            )
            assert b.located_at is not None and b.location_note == ""
    assert 5 <= sum(b.location_source == "geocoder" for b in borrowers) <= 20

    plan = session.exec(select(VisitPlan).where(VisitPlan.branch_id == branch.id)).one()
    assert plan.status == PlanStatus.published
    summary = PlanSummary.model_validate(plan.summary)
    reported = {u.borrower_id for u in summary.unassigned if u.reason == "no_location"}
    assert len(reported) == UNLOCATED_COUNT - 1 and reported <= unlocated
    visits = session.exec(select(Visit).where(Visit.plan_id == plan.id)).all()
    (to_find,) = [v for v in visits if v.borrower_id in unlocated]
    route = [v for v in visits if v.officer_id == to_find.officer_id]
    assert to_find.route_position == max(v.route_position or 0 for v in route)
    assert to_find.planned_arrival is None and to_find.leg_distance_m is None
    assert [r["code"] for r in to_find.reasons] == ["find_address"]
    assert {"text", "text_zh"} <= set(to_find.reasons[0])

    broken = session.exec(select(Promise).where(Promise.status == PromiseStatus.broken)).all()
    assert len(broken) >= 3
    (late,) = [v for v in visits if v.status == VisitStatus.checked_in]
    assert late.checked_out_at is None
    (alert,) = session.exec(select(SafetyAlert).where(SafetyAlert.kind == "overdue_checkout")).all()
    assert alert.visit_id == late.id and alert.acknowledged_at is None
    (moved,) = session.exec(select(BorrowerProposal)).all()
    assert (moved.kind, moved.source, moved.status) == ("location", "check_in", "open")
    assert moved.data["distance_m"] == 900 and moved.borrower_id not in unlocated
    assert moved.visit_id is not None


def test_demo_refuses_production(session: Session, settings: Settings) -> None:
    import pytest

    with pytest.raises(RuntimeError, match="production"):
        load_demo(
            session=session,
            settings=settings.model_copy(update={"env": "production"}),
            now=datetime(2026, 11, 23, tzinfo=UTC),
        )
