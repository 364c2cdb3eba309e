"""Input that answered 500 now answers 422 with what to fix (issue 13, item 14)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from models.enums import Role
from tests.conftest import TokenFor
from tests.factories import make_branch, make_user

API = "/api/v1"


@pytest.fixture
def manager_headers(session: Session, auth_headers: TokenFor) -> dict[str, str]:
    branch = make_branch(session)
    return auth_headers(make_user(session, branch, role=Role.manager).username)


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/day", {"params": {"day": "0001-01-01"}}),
        ("GET", "/day", {"params": {"day": "9999-12-31"}}),
        ("GET", "/audit/export", {"params": {"from": "9999-12-31", "to": "9999-12-31"}}),
        ("GET", "/audit/export", {"params": {"from": "0001-01-01", "to": "0001-01-01"}}),
        ("GET", "/reports/compliance", {"params": {"from": "9999-12-31", "to": "9999-12-31"}}),
        ("POST", "/plans", {"json": {"plan_date": "9999-12-30", "auto": True}}),
    ],
)
def test_dates_outside_a_sane_window_are_a_422(
    client: TestClient,
    manager_headers: dict[str, str],
    method: str,
    path: str,
    kwargs: dict[str, object],
) -> None:
    response = client.request(method, API + path, headers=manager_headers, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    assert "between 2000-01-01 and 2099-12-31" in response.json()["detail"]


@pytest.mark.parametrize(
    ("username", "message"), [("a" * 65, "at most 64 characters"), ("ab\x00c", "NUL")]
)
def test_unusable_user_names_are_a_422(client: TestClient, username: str, message: str) -> None:
    response = client.post(
        f"{API}/auth/token", data={"username": username, "password": "whatever-pass"}
    )
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
