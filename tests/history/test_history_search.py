"""The console's borrower search (`GET /borrowers?q=`) finds a borrower by name, masked ID,
account number and village, in the manager's branch only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from models.enums import Role
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user

API = "/api/v1"


def test_search_by_name_masked_id_account_and_village(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch, elsewhere = make_branch(session), make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    wang = make_borrower(session, branch, name="王秀兰", village="东风村")
    loan = make_loan(session, wang, account_number="6228480012345678")
    make_borrower(session, branch, name="李四", village="红旗村")
    stranger = make_borrower(session, elsewhere, name="王秀兰")
    make_loan(session, stranger, account_number="6228480099999999")
    headers = auth_headers(manager.username)

    def found(q: str) -> list[str]:
        body = client.get(f"{API}/borrowers", params={"q": q}, headers=headers).json()
        return [item["id"] for item in body["items"]]

    mine = [str(wang.id)]
    assert found("王秀兰") == mine
    assert found("东风") == mine
    assert found(loan.account_number[-8:]) == mine
    assert found(wang.national_id_masked[-4:]) == mine
    assert found("62284800999") == []  # another branch's account
    assert found("%") != [] and found("_") != []  # wildcards are taken out, not matched
