"""POST /api/v1/routing/solve: managers only, 422 with a message for bad input, never 500."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.db import get_session
from api.deps import get_current_manager
from api.errors import install_error_handlers
from api.routing.routes import get_travel_model, router
from api.routing.travel import IntMatrix, Point, TravelModelError
from models.enums import Role
from tests.conftest import TokenFor
from tests.factories import make_branch, make_user

URL = "/api/v1/routing/solve"


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "time_limit_s": 10,
        "seed": 1,
        "max_iterations": 200,
        "vehicles": [{"id": "o1", "start": 0, "end": 0, "shift": [0, 36_000], "capacity": 12}],
        "stops": [
            {"id": "s1", "location": 1, "service_s": 1800, "window": [0, 36_000], "prize": None},
            {"id": "s2", "location": 2, "service_s": 1800},
        ],
        "matrix": {
            "duration_s": [[0, 600, 700], [600, 0, 300], [700, 300, 0]],
            "distance_m": [[0, 5000, 6000], [5000, 0, 2000], [6000, 2000, 0]],
        },
    }
    data.update(changes)
    return data


class _NoDatabase:
    """Stands in for the request session: counts how often the route ends its transaction."""

    def __init__(self) -> None:
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1


@pytest.fixture
def no_database() -> _NoDatabase:
    return _NoDatabase()


@pytest.fixture
def bare_client(no_database: _NoDatabase) -> Iterator[TestClient]:
    """Only the routing router, with the manager check and the database stubbed."""
    application = FastAPI()
    install_error_handlers(application)
    application.include_router(router, prefix="/api/v1")
    application.dependency_overrides[get_current_manager] = lambda: object()
    application.dependency_overrides[get_session] = lambda: no_database
    with TestClient(application) as client:
        yield client


def test_solve(bare_client: TestClient, no_database: _NoDatabase) -> None:
    response = bare_client.post(URL, json=body())
    assert response.status_code == 200, response.text
    assert no_database.commits == 1  # the sign-in transaction is not held through the solve
    answer = response.json()
    assert answer["feasible"] is True and answer["unassigned"] == []
    assert answer["distance_m"] == 13_000
    route = answer["routes"][0]
    assert route["vehicle_id"] == "o1"
    assert {"id", "arrival_s", "departure_s"} <= set(route["stops"][0])
    assert set(answer) >= {
        "routes",
        "unassigned",
        "distance_m",
        "duration_s",
        "feasible",
        "objective",
        "solve_time_s",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"matrix": {"duration_s": [[0, 1], [1, 0]], "distance_m": [[0]]}}, "rows"),
        ({"vehicles": []}, "at least 1"),
        ({"time_limit_s": 600}, "less than or equal to 60"),
        ({"stops": [{"id": "x", "location": 5}]}, "location = 5"),
        ({"stops": [{"id": "x", "location": 1}, {"id": "x", "location": 2}]}, "more than once"),
    ],
)
def test_bad_requests_answer_422_with_the_fix(
    bare_client: TestClient, change: dict[str, Any], message: str
) -> None:
    response = bare_client.post(URL, json=body(**change))
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidInput"
    assert message in response.json()["detail"]


def test_not_json_is_422(bare_client: TestClient) -> None:
    response = bare_client.post(URL, content=b"{oops", headers={"Content-Type": "application/json"})
    assert response.status_code == 422


class _Down:
    def matrix(self, points: Sequence[Point]) -> tuple[IntMatrix, IntMatrix]:
        raise TravelModelError("OSRM at http://osrm.test unreachable")


def test_travel_model_failure_is_503(bare_client: TestClient) -> None:
    app = bare_client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[get_travel_model] = _Down
    data = body()
    del data["matrix"]
    data["locations"] = [{"lat": 37.43, "lon": 116.35}] * 3
    response = bare_client.post(URL, json=data)
    assert response.status_code == 503
    assert "unreachable" in response.json()["detail"]


def test_locations_use_the_haversine_model_by_default(bare_client: TestClient) -> None:
    data = body()
    del data["matrix"]
    data["locations"] = [
        {"lat": 37.4355, "lon": 116.3575},
        {"lat": 37.45, "lon": 116.30},
        {"lat": 37.40, "lon": 116.40},
    ]
    response = bare_client.post(URL, json=data)
    assert response.status_code == 200, response.text
    assert response.json()["distance_m"] > 10_000


# With the real sign-in (the shared app fixture), mounted here if the app does not have it yet.


@pytest.fixture
def routed_app(app: FastAPI) -> FastAPI:
    if not any(getattr(r, "path", "") == URL for r in app.routes):
        app.include_router(router, prefix="/api/v1")
    return app


def test_needs_sign_in(routed_app: FastAPI, client: TestClient) -> None:
    assert client.post(URL, json=body()).status_code == 401
    assert client.post(URL, json={}).status_code == 401


def test_managers_only(
    routed_app: FastAPI, client: TestClient, session: Session, auth_headers: TokenFor
) -> None:
    branch = make_branch(session)
    officer = make_user(session, branch, role=Role.officer)
    manager = make_user(session, branch, role=Role.manager)
    refused = client.post(URL, json=body(), headers=auth_headers(officer.username))
    assert refused.status_code == 403
    ok = client.post(URL, json=body(), headers=auth_headers(manager.username))
    assert ok.status_code == 200, ok.text
    assert ok.json()["feasible"] is True
