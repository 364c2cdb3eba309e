from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models import AuditEvent, Device
from models.enums import DeviceStatus, Role
from tests.conftest import Clock, TokenFor
from tests.factories import PASSWORD, make_branch, make_device, make_user


def _login(client: TestClient, username: str, password: str = PASSWORD, **extra: str):
    return client.post(
        "/api/v1/auth/token", data={"username": username, "password": password, **extra}
    )


def test_sign_in_returns_tokens_and_me(client: TestClient, session: Session) -> None:
    officer = make_user(session, make_branch(session))
    response = _login(client, officer.username)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    assert body["user"]["role"] == "officer"
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == officer.username
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "auth.login")).first()


def test_wrong_password_is_401_with_plain_message(client: TestClient, session: Session) -> None:
    officer = make_user(session, make_branch(session))
    response = _login(client, officer.username, "nope-nope")
    assert response.status_code == 401
    assert response.json() == {
        "error": "NotAuthenticated",
        "detail": "Wrong user name or password.",
    }
    assert _login(client, "nobody-here").status_code == 401


def test_sign_in_is_rate_limited_per_user(client: TestClient, session: Session) -> None:
    officer = make_user(session, make_branch(session))
    for _ in range(5):
        assert _login(client, officer.username, "bad-password").status_code == 401
    blocked = _login(client, officer.username)  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-ins" in blocked.json()["detail"]


def test_rate_limit_window_expires(client: TestClient, session: Session, clock: Clock) -> None:
    officer = make_user(session, make_branch(session))
    for _ in range(5):
        _login(client, officer.username, "bad-password")
    clock.now += timedelta(minutes=16)
    assert _login(client, officer.username).status_code == 200


def test_one_users_failures_do_not_lock_the_office_address(
    client: TestClient, session: Session
) -> None:
    branch = make_branch(session)
    users = [make_user(session, branch) for _ in range(5)]
    for user in users:
        for _ in range(8):  # past the user's own lock: the extra attempts are not counted
            _login(client, user.username, "bad-password")
    other = make_user(session, branch)
    assert _login(client, other.username).status_code == 200


def test_refresh_gives_new_tokens_and_refuses_access_tokens(
    client: TestClient, session: Session, clock: Clock
) -> None:
    officer = make_user(session, make_branch(session))
    tokens = _login(client, officer.username).json()
    clock.now += timedelta(minutes=20)
    expired = client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    me = client.get(
        "/api/v1/users/me",
        headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"},
    )
    assert me.status_code == 200
    wrong = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert wrong.status_code == 401


def test_roles_are_enforced(client: TestClient, session: Session, auth_headers: TokenFor) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    response = client.get("/api/v1/users", headers=auth_headers(officer.username))
    assert response.status_code == 403
    assert response.json()["detail"] == "Only a branch manager can do this."


def test_device_register_revoke_and_wipe(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    manager = make_user(session, branch, role=Role.manager)
    officer_headers = auth_headers(officer.username)
    created = client.post(
        "/api/v1/devices",
        json={"name": "红米 9A", "platform": "Android 11"},
        headers=officer_headers,
    )
    assert created.status_code == 201
    device_id = created.json()["device_id"]
    # A token bound to the device (client_id) and the X-Device-Id header both identify it.
    bound = auth_headers(officer.username, client_id=device_id)
    assert client.get("/api/v1/users/me", headers=bound).status_code == 200
    revoked = client.post(
        f"/api/v1/devices/{device_id}/revoke", headers=auth_headers(manager.username)
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    for headers in (bound, {**officer_headers, "X-Device-Id": device_id}):
        response = client.get("/api/v1/users/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "DeviceRevoked" and response.json()["wipe"] is True
    # The token signed in without a device ended with the phone (it may have been on it).
    unbound = client.get("/api/v1/users/me", headers=officer_headers)
    assert unbound.status_code == 401 and "session ended" in unbound.json()["detail"]


def test_only_the_branch_manager_revokes(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch)
    device = make_device(session, officer)
    other_manager = make_user(session, make_branch(session), role=Role.manager)
    url = f"/api/v1/devices/{device.id}/revoke"
    assert client.post(url, headers=auth_headers(officer.username)).status_code == 403
    assert client.post(url, headers=auth_headers(other_manager.username)).status_code == 404
    session.refresh(device)
    assert device.status == DeviceStatus.active


def test_device_of_someone_else_is_refused(
    client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    alice, bob = make_user(session, branch), make_user(session, branch)
    device = make_device(session, bob)
    headers = {**auth_headers(alice.username), "X-Device-Id": str(device.id)}
    assert client.get("/api/v1/users/me", headers=headers).status_code == 403
    assert session.get(Device, device.id) is not None


def test_demo_passwords_refused_in_production(
    client: TestClient, session: Session, settings
) -> None:
    import pytest

    from api.auth.service import create_user
    from api.errors import InvalidInput

    branch = make_branch(session)
    prod = settings.model_copy(update={"env": "production"})
    with pytest.raises(InvalidInput, match="Demo passwords"):
        create_user(
            session=session,
            settings=prod,
            branch_id=branch.id,
            username="x1",
            full_name="x",
            role=Role.officer,
            password="demo-officer",
        )
