"""The request-level middleware: concurrency limits and Server-Timing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.middleware import ConcurrencyLimitMiddleware, ServerTimingMiddleware


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
