"""Test databases are built by Alembic once per backend; every test runs in a transaction
that is rolled back. SQLite always; PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from api.config import PROJECT_ROOT, Settings
from api.db import get_session, make_engine
from api.deps import get_now, settings_dependency
from api.main import create_app

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
TEST_SECRET = "test-secret-0123456789abcdef0123456789abcdef"
# A fixed "now": Monday 2026-11-23 10:00 in Asia/Shanghai.
FIXED_NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def alembic_config(connection: object | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def build_database(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        reset_postgres(engine)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    return engine


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgresql":
        return os.environ["TEST_DATABASE_URL"]
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


class Clock:
    """The app's notion of now, movable by tests."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(FIXED_NOW)


@pytest.fixture
def app(session: Session, settings: Settings, clock: Clock) -> FastAPI:
    application = create_app(settings)

    def _session() -> Iterator[Session]:
        yield session
        session.commit()

    application.dependency_overrides[get_session] = _session
    application.dependency_overrides[settings_dependency] = lambda: settings
    application.dependency_overrides[get_now] = clock
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


TokenFor = Callable[..., dict[str, str]]


@pytest.fixture
def auth_headers(client: TestClient) -> TokenFor:
    """Sign in through the real endpoint and return bearer headers."""

    def _headers(username: str, password: str = "secret-pass", **extra: str) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/token", data={"username": username, "password": password, **extra}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return _headers


def pytest_report_header() -> str:
    return f"databases: {', '.join(BACKENDS)}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "postgresql" in item.nodeid:
            item.add_marker(pytest.mark.postgres)
