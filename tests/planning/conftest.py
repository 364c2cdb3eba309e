"""Planning route tests use the shared `client`; until `api/main.py` includes the planning
router, it is included here, ahead of the PWA's catch-all route (a no-op once wired)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    from api.planning.routes import router

    routes = app.router.routes
    if any(getattr(route, "original_router", None) is router for route in routes):
        return app
    app.include_router(router, prefix="/api/v1")
    added = routes.pop()
    first_catch_all = next(
        (
            k
            for k, route in enumerate(routes)
            if getattr(route, "path", None) in ("/{path:path}", "/assets")
        ),
        len(routes),
    )
    routes.insert(first_catch_all, added)
    return app
