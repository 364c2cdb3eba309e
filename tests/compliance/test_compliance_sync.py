"""Phones push facts that break the policy: the server keeps every one (never drops) and flags
it with the rule; the compliance report then lists them, with counts whose target is zero."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.compliance.policy import PolicyData
from models import (
    Borrower,
    Branch,
    CompliancePolicy,
    MutationLog,
    User,
    Visit,
    VisitEvent,
    VisitOutcome,
)
from models.enums import Role, VisitStatus
from tests.conftest import FIXED_NOW, Clock, TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit
from tests.phone import Phone

TODAY = date(2026, 11, 23)


@dataclass
class World:
    branch: Branch
    manager: User
    alice: User
    bob: User
    borrowers: list[Borrower]
    visits: list[Visit]


@pytest.fixture
def world(session: Session) -> World:
    branch = make_branch(session)
    session.add(
        CompliancePolicy(
            branch_id=branch.id,
            version=5,
            data=PolicyData().model_dump(mode="json"),
            created_at=FIXED_NOW,
        )
    )
    manager = make_user(session, branch, role=Role.manager)
    alice, bob = make_user(session, branch), make_user(session, branch)
    borrowers = [make_borrower(session, branch) for _ in range(4)]
    visits = []
    for i, b in enumerate(borrowers):
        make_loan(session, b)
        visits.append(make_visit(session, b, [alice, bob], position=i + 1))
    return World(branch, manager, alice, bob, borrowers, visits)


def _near(b: Borrower) -> dict[str, float]:
    return {"lat": b.lat, "lon": b.lon, "accuracy_m": 10}  # type: ignore[dict-item]


def _reasons(response) -> list[tuple[str, set[str]]]:
    assert response.status_code == 200, response.text
    return [
        (r["status"], {part.split(":")[0] for part in r["reason"].split("; ") if part})
        for r in response.json()["results"]
    ]


def test_a_check_in_at_22_30_is_kept_and_flagged(
    world: World, client: TestClient, session: Session, clock: Clock
) -> None:
    phone = Phone(client, world.alice.username, now=clock).sign_in()
    v, b = world.visits[0], world.borrowers[0]
    # 22:30 in Shanghai, two officers, at the door: only the hour is wrong.
    phone.queue(
        "visit.check_in",
        visit_id=v.id,
        at="2026-11-23T14:30:00Z",
        location=_near(b),
        co_visitor_ids=[world.bob.id],
    )
    assert _reasons(phone.push()) == [("flagged", {"outside_lawful_hours"})]
    event = session.exec(select(VisitEvent).where(VisitEvent.visit_id == v.id)).one()
    assert event.flags == ["outside_lawful_hours"] and event.policy_version == 5
    session.refresh(v)
    assert v.status == VisitStatus.checked_in and v.checked_in_at is not None
    log = session.exec(select(MutationLog).where(MutationLog.name == "visit.check_in")).one()
    assert log.status == "flagged" and "22:30" in log.reason


def test_every_rule_flags_its_fact(
    world: World, client: TestClient, session: Session, clock: Clock
) -> None:
    phone = Phone(client, world.alice.username, now=clock).sign_in()
    v0, v1, v2 = world.visits[:3]
    b0 = world.borrowers[0]
    # A second visit of borrower 0, three days after the first.
    again = make_visit(session, b0, [world.alice, world.bob], plan_date=date(2026, 11, 26))
    phone.queue(
        "visit.check_in",
        visit_id=v0.id,
        at="2026-11-23T02:00:00Z",
        location=_near(b0),
        co_visitor_ids=[world.bob.id],
    )
    phone.queue(  # alone: below the staff minimum of 2
        "visit.check_in",
        visit_id=v1.id,
        at="2026-11-23T03:00:00Z",
        location=_near(world.borrowers[1]),
    )
    phone.queue(  # out 2 hours: over the 90 minutes the policy allows
        "visit.check_out", visit_id=v0.id, at="2026-11-23T04:00:00Z", location=_near(b0)
    )
    phone.queue(
        "visit.record_outcome",
        outcome_id=uuid.uuid4(),
        visit_id=v1.id,
        contact="third_party",
        hardship_detail="邻居说他欠款很多",
        at="2026-11-23T03:20:00Z",
    )
    phone.queue(
        "visit.record_outcome",
        outcome_id=uuid.uuid4(),
        visit_id=v2.id,
        contact="third_party",
        hardship_detail="邻居提供了借款人的新电话",
        at="2026-11-23T03:40:00Z",
    )
    phone.queue(  # the same borrower again three days later
        "visit.check_in",
        visit_id=again.id,
        at="2026-11-26T02:00:00Z",
        location=_near(b0),
        co_visitor_ids=[world.bob.id],
    )
    assert _reasons(phone.push()) == [
        ("applied", set()),
        ("flagged", {"below_min_staff"}),
        ("flagged", {"overdue_checkout"}),
        ("flagged", {"third_party_disclosure"}),
        ("applied", set()),
        ("flagged", {"visit_frequency"}),
    ]
    # Kept, never dropped: every fact is stored, with its flags.
    assert len(session.exec(select(VisitEvent)).all()) >= 4
    outcomes = session.exec(select(VisitOutcome).where(VisitOutcome.contact == "third_party")).all()
    assert sorted(o.flags for o in outcomes) == [[], ["third_party_disclosure"]]
    # Pushed again in another batch, the frequency is judged against stored check-ins.
    later = make_visit(session, b0, [world.alice, world.bob], plan_date=date(2026, 11, 28))
    phone.queue(
        "visit.check_in",
        visit_id=later.id,
        at="2026-11-28T02:00:00Z",
        location=_near(b0),
        co_visitor_ids=[world.bob.id],
    )
    assert _reasons(phone.push()) == [("flagged", {"visit_frequency"})]


def test_the_compliance_report_lists_breaches_with_target_zero(
    world: World,
    client: TestClient,
    session: Session,
    clock: Clock,
    auth_headers: TokenFor,
) -> None:
    headers = auth_headers(world.manager.username)
    params = {"from": "2026-11-23", "to": "2026-11-23"}
    empty = client.get("/api/v1/reports/compliance", params=params, headers=headers)
    assert empty.status_code == 200, empty.text
    assert empty.json()["counts"] == {
        "outside_hours": 0,
        "single_staff": 0,
        "frequency": 0,
        "overdue_checkout": 0,
        "third_party": 0,
    }
    assert empty.json()["target"] == 0 and empty.json()["on_target"]

    phone = Phone(client, world.alice.username, now=clock).sign_in()
    v0, v1, v2, v3 = world.visits
    phone.queue(
        "visit.check_in",
        visit_id=v0.id,
        at="2026-11-22T23:00:00Z",  # 07:00, and never checked out
        co_visitor_ids=[world.bob.id],
    )
    phone.queue("visit.check_in", visit_id=v1.id, at="2026-11-23T01:00:00Z")  # 09:00, alone
    phone.queue(
        "visit.record_outcome",
        outcome_id=uuid.uuid4(),
        visit_id=v1.id,
        contact="third_party",
        hardship_reasons=["illness"],
        at="2026-11-23T01:10:00Z",
    )
    # Checked in at 08:00 and never out: overdue by now (10:00).
    phone.queue(
        "visit.check_in",
        visit_id=v2.id,
        at="2026-11-23T00:00:00Z",
        co_visitor_ids=[world.bob.id],
    )
    phone.queue(
        "visit.check_in", visit_id=v3.id, at="2026-11-23T02:00:00Z", co_visitor_ids=[world.bob.id]
    )
    phone.queue("visit.check_out", visit_id=v3.id, at="2026-11-23T02:40:00Z")
    phone.push()
    response = client.get("/api/v1/reports/compliance", params=params, headers=headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["counts"] == {
        "outside_hours": 1,
        "single_staff": 1,
        "frequency": 0,
        "overdue_checkout": 2,  # v0 and v2: out for 3 and 2 hours
        "third_party": 1,
    }
    assert report["total"] == 5 and not report["on_target"] and report["policy_version"] == 5
    (late,) = report["items"]["outside_hours"]
    assert late["visit_id"] == str(v0.id) and late["local_time"] == "2026-11-23 07:00"
    assert late["borrower_name"] == world.borrowers[0].name
    assert late["officer_name"] == world.alice.full_name and late["policy_version"] == 5
    assert late["codes"] == ["outside_lawful_hours"]
    (alone,) = report["items"]["single_staff"]
    assert alone["visit_id"] == str(v1.id)
    assert {i["visit_id"] for i in report["items"]["overdue_checkout"]} == {str(v0.id), str(v2.id)}

    csv = client.get(
        "/api/v1/reports/compliance", params=params | {"format": "csv"}, headers=headers
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.count("\n") == 1 + 5 and world.borrowers[0].name in csv.text

    # Other periods and other roles.
    other = client.get(
        "/api/v1/reports/compliance",
        params={"from": "2026-11-24", "to": "2026-11-30"},
        headers=headers,
    )
    assert other.json()["total"] == 0
    backwards = client.get(
        "/api/v1/reports/compliance",
        params={"from": "2026-11-24", "to": "2026-11-23"},
        headers=headers,
    )
    assert backwards.status_code == 422
    officer = auth_headers(world.alice.username)
    assert (
        client.get("/api/v1/reports/compliance", params=params, headers=officer).status_code == 403
    )
