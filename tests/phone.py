"""A phone as the sync contract sees it: an outbox with per-device ids, a local copy built
from pulls, and a cookie. Drives any HTTP client (TestClient or httpx)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

PNG_1PX = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class HttpResponse(Protocol):
    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    def json(self, **kwargs: Any) -> Any: ...


class HttpClient(Protocol):
    """What a phone needs of a client: httpx.Client and Starlette's TestClient (built on
    httpx2, with its own Response class) both fit."""

    def post(
        self,
        url: str,
        *,
        data: Mapping[str, Any] | None = None,
        json: Any | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse: ...

    def close(self) -> None: ...


@dataclass
class Phone:
    client: HttpClient
    username: str
    password: str = "secret-pass"
    device_id: str = ""
    token: str = ""
    cookie: str | None = None
    next_id: int = 1
    outbox: list[dict[str, Any]] = field(default_factory=list)
    local: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    results: dict[int, str] = field(default_factory=dict)
    wiped: bool = False
    # The phone's clock: client_time is stamped when a push is sent.
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def sign_in(self) -> Phone:
        token = self._token()
        response = self.client.post(
            "/api/v1/devices",
            json={"name": "test phone", "platform": "pytest"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
        self.device_id = response.json()["device_id"]
        self.token = self._token(client_id=self.device_id)
        return self

    def _token(self, **extra: str) -> str:
        response = self.client.post(
            "/api/v1/auth/token",
            data={"username": self.username, "password": self.password, **extra},
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Device-Id": self.device_id}

    # --- outbox ---
    def queue(self, name: str, **args: Any) -> int:
        mutation = {
            "id": self.next_id,
            "name": name,
            "args": _jsonable(args),
        }
        self.next_id += 1
        self.outbox.append(mutation)
        return int(mutation["id"])

    def rendered(self, args: dict[str, Any], *, tz: str = "Asia/Shanghai") -> dict[str, Any]:
        """`agreement.sign` args with the text the phone renders for their terms (asked of
        `POST /agreements/render` for the signing day in `tz`) and its hash."""
        signed_at = datetime.fromisoformat(str(args["signed_at"]).replace("Z", "+00:00"))
        body = {
            "loan_id": str(args["loan_id"]),
            "terms": _jsonable(args["terms"]),
            "signed_on": signed_at.astimezone(ZoneInfo(tz)).date().isoformat(),
        }
        response = self.client.post("/api/v1/agreements/render", json=body, headers=self.headers)
        assert response.status_code == 200, response.text
        rendered = response.json()
        return {**args, "text": rendered["text"], "text_sha256": rendered["text_sha256"]}

    def push(self, *, lose_response: bool = False, limit: int = 100) -> Any:
        sent_at = self.now().isoformat()
        batch = [{**m, "client_time": sent_at} for m in self.outbox[:limit]]
        response = self.client.post(
            "/api/v1/sync/push",
            json={"protocol": 1, "device_id": self.device_id, "mutations": batch},
            headers=self.headers,
        )
        if lose_response:
            return response
        if response.status_code == 200:
            body = response.json()
            for result in body["results"]:
                status = result["status"]
                if status == "duplicate" and result.get("original_status"):
                    status = result["original_status"]
                self.results.setdefault(result["id"], status)
            self.outbox = [m for m in self.outbox if m["id"] > body["last_mutation_id"]]
        elif response.status_code == 401 and response.json().get("wipe"):
            self.wipe()
        return response

    def pull(self) -> Any:
        while True:
            response = self.client.post(
                "/api/v1/sync/pull",
                json={"protocol": 1, "device_id": self.device_id, "cookie": self.cookie},
                headers=self.headers,
            )
            if response.status_code == 401 and response.json().get("wipe"):
                self.wipe()
                return response
            assert response.status_code == 200, response.text
            body = response.json()
            if body["control"] == "wipe":
                self.wipe()
                return response
            if body["reset"]:
                self.local.clear()
            for change in body["changes"]:
                key = (change["entity"], change["id"])
                if change["op"] == "put":
                    self.local[key] = {"version": change["version"], "data": change["data"]}
                else:
                    self.local.pop(key, None)
            self.outbox = [m for m in self.outbox if m["id"] > body["last_mutation_id"]]
            self.cookie = body["cookie"]
            if not body["has_more"]:
                return response

    def sync(self) -> None:
        while self.outbox:
            response = self.push()
            assert response.status_code == 200, response.text
        self.pull()

    def wipe(self) -> None:
        self.wiped = True
        self.local.clear()
        self.cookie = None

    def ids(self, entity: str) -> set[str]:
        return {row_id for (kind, row_id) in self.local if kind == entity}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def agreement_args(
    *, visit_id: object, loan_id: object, principal_fen: int = 300_000, text: str = "协议文本"
) -> dict[str, Any]:
    return {
        "agreement_id": str(uuid.uuid4()),
        "visit_id": str(visit_id),
        "loan_id": str(loan_id),
        "terms": {
            "principal_fen": principal_fen,
            "down_payment_fen": principal_fen - 2 * (principal_fen // 3),
            "schedule": [
                {"due_date": "2026-12-23", "amount_fen": principal_fen // 3},
                {"due_date": "2027-01-23", "amount_fen": principal_fen // 3},
            ],
        },
        "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "borrower_signature": PNG_1PX,
        "officer_signature": PNG_1PX,
        "signed_at": "2026-11-23T03:00:00Z",
        "location": {"lat": 37.34, "lon": 116.58, "accuracy_m": 12},
    }
