"""The request-level middleware: body caps, concurrency limits and Server-Timing."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.middleware import (
    BodyLimit,
    ConcurrencyLimitMiddleware,
    RequestBodyMiddleware,
    ServerTimingMiddleware,
)


class CountingApp:
    """An ASGI app that records how many calls run at once, per path group."""

    def __init__(self) -> None:
        self.running: dict[str, int] = {"sync": 0, "other": 0}
        self.peak: dict[str, int] = {"sync": 0, "other": 0}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        group = "sync" if "/sync/" in scope["path"] else "other"
        self.running[group] += 1
        self.peak[group] = max(self.peak[group], self.running[group])
        await asyncio.sleep(0.01)
        self.running[group] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _call(app: Any, path: str) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "http", "path": path, "headers": []}, receive, send)
    return sent


def test_sync_calls_have_their_own_smaller_limit() -> None:
    inner = CountingApp()
    app = ConcurrencyLimitMiddleware(inner, limit=5, sync_limit=2)  # type: ignore[arg-type]

    async def burst() -> None:
        paths = ["/api/v1/sync/push"] * 10 + ["/api/v1/plans"] * 10
        await asyncio.gather(*(_call(app, p) for p in paths))

    asyncio.run(burst())
    assert inner.peak == {"sync": 2, "other": 5}


def test_a_full_sync_limit_does_not_hold_up_other_calls() -> None:
    inner = CountingApp()
    app = ConcurrencyLimitMiddleware(inner, limit=5, sync_limit=1)  # type: ignore[arg-type]
    finished: list[str] = []

    async def call(path: str) -> None:
        await _call(app, path)
        finished.append(path)

    async def scenario() -> None:
        syncs = [asyncio.create_task(call("/api/v1/sync/pull")) for _ in range(20)]
        await asyncio.sleep(0)
        await call("/api/v1/day")
        await asyncio.gather(*syncs)

    asyncio.run(scenario())
    # The 20 syncs run one at a time; the other call does not queue behind them.
    assert finished.index("/api/v1/day") <= 2


@pytest.mark.parametrize(("path", "timed"), [("/api/v1/health", True), ("/assets/app.js", False)])
def test_server_timing_on_api_responses(path: str, timed: bool) -> None:
    app = ServerTimingMiddleware(CountingApp())  # type: ignore[arg-type]
    start = asyncio.run(_call(app, path))[0]
    headers = dict(start["headers"])
    assert (b"server-timing" in headers) is timed
    if timed:
        name, _, duration = headers[b"server-timing"].decode().partition(";dur=")
        assert name == "app" and float(duration) >= 5.0


# --- Request bodies: capped raw and inflated on every path (issue 13, item 1) ---

BOMB_INFLATED = 40 * 1024 * 1024  # 40 MB of "A": about 40 KB once gzipped


def _bomb(size: int = BOMB_INFLATED) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"A" * (1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + compressor.flush()


class CountingInflater:
    """Wraps zlib's decompressor and counts the bytes it has produced."""

    produced = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._inner = REAL_DECOMPRESSOBJ(*args, **kwargs)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = self._inner.decompress(data, max_length)
        CountingInflater.produced += len(out)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


REAL_DECOMPRESSOBJ = zlib.decompressobj


@pytest.fixture
def counting_inflater(monkeypatch: pytest.MonkeyPatch) -> type[CountingInflater]:
    CountingInflater.produced = 0
    monkeypatch.setattr("api.middleware.zlib.decompressobj", CountingInflater)
    return CountingInflater


@pytest.mark.parametrize(
    "path", ["/api/v1/auth/refresh", "/api/v1/auth/token", "/api/v1/sync/push", "/anything"]
)
def test_gzip_bomb_is_refused_before_auth_without_inflating_it(
    client: TestClient, counting_inflater: type[CountingInflater], path: str
) -> None:
    bomb = _bomb()
    assert len(bomb) < 100_000
    response = client.post(
        path,
        content=bomb,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text
    assert "after gzip decompression" in response.json()["detail"]
    # Inflation stopped one byte past the cap (at most 5 MB on sync), not at 40 MB.
    assert counting_inflater.produced <= 5 * 1024 * 1024 + 1


def test_large_plain_body_is_refused_before_auth_and_parsing(client: TestClient) -> None:
    body = b'{"refresh_token": "' + b"A" * (60 * 1024 * 1024) + b'"}'
    response = client.post(
        "/api/v1/auth/refresh", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]


def test_chunked_body_is_cut_off_at_the_cap() -> None:
    inner = CountingApp()
    app = RequestBodyMiddleware(
        inner,  # type: ignore[arg-type]
        limits=(),
        default=BodyLimit("/", 1000, "Send less."),
    )
    chunks = [b"x" * 400] * 10
    read: list[bytes] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks[len(read)]
        read.append(chunk)
        return {"type": "http.request", "body": chunk, "more_body": len(read) < len(chunks)}

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "path": "/api/v1/x", "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert len(read) == 3  # stopped reading once past 1000 bytes
    assert inner.peak["other"] == 0


def test_declared_length_over_the_cap_is_refused_before_reading() -> None:
    app = RequestBodyMiddleware(
        CountingApp(),  # type: ignore[arg-type]
        limits=(BodyLimit("/api/v1/imports/", 10_000, "Split the file."),),
        default=BodyLimit("/", 1000, "Send less."),
    )
    read: list[int] = []

    async def receive() -> dict[str, Any]:
        read.append(1)
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    for path, status in (("/api/v1/auth/token", 413), ("/api/v1/imports/loans", 200)):
        sent.clear()
        scope = {"type": "http", "path": path, "headers": [(b"content-length", b"5000")]}
        asyncio.run(app(scope, receive, send))
        assert sent[0]["status"] == status
    assert read == []


def test_truncated_gzip_is_a_400(client: TestClient) -> None:
    body = gzip.compress(b'{"refresh_token": "x"}')[:-6]
    response = client.post(
        "/api/v1/auth/refresh",
        content=body,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and "gzip" in response.json()["detail"]


def test_bodies_are_read_inside_the_concurrency_limit(app: FastAPI) -> None:
    order: list[object] = [m.cls for m in app.user_middleware]  # outermost first
    assert order.index(ConcurrencyLimitMiddleware) < order.index(RequestBodyMiddleware)
