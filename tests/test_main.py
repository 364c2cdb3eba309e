from fastapi.testclient import TestClient


def test_health_reports_database(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation_ids = {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    assert {"auth-token", "devices-register", "devices-revoke", "health-get"} <= operation_ids
    assert client.get("/docs").status_code == 200


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "NotFound"


def test_validation_errors_say_what_to_fix(client: TestClient) -> None:
    response = client.post("/api/v1/auth/refresh", json={})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "InvalidInput" and "refresh_token" in body["detail"]
