"""The signing key: never one anyone else knows (issue 13, item 5)."""

from __future__ import annotations

import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from api.config import KNOWN_SECRETS, SECRET_FILE, Settings, load_or_create_secret
from api.security import create_token
from tests.live_server import LiveServer, cli

DEV_SECRET = next(iter(KNOWN_SECRETS))


@pytest.fixture
def no_key_in_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    var = tmp_path / "var"
    monkeypatch.delenv("FIELDVISIT_SECRET_KEY", raising=False)
    monkeypatch.setenv("FIELDVISIT_VAR_DIR", str(var))
    return var


@pytest.mark.parametrize("env", ["development", "test", "production"])
def test_without_a_key_the_server_makes_its_own_once(
    no_key_in_env: Path, monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv("FIELDVISIT_ENV", env)
    first = Settings()
    key_file = no_key_in_env / SECRET_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 48 and first.secret_key not in KNOWN_SECRETS
    # A restart (a new process reads the settings again) keeps the key.
    assert Settings().secret_key == first.secret_key


def test_keys_differ_between_installations(tmp_path: Path) -> None:
    assert load_or_create_secret(tmp_path / "a") != load_or_create_secret(tmp_path / "b")


def test_the_environment_wins(no_key_in_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDVISIT_SECRET_KEY", "k" * 40)
    assert Settings().secret_key == "k" * 40
    assert not (no_key_in_env / SECRET_FILE).exists()


def test_a_loose_key_file_is_tightened(tmp_path: Path) -> None:
    load_or_create_secret(tmp_path)
    (tmp_path / SECRET_FILE).chmod(0o644)
    load_or_create_secret(tmp_path)
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600


@pytest.mark.parametrize("env", ["development", "test", "production"])
@pytest.mark.parametrize(("key", "message"), [(DEV_SECRET, "published"), ("short", "32")])
def test_known_or_short_keys_are_refused_in_every_mode(
    no_key_in_env: Path, env: str, key: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(env=env, secret_key=key)


def test_serve_never_signs_with_the_repository_key(no_key_in_env: Path, tmp_path: Path) -> None:
    """The attack: a token signed with the key in the repository, sent to a server started
    the documented way (`fieldvisit serve`, no FIELDVISIT_SECRET_KEY)."""
    database_url = f"sqlite:///{tmp_path / 'serve.db'}"
    cli(database_url, "migrate")
    cli(database_url, "demo")
    server = LiveServer(database_url).start()
    try:
        signed_in = httpx.post(
            f"{server.url}/api/v1/auth/token",
            data={"username": "manager", "password": "demo-manager"},
        )
        assert signed_in.status_code == 200
        me = signed_in.json()["user"]
        now = datetime.now(UTC)
        forged = create_token(
            user_id=uuid.UUID(me["id"]),
            token_type="access",
            secret=DEV_SECRET,
            now=now,
            lifetime=timedelta(minutes=15),
            extra={"role": "manager", "bid": me["branch_id"]},
        )
        refused = httpx.get(
            f"{server.url}/api/v1/users/me", headers={"Authorization": f"Bearer {forged}"}
        )
        assert refused.status_code == 401
        token = signed_in.json()["access_token"]
    finally:
        server.stop()
    assert (no_key_in_env / SECRET_FILE).is_file()
    # Restarted, the server keeps its key: the token issued before still works.
    server = LiveServer(database_url, port=server.port).start()
    try:
        again = httpx.get(
            f"{server.url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert again.status_code == 200
    finally:
        server.stop()
