"""Planning route tests use the shared `client`; until `api/main.py` includes the planning
router, it is included here (a no-op once the lead has wired it)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    from api.planning.routes import router

    if not any(getattr(route, "path", "") == "/api/v1/plans" for route in app.routes):
        app.include_router(router, prefix="/api/v1")
    return app
