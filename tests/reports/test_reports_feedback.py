"""Follow-up calls feed the officer scorecard: count, courteous/lawful/explained rates,
mean satisfaction, per officer and overall."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.reports.kpis import FeedbackFact, VisitFact, compute
from models import FeedbackCall, User, Visit
from models.enums import Role, VisitStatus
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_borrower, make_branch, make_user, make_visit

DAY = date(2026, 11, 2)


def _fact(officer: str, *, ok: bool, satisfied: int) -> FeedbackFact:
    return FeedbackFact(officer, DAY, ok, ok, not ok, satisfied)


def test_feedback_rates_per_officer_and_overall() -> None:
    visits = [VisitFact("v", ("a",), DAY, True, True, False, "M1", "s", 0, 0, 1, 0, 0)]
    feedback = [_fact("a", ok=True, satisfied=5), _fact("a", ok=False, satisfied=2)]
    feedback.append(_fact("b", ok=True, satisfied=4))
    rows = {r.group: r for r in compute(visits, [], group_by="officer", feedback=feedback)}
    a, b = rows["a"], rows["b"]
    assert (a.feedback_calls, a.courteous_rate, a.lawful_rate) == (2, 0.5, 0.5)
    assert a.explained_rate == 0.5 and a.mean_satisfaction == 3.5
    assert (b.feedback_calls, b.mean_satisfaction, b.visits_planned) == (1, 4.0, 0)
    (overall,) = compute(visits, [], feedback=iter(feedback))
    assert overall.feedback_calls == 3 and overall.mean_satisfaction == 11 / 3
    by_bucket = compute(visits, [], group_by="bucket", feedback=feedback)
    assert [r.feedback_calls for r in by_bucket] == [0]
    assert by_bucket[0].courteous_rate is None and by_bucket[0].mean_satisfaction is None


def _call(session: Session, visit: Visit, officer: User, *, status: str, satisfied: int) -> None:
    session.add(
        FeedbackCall(
            branch_id=visit.branch_id,
            visit_id=visit.id,
            borrower_id=visit.borrower_id,
            officer_id=officer.id,
            sampled_at=FIXED_NOW,
            status=status,
            courteous=status == "done",
            lawful=status == "done",
            explained=False if status == "done" else None,
            satisfied=satisfied if status == "done" else None,
        )
    )


def test_the_kpi_report_shows_each_officers_feedback(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    a = make_user(session, branch)
    v1, v2 = (
        make_visit(
            session, make_borrower(session, branch), [a], plan_date=DAY, status=VisitStatus.done
        )
        for _ in range(2)
    )
    _call(session, v1, a, status="done", satisfied=4)
    _call(session, v2, a, status="unreachable", satisfied=0)
    session.flush()
    params = {"from": "2026-11-01", "to": "2026-11-30", "group_by": "officer"}
    r = client.get("/api/v1/reports/kpis", params=params, headers=auth_headers(manager.username))
    assert r.status_code == 200, r.text
    (row,) = r.json()["rows"]
    assert row["feedback_calls"] == 1 and row["courteous_rate"] == 1.0
    assert row["explained_rate"] == 0.0 and row["mean_satisfaction"] == 4.0
