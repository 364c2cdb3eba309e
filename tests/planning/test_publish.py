"""Publishing and discarding plans: a draft can be deleted, a published plan cannot; a
second published plan for a day replaces the first and cancels its visits not started."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models import AuditEvent, PlanTeam, Visit, VisitOfficer, VisitPlan
from models.enums import PlanStatus, Role, VisitStatus
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_user
from tests.planning.world import TOMORROW, World, make_world

FAST = {"max_iterations": 200, "time_limit_s": 20}


@pytest.fixture
def world(session: Session, auth_headers: TokenFor) -> World:
    w = make_world(session)
    w.headers = auth_headers(w.manager.username)
    return w


def make_plan(client: TestClient, w: World, officers: list[int], n: int = 3) -> dict[str, Any]:
    """A draft for TOMORROW: `n` new borrowers shared among the officers numbered."""
    borrowers = [w.borrower()[0] for _ in range(n)]
    body = {
        "plan_date": TOMORROW.isoformat(),
        "borrower_ids": [str(b.id) for b in borrowers],
        "officer_ids": [str(w.officers[k].id) for k in officers],
        **FAST,
    }
    response = client.post("/api/v1/plans", json=body, headers=w.headers)
    assert response.status_code == 201, response.text
    plan: dict[str, Any] = response.json()
    return plan


def publish(client: TestClient, w: World, plan: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/plans/{plan['id']}/publish", headers=w.headers)


def _actions(session: Session, entity_id: str) -> list[str]:
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_id == entity_id)).all()
    return sorted(e.action for e in events)


def test_delete_discards_a_draft_with_its_visits_and_teams(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    plan = make_plan(client, w, [0, 1], n=4)
    plan_id = UUID(plan["id"])
    visit_ids = [UUID(v["id"]) for v in plan["visits"]]
    response = client.delete(f"/api/v1/plans/{plan['id']}", headers=w.headers)
    assert response.status_code == 204, response.text
    session.expire_all()
    assert session.get(VisitPlan, plan_id) is None
    assert session.exec(select(Visit).where(col(Visit.id).in_(visit_ids))).all() == []
    assert (
        session.exec(select(VisitOfficer).where(col(VisitOfficer.visit_id).in_(visit_ids))).all()
        == []
    )
    assert session.exec(select(PlanTeam).where(PlanTeam.plan_id == plan_id)).all() == []
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.delete")).all()
    assert event.entity_id == plan["id"] and len(event.data["visits"]) == 4
    assert client.get(f"/api/v1/plans/{plan['id']}", headers=w.headers).status_code == 404
    # The officers are free that day again: a new plan can use them.
    assert make_plan(client, w, [0, 1], n=2)["status"] == "draft"


def test_a_published_plan_cannot_be_deleted(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    plan = make_plan(client, w, [0])
    assert publish(client, w, plan).status_code == 200
    response = client.delete(f"/api/v1/plans/{plan['id']}", headers=w.headers)
    assert response.status_code == 409
    assert "Only a draft can be deleted" in response.json()["detail"]
    stored = session.get(VisitPlan, UUID(plan["id"]))
    assert stored is not None and stored.status == PlanStatus.published


def test_a_draft_with_a_started_visit_is_not_deleted(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    plan = make_plan(client, w, [0])
    visit = session.get(Visit, UUID(plan["visits"][0]["id"]))
    assert visit is not None
    visit.status = VisitStatus.checked_in
    session.flush()
    response = client.delete(f"/api/v1/plans/{plan['id']}", headers=w.headers)
    assert response.status_code == 409 and "already started" in response.json()["detail"]
    assert session.get(VisitPlan, UUID(plan["id"])) is not None


@pytest.mark.parametrize("role", [Role.manager, Role.officer])
def test_delete_of_another_branch_or_by_an_officer_is_refused(
    client: TestClient, session: Session, auth_headers: TokenFor, role: Role
) -> None:
    other = make_branch(session)
    manager_b = make_user(session, other, role=Role.manager)
    make_borrower(session, other)
    plan_b = VisitPlan(branch_id=other.id, plan_date=date(2026, 11, 24), created_by=manager_b.id)
    session.add(plan_b)
    session.flush()
    me = make_user(session, make_branch(session), role=role)
    response = client.delete(f"/api/v1/plans/{plan_b.id}", headers=auth_headers(me.username))
    assert response.status_code == (404 if role == Role.manager else 403)
    assert session.get(VisitPlan, plan_b.id) is not None


def test_publishing_over_a_published_day_replaces_it(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    first = make_plan(client, w, [0], n=3)
    assert publish(client, w, first).json()["replaced"] == []
    started = session.get(Visit, UUID(first["visits"][0]["id"]))
    assert started is not None
    started.status = VisitStatus.checked_in  # the field began it: it stays
    session.flush()
    second = make_plan(client, w, [1, 2], n=4)
    response = publish(client, w, second)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "published"
    (replaced,) = body["replaced"]
    assert replaced["plan_id"] == first["id"]
    assert replaced["kept_visit_ids"] == [str(started.id)]
    others = {v["id"] for v in first["visits"]} - {str(started.id)}
    assert set(replaced["cancelled_visit_ids"]) == others
    session.expire_all()
    old = session.get(VisitPlan, UUID(first["id"]))
    assert old is not None and old.status == PlanStatus.replaced
    statuses = {
        str(v.id): v.status
        for v in session.exec(select(Visit).where(Visit.plan_id == UUID(first["id"])))
    }
    assert statuses == {
        **dict.fromkeys(others, VisitStatus.cancelled),
        str(started.id): VisitStatus.checked_in,
    }
    assert _actions(session, first["id"]) == ["plan.create", "plan.publish", "plan.replace"]
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.replace")).all()
    assert event.data["by"] == second["id"] and sorted(event.data["cancelled"]) == sorted(others)
    # Publishing again changes nothing; the replaced plan can neither come back nor be deleted.
    assert publish(client, w, second).json()["replaced"] == []
    again = publish(client, w, first)
    assert again.status_code == 409 and "replaced" in again.json()["detail"]
    assert client.delete(f"/api/v1/plans/{first['id']}", headers=w.headers).status_code == 409


def test_plans_of_other_days_are_not_replaced(
    client: TestClient, session: Session, world: World
) -> None:
    w = world
    other_day = VisitPlan(
        branch_id=w.branch.id,
        plan_date=date(2026, 11, 25),
        status=PlanStatus.published,
        created_by=w.manager.id,
    )
    session.add(other_day)
    session.flush()
    plan = make_plan(client, w, [0])
    assert publish(client, w, plan).json()["replaced"] == []
    session.expire_all()
    kept = session.get(VisitPlan, other_day.id)
    assert kept is not None and kept.status == PlanStatus.published


def test_a_new_plan_for_a_published_day_takes_the_same_officers_and_borrowers(
    client: TestClient, session: Session, world: World
) -> None:
    """The manager re-plans a published day with the same team and borrowers: the new draft
    may use them (their visits not started are the ones a publish replaces); an officer
    whose visit has begun, or a borrower being visited now, is still busy."""
    w = world
    first = make_plan(client, w, [0, 1], n=4)
    assert publish(client, w, first).status_code == 200
    borrower_ids = [v["borrower_id"] for v in first["visits"]]
    body = {
        "plan_date": TOMORROW.isoformat(),
        "borrower_ids": borrower_ids,
        "officer_ids": [str(w.officers[0].id), str(w.officers[1].id)],
        **FAST,
    }
    second = client.post("/api/v1/plans", json=body, headers=w.headers)
    assert second.status_code == 201, second.text
    assert sorted(v["borrower_id"] for v in second.json()["visits"]) == sorted(borrower_ids)
    replaced = publish(client, w, second.json()).json()["replaced"]
    assert sorted(replaced[0]["cancelled_visit_ids"]) == sorted(v["id"] for v in first["visits"])

    # Once the field has begun a visit of the published plan, its officer is busy again.
    begun = session.get(Visit, UUID(second.json()["visits"][0]["id"]))
    assert begun is not None
    begun.status = VisitStatus.checked_in
    session.flush()
    third = client.post("/api/v1/plans", json=body, headers=w.headers)
    assert third.status_code == 409, third.text
    assert w.officers[0].username in third.json()["detail"] or (
        w.officers[1].username in third.json()["detail"]
    )
