"""Request-level middleware: capped (and gzip-inflated) request bodies, concurrency limits,
Server-Timing."""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class BodyLimit:
    """The largest request body accepted under a path prefix, raw and once inflated, and
    what the client should do instead."""

    prefix: str
    limit: int
    advice: str


class RequestBodyMiddleware:
    """Caps every request body, raw and decompressed, before any route (sign-in included)
    sees it; inflates `Content-Encoding: gzip` bodies chunk by chunk, never past the cap.

    A declared `Content-Length` over the cap answers 413 before a byte is read; a chunked
    body is read up to the cap; a gzip body is inflated as it arrives and refused as soon
    as its inflated size passes the cap (a 300 KB bomb costs at most the cap in memory).
    The first matching prefix sets the cap; `default` covers every other path."""

    def __init__(self, app: ASGIApp, *, limits: tuple[BodyLimit, ...], default: BodyLimit) -> None:
        self.app = app
        self.limits = limits
        self.default = default

    def limit_for(self, path: str) -> BodyLimit:
        return next((b for b in self.limits if path.startswith(b.prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        gzipped = headers.get(b"content-encoding", b"").strip().lower() == b"gzip"
        declared = _declared_length(headers.get(b"content-length"))
        if declared is not None and declared > limit.limit:
            await _too_large(send, limit)
            return
        chunked = b"transfer-encoding" in headers
        if not gzipped and not chunked:
            # No body, or one whose declared length the server holds the client to.
            await self.app(scope, receive, send)
            return
        data = await _read_capped(receive, send, limit, gzipped=gzipped)
        if data is None:
            return
        await self.app(_with_length(scope, len(data)), _replay(data, receive), send)


def _declared_length(value: bytes | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class _Refused(Exception):
    """The body cannot be taken; `status` and `detail` say why."""

    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


async def _read_capped(
    receive: Receive, send: Send, limit: BodyLimit, *, gzipped: bool
) -> bytes | None:
    """The body, inflated if gzip, read chunk by chunk and never held past the cap; None
    when the client left or the answer (413 too large, 400 corrupt gzip) has been sent."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS) if gzipped else None
    body = bytearray()
    raw = 0
    more = True
    try:
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk: bytes = message.get("body", b"")
            more = bool(message.get("more_body", False))
            raw += len(chunk)
            if raw > limit.limit:
                raise _too_large_error(limit)
            body.extend(_inflate(inflater, chunk, room=limit.limit - len(body), limit=limit))
        if inflater is not None and (not inflater.eof or inflater.unused_data):
            raise _Refused(400, "BadRequest", "The gzip request body is incomplete or corrupt.")
    except _Refused as refused:
        await _error(send, refused.status, refused.error, refused.detail)
        return None
    return bytes(body)


def _inflate(inflater: Any, chunk: bytes, *, room: int, limit: BodyLimit) -> bytes:
    """`chunk` inflated, at most `room` bytes of it (refused past that); plain when
    `inflater` is None."""
    if inflater is None:
        if len(chunk) > room:
            raise _too_large_error(limit)
        return chunk
    try:
        # max_length is at least 1 here (0 would mean "no limit").
        data: bytes = inflater.decompress(chunk, room + 1)
    except zlib.error as exc:
        raise _Refused(400, "BadRequest", "The gzip request body is corrupt.") from exc
    if len(data) > room or inflater.unconsumed_tail:
        raise _too_large_error(limit)
    return data


def _too_large_error(limit: BodyLimit) -> _Refused:
    size = (
        f"{limit.limit // (1024 * 1024)} MB"
        if limit.limit >= 1024 * 1024
        else f"{limit.limit // 1024} KB"
    )
    return _Refused(
        413,
        "PayloadTooLarge",
        f"The request body is larger than {size} (counted after gzip decompression). "
        f"{limit.advice}",
    )


async def _too_large(send: Send, limit: BodyLimit) -> None:
    refused = _too_large_error(limit)
    await _error(send, refused.status, refused.error, refused.detail)


async def _error(send: Send, status: int, error: str, detail: str) -> None:
    payload = json.dumps({"error": error, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"cache-control", b"no-store"),
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


# The phone app and the console: scripts, styles, workers and data only from this server.
# Images may also be map tiles from the tile server a manager configures (https only), data:
# and blob: (signatures, Leaflet's icons); the agreement PDF is shown from a blob: URL in a
# frame (Chromium's viewer counts as an object there).
APP_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob: https:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "frame-src 'self' blob:",
        "object-src blob:",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# API answers are data, never a document to render.
API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from their CDN with an inline
# bootstrap script; they hold no personal data and get a policy of their own.
DOCS_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
        "font-src https://fonts.gstatic.com",
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "worker-src blob:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
DOCS_PATHS = ("/docs", "/redoc", "/openapi.json")


class SecurityHeadersMiddleware:
    """Security headers on every answer: a Content-Security-Policy (per kind of path),
    `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, a Referrer-Policy that never
    sends a path to another site; and `Cache-Control: no-store` on every API answer (borrower
    records, pulls, PDFs, CSV and XLSX exports carry personal data: no browser or proxy cache
    keeps them). A route's own Cache-Control wins; static files keep theirs."""

    def __init__(self, app: ASGIApp, *, api_prefix: str = "/api/") -> None:
        self.app = app
        self.api_prefix = api_prefix

    def _headers_for(self, path: str) -> list[tuple[bytes, bytes]]:
        api = path.startswith(self.api_prefix)
        docs = path.startswith(DOCS_PATHS)
        csp = API_CSP if api else DOCS_CSP if docs else APP_CSP
        headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        if api:
            headers.append((b"cache-control", b"no-store"))
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
