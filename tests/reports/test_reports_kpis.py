from datetime import date

import pytest

from api.planning.priority import dpd_bucket
from api.reports.kpis import PromiseFact, VisitFact, compute

DAY = date(2026, 11, 2)


def visit(
    officers=("a",),
    *,
    completed=True,
    met=True,
    promised=False,
    bucket="M2",
    segment="farmer",
    overdue=100_000,
    recovered=0,
    loans=1,
    cured=0,
    distance=10_000,
):
    return VisitFact(
        "v",
        tuple(officers),
        DAY,
        completed,
        met,
        promised,
        bucket,
        segment,
        overdue,
        recovered,
        loans,
        cured,
        distance,
    )


def test_definitions_from_domain() -> None:
    visits = [
        visit(met=True, promised=True, recovered=50_000, cured=1),
        visit(met=True, promised=False),
        visit(met=False, promised=True),  # a promise without meeting the borrower does not count
        visit(completed=False),
    ]
    promises = [
        PromiseFact("a", "M2", "farmer", DAY, kept=True),
        PromiseFact("a", "M2", "farmer", DAY, kept=False),
    ]
    (row,) = compute(visits, promises, cost_per_km_fen=150)
    assert row.visits_planned == 4 and row.visits_completed == 3
    assert row.contact_rate == pytest.approx(2 / 3)
    assert row.ptp_rate == pytest.approx(1 / 2)
    assert row.ptp_kept_rate == pytest.approx(1 / 2)
    assert row.recovery_rate == pytest.approx(50_000 / 300_000)
    assert row.cure_rate == pytest.approx(1 / 3)
    assert row.km_per_visit == pytest.approx(10.0)
    assert row.travel_cost_fen == 30 * 150
    assert row.cost_per_100_recovered_fen == round(4500 * 10_000 / 50_000)


def test_empty_denominators_are_none_not_zero() -> None:
    (row,) = compute([visit(completed=False)], [])
    assert row.contact_rate is None and row.ptp_rate is None and row.ptp_kept_rate is None
    assert row.recovery_rate is None and row.km_per_visit is None
    assert row.cost_per_100_recovered_fen is None


def test_grouping_credits_every_team_member() -> None:
    rows = compute([visit(("a", "b")), visit(("b",), met=False)], [], group_by="officer")
    assert {r.group: (r.visits_completed, r.met) for r in rows} == {"a": (1, 1), "b": (2, 1)}
    by_bucket = compute([visit(bucket="M1"), visit(bucket="M3+")], [], group_by="bucket")
    assert [r.group for r in by_bucket] == ["M1", "M3+"]
    with pytest.raises(ValueError, match="group_by"):
        compute([], [], group_by="recovered")


@pytest.mark.parametrize(
    ("dpd", "bucket"), [(0, "M0"), (1, "M1"), (30, "M1"), (31, "M2"), (61, "M3"), (91, "M3+")]
)
def test_buckets(dpd: int, bucket: str) -> None:
    assert dpd_bucket(dpd) == bucket
