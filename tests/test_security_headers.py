"""Security headers on every answer and no caching of personal data (issue 13, item 7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.config import Settings
from api.main import create_app
from models.enums import Role
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit
from tests.phone import Phone

API = "/api/v1"


def _assert_secure(headers: object, *, api: bool) -> None:
    assert isinstance(headers, dict) or hasattr(headers, "get")
    get = headers.get
    csp = get("content-security-policy")
    assert csp is not None and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert get("x-content-type-options") == "nosniff"
    assert get("x-frame-options") == "DENY"
    assert get("referrer-policy") == "strict-origin-when-cross-origin"
    if api:
        assert get("cache-control") == "no-store"
        assert csp.startswith("default-src 'none'")


def test_personal_data_answers_are_not_cached(
    session: Session, client: TestClient, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    manager = make_user(session, branch, role=Role.manager)
    officer = make_user(session, branch)
    borrower = make_borrower(session, branch)
    make_visit(session, borrower, [officer], loans=[make_loan(session, borrower)])
    phone = Phone(client, officer.username).sign_in()
    as_manager = auth_headers(manager.username)
    answers = [
        client.get(f"{API}/health"),
        client.get(f"{API}/borrowers/{borrower.id}", headers=phone.headers),
        phone.pull(),
        client.get(f"{API}/agreements", params={"format": "csv"}, headers=as_manager),
        client.get(f"{API}/promises", params={"format": "xlsx"}, headers=as_manager),
        client.get(f"{API}/agreements/{uuid.uuid4()}.pdf", headers=as_manager),
        client.get(f"{API}/borrowers/{borrower.id}"),  # 401
        client.get(f"{API}/nothing-here"),  # 404
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 404, 401, 404]
    for answer in answers:
        _assert_secure(answer.headers, api=True)


def test_refused_bodies_carry_the_headers_too(client: TestClient) -> None:
    response = client.post(f"{API}/auth/refresh", content=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    _assert_secure(response.headers, api=True)


@pytest.fixture
def static_client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>x</title>")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1);")
    app = create_app(settings.model_copy(update={"pwa_dist": dist}))
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/", "/borrowers/123", "/sw.js", "/assets/index-abc123.js"])
def test_the_app_gets_a_strict_policy(static_client: TestClient, path: str) -> None:
    response = static_client.get(path)
    assert response.status_code == 200
    _assert_secure(response.headers, api=False)
    csp = response.headers["content-security-policy"]
    for directive in ("script-src 'self'", "style-src 'self'", "connect-src 'self'"):
        assert directive in csp
    # Hashed assets keep their caching; the shell is revalidated; neither is no-store.
    assert response.headers.get("cache-control") != "no-store"


def test_api_docs_have_their_own_policy(static_client: TestClient) -> None:
    response = static_client.get("/docs")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "https://cdn.jsdelivr.net" in csp
