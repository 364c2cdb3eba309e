"""Sessions: refresh rotation with reuse detection, an absolute lifetime, tokens that end
with their device (retired, revoked) and no new phone after a revoke until a manager says so
(issue 13, item 10)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models import AuditEvent, AuthSession, User
from models.enums import Role
from tests.conftest import Clock
from tests.factories import PASSWORD, make_borrower, make_branch, make_user, make_visit


def _login(client: TestClient, user: User, **extra: str) -> Any:
    response = client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": PASSWORD, **extra}
    )
    return response


def _tokens(client: TestClient, user: User, **extra: str) -> dict[str, Any]:
    response = _login(client, user, **extra)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _bearer(tokens: dict[str, Any], device_id: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    if device_id:
        headers["X-Device-Id"] = device_id
    return headers


def _refresh(client: TestClient, refresh_token: str) -> Any:
    return client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


def _phone(client: TestClient, user: User) -> tuple[str, dict[str, Any]]:
    """The PWA's sign-in: unbound token, register, then a token bound to the device."""
    first = _tokens(client, user)
    created = client.post(
        "/api/v1/devices", json={"name": "phone", "platform": "pytest"}, headers=_bearer(first)
    )
    assert created.status_code == 201, created.text
    device_id = str(created.json()["device_id"])
    return device_id, _tokens(client, user, client_id=device_id)


def test_refresh_rotates_and_a_reused_token_ends_the_session(
    client: TestClient, session: Session
) -> None:
    officer = make_user(session, make_branch(session))
    first = _tokens(client, officer)
    second = _refresh(client, first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()["refresh_token"]
    assert rotated != first["refresh_token"]
    # A thief replays the spent token: refused, and the whole session ends with it.
    replay = _refresh(client, first["refresh_token"])
    assert replay.status_code == 401 and "used from two places" in replay.json()["detail"]
    assert _refresh(client, rotated).status_code == 401
    me = client.get("/api/v1/users/me", headers=_bearer(second.json()))
    assert me.status_code == 401
    reuse = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.refresh_reuse"))
    assert reuse.first() is not None
    # Another sign-in is not touched.
    assert _refresh(client, _tokens(client, officer)["refresh_token"]).status_code == 200


def test_a_session_ends_at_its_absolute_lifetime(
    client: TestClient, session: Session, clock: Clock
) -> None:
    officer = make_user(session, make_branch(session))
    refresh_token = _tokens(client, officer)["refresh_token"]
    for _ in range(2):  # refreshed every 10 days: the sliding lifetime never runs out
        clock.now += timedelta(days=10)
        response = _refresh(client, refresh_token)
        assert response.status_code == 200, response.text
        refresh_token = response.json()["refresh_token"]
    clock.now += timedelta(days=10, seconds=1)  # 30 days after the sign-in
    ended = _refresh(client, refresh_token)
    assert ended.status_code == 401


def test_access_tokens_do_not_outlive_the_session(
    client: TestClient, session: Session, clock: Clock
) -> None:
    officer = make_user(session, make_branch(session))
    tokens = _tokens(client, officer)
    auth = session.exec(select(AuthSession).where(AuthSession.user_id == officer.id)).one()
    auth.expires_at = clock.now + timedelta(minutes=5)
    session.add(auth)
    session.flush()
    refreshed = _refresh(client, tokens["refresh_token"]).json()
    assert refreshed["expires_in"] <= 5 * 60


def test_sign_out_ends_the_session(client: TestClient, session: Session) -> None:
    officer = make_user(session, make_branch(session))
    tokens = _tokens(client, officer)
    out = client.post("/api/v1/auth/sign-out", json={"refresh_token": tokens["refresh_token"]})
    assert out.status_code == 204
    assert _refresh(client, tokens["refresh_token"]).status_code == 401
    assert client.get("/api/v1/users/me", headers=_bearer(tokens)).status_code == 401
    # Signing out with a token that no longer works is not an error.
    again = client.post("/api/v1/auth/sign-out", json={"refresh_token": "garbage"})
    assert again.status_code == 204


def test_a_retired_phone_only_sends_what_it_holds(client: TestClient, session: Session) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    manager = make_user(session, branch, role=Role.manager)
    borrower = make_borrower(session, branch)
    make_visit(session, borrower, [officer])
    device_id, tokens = _phone(client, officer)
    headers = _bearer(tokens, device_id)
    assert client.get(f"/api/v1/borrowers/{borrower.id}", headers=headers).status_code == 200
    retired = client.post(
        f"/api/v1/devices/{device_id}/retire", headers=_bearer(_tokens(client, manager))
    )
    assert retired.status_code == 200
    read = client.get(f"/api/v1/borrowers/{borrower.id}", headers=headers)
    assert read.status_code == 403 and read.json()["error"] == "DeviceRetired"
    refresh = _refresh(client, tokens["refresh_token"])
    assert refresh.status_code == 401 and "retired" in refresh.json()["detail"]
    # It may still push its outbox, and its pull tells it to erase what it holds.
    push = client.post(
        "/api/v1/sync/push",
        json={"protocol": 1, "device_id": device_id, "mutations": []},
        headers=headers,
    )
    assert push.status_code == 200
    pull = client.post(
        "/api/v1/sync/pull",
        json={"protocol": 1, "device_id": device_id, "cookie": None},
        headers=headers,
    )
    assert pull.status_code == 200 and pull.json()["control"] == "wipe"


def test_a_revoked_phone_cannot_come_back_as_a_new_device(
    client: TestClient, session: Session
) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    manager = make_user(session, branch, role=Role.manager)
    manager_headers = _bearer(_tokens(client, manager))
    device_id, tokens = _phone(client, officer)
    revoked = client.post(f"/api/v1/devices/{device_id}/revoke", headers=manager_headers)
    assert revoked.status_code == 200 and revoked.json()["owner_phone_blocked"] is True
    assert _refresh(client, tokens["refresh_token"]).json()["error"] == "DeviceRevoked"
    # The thief knows the password: signing in without a device, or registering one, is refused.
    again = _login(client, officer)
    assert again.status_code == 403 and again.json()["error"] == "PhoneBlocked"
    assert "branch manager" in again.json()["detail"]
    assert _login(client, officer, client_id=device_id).status_code == 401
    # The manager gives the officer a new phone.
    enabled = client.post(f"/api/v1/users/{officer.id}/phone/enable", headers=manager_headers)
    assert enabled.status_code == 200 and enabled.json()["phone_blocked_at"] is None
    new_device, new_tokens = _phone(client, officer)
    assert new_device != device_id
    me = client.get("/api/v1/users/me", headers=_bearer(new_tokens, new_device))
    assert me.status_code == 200


def test_only_the_branch_manager_enables_a_phone(client: TestClient, session: Session) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    other_manager = make_user(session, make_branch(session), role=Role.manager)
    url = f"/api/v1/users/{officer.id}/phone/enable"
    assert client.post(url, headers=_bearer(_tokens(client, officer))).status_code == 403
    assert client.post(url, headers=_bearer(_tokens(client, other_manager))).status_code == 404
