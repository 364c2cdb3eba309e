"""Domain errors carry their HTTP status; one handler renders `{"error", "detail", ...}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("fieldvisit")


class DomainError(Exception):
    status_code = 400
    error = "BadRequest"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "detail": self.detail, **self.extra}


class InvalidInput(DomainError):
    status_code = 422
    error = "InvalidInput"


class NotAuthenticated(DomainError):
    status_code = 401
    error = "NotAuthenticated"

    def __init__(self, detail: str = "Sign in first.", **extra: Any):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extra)


class DeviceRevoked(DomainError):
    status_code = 401
    error = "DeviceRevoked"

    def __init__(self, detail: str = "This device was revoked; its data must be erased.") -> None:
        super().__init__(detail, wipe=True)


class Forbidden(DomainError):
    status_code = 403
    error = "Forbidden"


class NotFound(DomainError):
    status_code = 404
    error = "NotFound"


class Conflict(DomainError):
    status_code = 409
    error = "Conflict"


class MutationGap(Conflict):
    error = "MutationGap"


class PayloadTooLarge(DomainError):
    status_code = 413
    error = "PayloadTooLarge"


class UpgradeRequired(DomainError):
    status_code = 426
    error = "UpgradeRequired"


class PolicyViolation(DomainError):
    status_code = 422
    error = "PolicyViolation"


class TooManyAttempts(DomainError):
    status_code = 429
    error = "TooManyAttempts"


def error_response(exc: DomainError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "Invalid request."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        body = {"error": "InvalidInput", "detail": _validation_message(exc), "errors": errors}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(OperationalError)
    async def _transient(_request: Request, exc: OperationalError) -> JSONResponse:
        # Lost connection, lock timeout, serialisation failure: nothing was committed.
        log.warning("transient database failure: %s", type(exc.orig).__name__)
        body = {
            "error": "ServiceUnavailable",
            "detail": "The server is busy. Nothing was lost; try again in a moment.",
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {
            401: "NotAuthenticated",
            403: "Forbidden",
            404: "NotFound",
            405: "MethodNotAllowed",
        }
        body = {"error": names.get(exc.status_code, "HTTPError"), "detail": str(exc.detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
