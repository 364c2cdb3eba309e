"""Request bodies: gzip-encoded bodies are accepted, and sync bodies are capped."""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestBodyMiddleware:
    """Decompresses `Content-Encoding: gzip` bodies and refuses bodies over `limit` bytes on
    the paths it guards (decompressed size counts, so a small bomb cannot get through)."""

    def __init__(self, app: ASGIApp, *, limited_prefixes: tuple[str, ...], limit: int) -> None:
        self.app = app
        self.limited_prefixes = limited_prefixes
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        gzipped = headers.get(b"content-encoding", b"").strip().lower() == b"gzip"
        limited = scope["path"].startswith(self.limited_prefixes)
        if not gzipped and not limited:
            await self.app(scope, receive, send)
            return
        # Only a plain body can be refused while it arrives: a gzip body's size is known
        # once inflated.
        body = await self._receive_body(receive, send, cap=limited and not gzipped)
        if body is None:
            return
        data = await self._inflate(body, send, limited=limited) if gzipped else body
        if data is None:
            return
        if limited and len(data) > self.limit:
            await self._too_large(send)
            return
        await self.app(_with_length(scope, len(data)), _replay(data, receive), send)

    async def _receive_body(self, receive: Receive, send: Send, *, cap: bool) -> bytes | None:
        """The whole request body; None when the client left, or when `cap` and the body
        grew past the limit (then 413 has been sent)."""
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if cap and len(body) > self.limit:
                await self._too_large(send)
                return None
        return bytes(body)

    async def _inflate(self, body: bytes, send: Send, *, limited: bool) -> bytes | None:
        """The gzip body inflated, never past a cap (the limit, or 64 times it on other
        paths); None when it is bigger (413) or corrupt (400), with the answer sent."""
        try:
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            data = inflater.decompress(body, self.limit + 1 if limited else 64 * self.limit)
            if inflater.unconsumed_tail:
                await self._too_large(send)
                return None
        except zlib.error:
            await self._error(send, 400, "BadRequest", "The gzip request body is corrupt.")
            return None
        return data

    async def _too_large(self, send: Send) -> None:
        mb = self.limit // (1024 * 1024)
        await self._error(
            send,
            413,
            "PayloadTooLarge",
            f"The request body is larger than {mb} MB. Send fewer entries per request.",
        )

    @staticmethod
    async def _error(send: Send, status: int, error: str, detail: str) -> None:
        payload = json.dumps({"error": error, "detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _with_length(scope: Scope, length: int) -> Scope:
    """The scope of a body now sent plain: no Content-Encoding, its real Content-Length."""
    replaced = dict(scope)
    replaced["headers"] = [
        (k, v)
        for k, v in scope.get("headers", [])
        if k.lower() not in (b"content-encoding", b"content-length")
    ] + [(b"content-length", str(length).encode())]
    return replaced


def _replay(data: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body read already, then listens to the client."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": data, "more_body": False}

    return replay


class ConcurrencyLimitMiddleware:
    """At most `limit` API requests in the worker at once, of which at most `sync_limit`
    sync calls; the rest wait in the event loop.

    Route code runs in a thread pool and holds a database connection across several
    thread hops; if waiting requests took every thread, the one holding the connection
    (or SQLite's write lock) could not finish. Queueing here keeps threads free. Sync calls
    get their own, smaller limit: a few at a time finish sooner than many interleaved on
    the interpreter lock, and a manager's long solve never holds up the phones."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        sync_limit: int,
        prefix: str = "/api/",
        sync_prefix: str = "/api/v1/sync/",
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.sync_prefix = sync_prefix
        self.semaphore = asyncio.Semaphore(limit)
        self.sync_semaphore = asyncio.Semaphore(sync_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(self.sync_prefix):
            async with self.sync_semaphore:
                await self.app(scope, receive, send)
            return
        async with self.semaphore:
            await self.app(scope, receive, send)


class ServerTimingMiddleware:
    """`Server-Timing: app;dur=<ms>` on API responses: the time from the request reaching
    the application to its response starting, queueing in this worker included. Lets a
    phone or a load test tell server time from network time."""

    def __init__(self, app: ASGIApp, *, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f"app;dur={elapsed_ms:.1f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)
