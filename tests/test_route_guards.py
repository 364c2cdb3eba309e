"""Every endpoint checks who is asking, from its first day."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from models import (
    Agreement,
    AgreementLine,
    BorrowerProposal,
    ChangeRequest,
    Complaint,
    FeedbackCall,
    MutationLog,
    Promise,
    SafetyAlert,
    VisitPlan,
)
from models.enums import Role
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import (
    make_borrower,
    make_branch,
    make_device,
    make_loan,
    make_user,
    make_visit,
)

PUBLIC = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/sign-out"),  # the refresh token in the body is the credential
}


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every API operation, read from the OpenAPI schema (the app's own route table)."""
    found: list[tuple[str, str]] = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api/"):
            found.extend((method.upper(), path) for method in operations)
    return sorted(found)


def fill(path: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name not in values:
            raise AssertionError(f"no test value for path parameter {name!r} in {path}")
        return values[name]

    return re.sub(r"\{([^}]+)\}", replace, path)


def test_every_api_route_needs_a_token(app: FastAPI, client: TestClient) -> None:
    routes = api_routes(app)
    assert len(routes) > 5
    any_id = str(uuid.uuid4())
    guarded = [r for r in routes if r not in PUBLIC]
    for method, path in guarded:
        url = fill(path, _AnyId(any_id))
        response = client.request(method, url, json={} if method != "GET" else None)
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
        assert response.json()["error"] in ("NotAuthenticated",)


def test_public_routes_are_only_the_known_ones(app: FastAPI) -> None:
    assert set(api_routes(app)) >= PUBLIC


class _AnyId(dict[str, str]):
    def __init__(self, value: str) -> None:
        super().__init__()
        self.value = value

    def __contains__(self, _key: object) -> bool:
        return True

    def __getitem__(self, _key: str) -> str:
        return self.value


@pytest.mark.parametrize("role", [Role.officer, Role.manager])
def test_branch_a_cannot_reach_branch_b(
    app: FastAPI, client: TestClient, session: Session, auth_headers: TokenFor, role: Role
) -> None:
    branch_a, branch_b = make_branch(session), make_branch(session)
    me = make_user(session, branch_a, role=role)
    officer_b = make_user(session, branch_b)
    manager_b = make_user(session, branch_b, role=Role.manager)
    borrower_b = make_borrower(session, branch_b)
    loan_b = make_loan(session, borrower_b)
    visit_b = make_visit(session, borrower_b, [officer_b], loans=[loan_b])
    device_b = make_device(session, officer_b)
    plan_b = VisitPlan(branch_id=branch_b.id, plan_date=visit_b.plan_date, created_by=manager_b.id)
    session.add(plan_b)
    session.flush()
    request_b = ChangeRequest(
        id=uuid.uuid4(),
        visit_id=visit_b.id,
        borrower_id=borrower_b.id,
        branch_id=branch_b.id,
        officer_id=officer_b.id,
        kind="extension",
        created_at=FIXED_NOW,
    )
    entry_b = MutationLog(
        device_id=device_b.id,
        user_id=officer_b.id,
        branch_id=branch_b.id,
        mutation_id=1,
        name="note.add",
        received_at=FIXED_NOW,
        status="rejected",
    )
    agreement_b = Agreement(
        id=uuid.uuid4(),
        visit_id=visit_b.id,
        loan_id=loan_b.id,
        borrower_id=borrower_b.id,
        officer_id=officer_b.id,
        principal_fen=100,
        text="协议",
        text_sha256="0" * 64,
        borrower_signature="",
        officer_signature="",
        signed_at=FIXED_NOW,
        content_sha256="0" * 64,
    )
    promise_b = Promise(
        id=uuid.uuid4(),
        visit_id=visit_b.id,
        loan_id=loan_b.id,
        borrower_id=borrower_b.id,
        officer_id=officer_b.id,
        amount_fen=100,
        due_date=visit_b.plan_date,
        made_at=FIXED_NOW,
    )
    alert_b = SafetyAlert(
        id=uuid.uuid4(), branch_id=branch_b.id, officer_id=officer_b.id, at=FIXED_NOW
    )
    proposal_b = BorrowerProposal(
        branch_id=branch_b.id,
        borrower_id=borrower_b.id,
        kind="safety_flags",
        data={"safety_flags": ["remote_road"]},
        source="officer",
        at=FIXED_NOW,
    )
    complaint_b = Complaint(
        branch_id=branch_b.id,
        borrower_id=borrower_b.id,
        recorded_by=manager_b.id,
        channel="phone",
        category="rude",
        at=FIXED_NOW,
    )
    call_b = FeedbackCall(
        branch_id=branch_b.id,
        visit_id=visit_b.id,
        borrower_id=borrower_b.id,
        officer_id=officer_b.id,
    )
    session.add_all([request_b, entry_b, agreement_b, promise_b, alert_b, proposal_b])
    session.add_all([complaint_b, call_b])
    session.flush()
    line_b = AgreementLine(
        agreement_id=agreement_b.id, seq=1, due_date=visit_b.plan_date, amount_fen=100
    )
    session.add(line_b)
    session.flush()
    ids = {
        "agreement_id": str(agreement_b.id),
        "promise_id": str(promise_b.id),
        "alert_id": str(alert_b.id),
        "request_id": str(request_b.id),
        "entry_id": str(entry_b.id),
        "plan_id": str(plan_b.id),
        "visit_id": str(visit_b.id),
        "borrower_id": str(borrower_b.id),
        "device_id": str(device_b.id),
        "loan_id": str(loan_b.id),
        "user_id": str(manager_b.id),
        "officer_id": str(officer_b.id),
        "proposal_id": str(proposal_b.id),
        "line_id": str(line_b.id),
        "complaint_id": str(complaint_b.id),
        "call_id": str(call_b.id),
    }
    headers = auth_headers(me.username)
    checked = 0
    for method, path in api_routes(app):
        if "{" not in path:
            continue
        response = client.request(
            method, fill(path, ids), headers=headers, json={} if method != "GET" else None
        )
        assert response.status_code in (403, 404), (
            f"{method} {path} answered {response.status_code} to branch A's {role}"
        )
        checked += 1
    assert checked >= 4
    # Lists never leak branch B rows either.
    listed = client.get("/api/v1/visits", params={"officer_id": str(officer_b.id)}, headers=headers)
    assert listed.status_code in (200, 403)
    if listed.status_code == 200:
        assert listed.json() == []


def test_officer_sees_only_borrowers_of_their_visits(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    mine, other = make_user(session, branch), make_user(session, branch)
    borrower_mine, borrower_other = make_borrower(session, branch), make_borrower(session, branch)
    visit_mine = make_visit(session, borrower_mine, [mine])
    visit_other = make_visit(session, borrower_other, [other])
    headers = auth_headers(mine.username)
    assert client.get(f"/api/v1/borrowers/{borrower_mine.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/borrowers/{borrower_other.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/visits/{visit_other.id}", headers=headers).status_code == 404
    listed = client.get("/api/v1/visits", headers=headers).json()
    assert [v["id"] for v in listed] == [str(visit_mine.id)]
    # A co-visitor on the team sees the visit too.
    co = make_user(session, branch)
    visit_team = make_visit(session, borrower_other, [other, co])
    co_listed = client.get("/api/v1/visits", headers=auth_headers(co.username)).json()
    assert [v["id"] for v in co_listed] == [str(visit_team.id)]
    assert co_listed[0]["officer_ids"] == [str(other.id), str(co.id)]
