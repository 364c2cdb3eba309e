"""The application factory: routers, error handlers and the PWA's static files."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import text

from api.agreements.routes import router as agreements_router
from api.auth.routes import router as auth_router
from api.complaints.routes import router as complaints_router
from api.compliance.logs import install_log_redaction
from api.compliance.routes import router as compliance_router
from api.config import Settings, get_settings
from api.day.routes import router as day_router
from api.deps import SessionDep
from api.errors import NotFound, error_responses, install_error_handlers
from api.feedback.routes import router as feedback_router
from api.geo.routes import router as geo_router
from api.history.routes import router as history_router
from api.imports.routes import MAX_UPLOAD_BYTES
from api.imports.routes import router as imports_router
from api.middleware import (
    BodyLimit,
    ConcurrencyLimitMiddleware,
    RequestBodyMiddleware,
    SecurityHeadersMiddleware,
    ServerTimingMiddleware,
)
from api.planning.routes import router as planning_router
from api.reminders.routes import router as reminders_router
from api.reports.routes import router as reports_router
from api.review.routes import router as review_router
from api.routing.routes import router as routing_router
from api.safety.routes import router as safety_router
from api.sync.protocol import MAX_BODY_BYTES
from api.sync.routes import router as sync_router
from api.visits.routes import router as visits_router

log = logging.getLogger("fieldvisit")

API_PREFIX = "/api/v1"


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get(
        "/health",
        operation_id="health-get",
        response_model=Health,
        responses={503: {"model": Health, "description": "The database is unreachable."}},
    )
    def health(session: SessionDep) -> JSONResponse:
        try:
            session.execute(text("SELECT 1"))
            database = "ok"
        except Exception:  # health must answer, not raise
            log.exception("health check: database unreachable")
            database = "unreachable"
        status = "ok" if database == "ok" else "degraded"
        return JSONResponse(
            {"status": status, "database": database}, status_code=200 if status == "ok" else 503
        )

    return router


# Every signed-in route can answer these: a corrupt gzip or JSON body (400), no or bad token
# (401), wrong role or device (403), nothing of that id in the caller's branch (404), a body
# too large once inflated (413), invalid input (422), database busy (503).
SIGNED_IN_ERRORS = frozenset({400, 401, 403, 404, 413, 422, 503})
# What each router's routes can answer besides: conflicts (409), an old sync protocol (426),
# too many sign-ins (429).
ROUTER_ERRORS: tuple[tuple[APIRouter, frozenset[int]], ...] = (
    (auth_router, frozenset({409, 429})),
    (visits_router, frozenset({409})),
    (sync_router, frozenset({409, 426})),
    (routing_router, frozenset()),
    (imports_router, frozenset()),
    (planning_router, frozenset({409})),
    (reports_router, frozenset()),
    (review_router, frozenset({409})),
    (day_router, frozenset()),
    (agreements_router, frozenset({409})),
    (compliance_router, frozenset({409})),
    (safety_router, frozenset({409})),
    (geo_router, frozenset({409})),
    (reminders_router, frozenset()),
    (history_router, frozenset()),
    (complaints_router, frozenset({409})),
    (feedback_router, frozenset({409})),
)


# Request bodies, raw and once inflated: sync pushes, import files (plus the multipart
# envelope), and 1 MB for everything else (sign-in, plans, reviews: a few KB in practice).
BODY_LIMITS = (
    BodyLimit(f"{API_PREFIX}/sync/", MAX_BODY_BYTES, "Send fewer entries per request."),
    BodyLimit(
        f"{API_PREFIX}/imports/",
        MAX_UPLOAD_BYTES + 1024 * 1024,
        "Split the file into several files and import them one after the other.",
    ),
)
DEFAULT_BODY_LIMIT = BodyLimit("/", 1024 * 1024, "Send less data in one request.")


def _mount_pwa(app: FastAPI, dist: Path) -> None:
    index = dist / "index.html"
    if not index.is_file():
        log.warning("PWA not built at %s; run `make install`", dist)
        return
    app.mount("/assets", StaticFiles(directory=dist / "assets", check_dir=False), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> FileResponse:
        if path.startswith("api/"):
            raise NotFound(f"No API endpoint at /{path}.")
        # Files at the top of dist (sw.js, manifest, icons) as they are; every other path is
        # a client-side route of the single-page app.
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and dist.resolve() in candidate.parents:
            headers = {"Cache-Control": "no-cache"} if path in ("sw.js", "index.html") else None
            return FileResponse(candidate, headers=headers)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    install_log_redaction()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        log.info("fieldvisit starting (env=%s)", settings.env)
        yield

    app = FastAPI(
        title="fieldvisit",
        version="0.1.0",
        description="Field visit companion for overdue-loan home visits.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    # The last added runs first: bodies are capped and inflated inside the concurrency limit.
    app.add_middleware(RequestBodyMiddleware, limits=BODY_LIMITS, default=DEFAULT_BODY_LIMIT)
    app.add_middleware(
        ConcurrencyLimitMiddleware,
        limit=settings.max_concurrent_requests,
        sync_limit=settings.max_concurrent_syncs,
    )
    app.add_middleware(ServerTimingMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.include_router(_health_router(), prefix=API_PREFIX)
    for router, errors in ROUTER_ERRORS:
        responses = error_responses(SIGNED_IN_ERRORS | errors)
        app.include_router(router, prefix=API_PREFIX, responses=responses)
    _mount_pwa(app, settings.pwa_dist)
    return app
