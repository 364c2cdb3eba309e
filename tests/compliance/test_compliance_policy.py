"""The versioned branch policy: validation, GET / PUT (a new version per edit, audited), and
every reader (sync pull and push, planning) using the version in force."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, col, select

from api.compliance.policy import (
    DEFAULT_POLICY,
    PolicyData,
    lenient_data,
    policy_from_settings,
)
from api.compliance.service import current_policy
from models import Agreement, AuditEvent, CompliancePolicy, Visit, VisitEvent, VisitOutcome
from models.enums import Role
from tests.conftest import FIXED_NOW, Clock, TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit
from tests.phone import Phone, agreement_args

AT = "2026-11-23T02:10:00Z"  # 10:10 in Shanghai


def test_defaults_are_the_strictest_rules() -> None:
    data = PolicyData()
    assert data.visiting_hours.start == "08:00" and data.visiting_hours.end == "21:00"
    assert (data.min_staff, data.visit_frequency_days, data.device_data_hours) == (2, 7, 72)
    assert data.checkout_overdue_minutes == 90 and data.mask_id_numbers is True
    assert data.holidays == [] and data.third_party.contact_details_only
    assert DEFAULT_POLICY["version"] == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"visiting_hours": {"start": "07:30", "end": "20:00"}}, "08:00-22:00"),
        ({"visiting_hours": {"start": "09:00", "end": "22:30"}}, "08:00-22:00"),
        ({"visiting_hours": {"start": "12:00", "end": "09:00"}}, "before end"),
        ({"visiting_hours": {"start": "9am", "end": "20:00"}}, "pattern"),
        ({"min_staff": 0}, "greater than or equal"),
        ({"min_staff": 6}, "less than or equal"),
        ({"mask_id_numbers": False}, "True"),
        ({"visit_frequency_days": -1}, "greater than or equal"),
        ({"retention_days": {"audit": 30}}, "greater than or equal"),
        ({"typo": 1}, "Extra inputs"),
    ],
)
def test_invalid_policies_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PolicyData.model_validate(changes)


def test_holidays_are_sorted_once() -> None:
    data = PolicyData.model_validate({"holidays": ["2026-10-02", "2026-10-01", "2026-10-02"]})
    assert data.holidays == [date(2026, 10, 1), date(2026, 10, 2)]


def test_settings_from_before_versioning_are_read_leniently() -> None:
    assert policy_from_settings({}).version == 0
    old = policy_from_settings({"policy": {"visiting_hours": "09:00-13:00", "min_staff": "x"}})
    assert (old.visiting_start, old.visiting_end, old.min_staff) == (time(9), time(13), 2)
    # Hours outside the legal bounds fall back to the defaults: the law wins.
    assert lenient_data({"visiting_hours": ["06:00", "23:00"]}).visiting_hours.start == "08:00"


def _world(session: Session) -> dict[str, Any]:
    branch = make_branch(session)
    return {
        "branch": branch,
        "manager": make_user(session, branch, role=Role.manager),
        "officer": make_user(session, branch),
        "partner": make_user(session, branch),
    }


def test_get_and_put_policy(client: TestClient, session: Session, auth_headers: TokenFor) -> None:
    w = _world(session)
    officer, manager = auth_headers(w["officer"].username), auth_headers(w["manager"].username)
    got = client.get("/api/v1/policy", headers=officer)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["version"] == 0 and body["is_default"] and body["created_by"] is None
    assert body["data"] == PolicyData().model_dump(mode="json")

    wanted = PolicyData().model_dump(mode="json")
    wanted |= {"min_staff": 3, "holidays": ["2026-12-25"], "visit_frequency_days": 14}
    assert client.put("/api/v1/policy", json=wanted, headers=officer).status_code == 403
    put = client.put("/api/v1/policy", json=wanted, headers=manager)
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 1 and put.json()["data"]["min_staff"] == 3
    assert put.json()["created_by"] == str(w["manager"].id)
    # The same data again: no new version.
    assert client.put("/api/v1/policy", json=wanted, headers=manager).json()["version"] == 1
    wanted["min_staff"] = 2
    assert client.put("/api/v1/policy", json=wanted, headers=manager).json()["version"] == 2
    bad = client.put(
        "/api/v1/policy",
        json=wanted | {"visiting_hours": {"start": "06:00", "end": "21:00"}},
        headers=manager,
    )
    assert bad.status_code == 422 and "08:00-22:00" in bad.json()["detail"]

    assert client.get("/api/v1/policy", headers=officer).json()["version"] == 2
    versions = client.get("/api/v1/policy/versions", headers=manager).json()
    assert [v["version"] for v in versions] == [2, 1, 0]
    assert versions[1]["data"]["min_staff"] == 3 and versions[0]["data"]["min_staff"] == 2
    rows = session.exec(
        select(CompliancePolicy).where(CompliancePolicy.branch_id == w["branch"].id)
    ).all()
    assert sorted(r.version for r in rows) == [1, 2]  # versions are rows, never updated
    audit = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "policy.update", AuditEvent.branch_id == w["branch"].id)
        .order_by(col(AuditEvent.id))
    ).all()
    assert [e.data["version"] for e in audit] == [1, 2]
    assert audit[0].actor_id == w["manager"].id
    assert audit[1].data["changed"] == {"min_staff": [3, 2]}

    # Another branch keeps its own policy.
    other = make_branch(session)
    assert current_policy(session, other).version == 0
    assert current_policy(session, w["branch"]).min_staff == 2


def test_policy_versions_are_per_branch_and_the_highest_is_current(session: Session) -> None:
    w = _world(session)
    for version, staff in [(1, 3), (3, 1), (2, 4)]:
        session.add(
            CompliancePolicy(
                branch_id=w["branch"].id,
                version=version,
                data=PolicyData(min_staff=staff).model_dump(mode="json"),
                created_at=FIXED_NOW,
            )
        )
    session.flush()
    policy = current_policy(session, w["branch"])
    assert (policy.version, policy.min_staff) == (3, 1)


def _store(session: Session, branch_id: uuid.UUID, version: int, **data: Any) -> None:
    session.add(
        CompliancePolicy(
            branch_id=branch_id,
            version=version,
            data=PolicyData.model_validate(data).model_dump(mode="json"),
            created_at=FIXED_NOW,
        )
    )
    session.flush()


def test_sync_reads_the_versioned_policy(
    client: TestClient, session: Session, clock: Clock
) -> None:
    w = _world(session)
    borrower = make_borrower(session, w["branch"])
    loan = make_loan(session, borrower)
    visit = make_visit(session, borrower, [w["officer"], w["partner"]], loans=[loan])
    phone = Phone(client, w["officer"].username, now=clock).sign_in()
    body = phone.pull().json()
    policy = phone.local[("policy", str(w["branch"].id))]["data"]
    assert policy["version"] == 0 and policy["device_data_hours"] == 72

    _store(session, w["branch"].id, 4, device_data_hours=24, holidays=["2026-12-25"])
    body = phone.pull().json()
    assert [(c["entity"], c["op"]) for c in body["changes"]] == [("policy", "put")]
    policy = phone.local[("policy", str(w["branch"].id))]["data"]
    assert policy["version"] == 4 and policy["holidays"] == ["2026-12-25"]
    assert body["expires_at"].startswith((clock.now + timedelta(hours=24)).strftime("%Y-%m-%dT%H"))

    outcome_id = uuid.uuid4()
    args = phone.rendered(agreement_args(visit_id=visit.id, loan_id=loan.id))
    phone.queue(
        "visit.check_in",
        visit_id=visit.id,
        at=AT,
        location={"lat": borrower.lat, "lon": borrower.lon, "accuracy_m": 10},
        co_visitor_ids=[w["partner"].id],
    )
    phone.queue(
        "visit.record_outcome", outcome_id=outcome_id, visit_id=visit.id, contact="borrower", at=AT
    )
    phone.queue("agreement.sign", **args)
    phone.queue("visit.check_out", visit_id=visit.id, at="2026-11-23T02:50:00Z")
    results = phone.push().json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 4, results
    events = session.exec(select(VisitEvent).where(VisitEvent.visit_id == visit.id)).all()
    assert {e.policy_version for e in events} == {4}
    outcome = session.get(VisitOutcome, outcome_id)
    assert outcome is not None and outcome.policy_version == 4
    agreement = session.get(Agreement, uuid.UUID(args["agreement_id"]))
    assert agreement is not None and agreement.policy_version == 4
    check_in = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "visit.check_in", AuditEvent.entity_id == str(visit.id)
        )
    ).one()
    assert check_in.data["policy_version"] == 4 and check_in.device_id is not None


def test_plans_record_the_policy_version(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    w = _world(session)
    _store(session, w["branch"].id, 2)
    near = {"lat": w["branch"].lat + 0.01, "lon": w["branch"].lon}
    borrower = make_borrower(session, w["branch"], **near)
    make_loan(session, borrower)
    response = client.post(
        "/api/v1/plans",
        json={
            "plan_date": "2026-11-24",
            "borrower_ids": [str(borrower.id)],
            "teams": [[str(w["officer"].id), str(w["partner"].id)]],
            "max_iterations": 100,
        },
        headers=auth_headers(w["manager"].username),
    )
    assert response.status_code == 201, response.text
    (visit,) = session.exec(select(Visit).where(Visit.borrower_id == borrower.id)).all()
    assert visit.policy_version == 2
