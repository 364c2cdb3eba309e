"""Domain errors carry their HTTP status; one handler renders `{"error", "detail", ...}`.

The models below describe those bodies in the OpenAPI schema, and `error_responses` gives the
`responses=` entries that `api.main` applies where it includes each router.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("fieldvisit")


class DomainError(Exception):
    """An error the user can act on. A subclass names its status in the class line
    (`class NotFound(DomainError, status=404)`); its `error` is the class name unless the
    body of the class sets another."""

    status_code: ClassVar[int] = 400
    error: ClassVar[str] = "BadRequest"

    def __init_subclass__(cls, *, status: int | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status_code = status
        if "error" not in cls.__dict__:
            cls.error = cls.__name__

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "detail": self.detail, **self.extra}


class InvalidInput(DomainError, status=422):
    """The request is well formed but its values cannot be used."""


class NotAuthenticated(DomainError, status=401):
    """No token, or one that expired or was revoked."""

    def __init__(self, detail: str = "Sign in first.", **extra: Any):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extra)


class DeviceRevoked(DomainError, status=401):
    """The phone was revoked: it must erase what it holds (`wipe`)."""

    def __init__(self, detail: str = "This device was revoked; its data must be erased.") -> None:
        super().__init__(detail, wipe=True)


class Forbidden(DomainError, status=403):
    """Signed in, but not allowed to do this (wrong role, or not your device)."""


class DeviceRetired(Forbidden):
    """The phone was retired: it may still push its outbox and pull (which wipes it),
    nothing else."""

    error = "DeviceRetired"

    def __init__(
        self,
        detail: str = "This phone was retired. It may only send what it still holds; "
        "use your new phone.",
    ) -> None:
        super().__init__(detail)


class PhoneBlocked(Forbidden):
    """A device of this user was revoked: no new phone until a manager re-enables it."""

    error = "PhoneBlocked"

    def __init__(
        self,
        detail: str = "Your phone was revoked. Ask your branch manager to re-enable your "
        "phone, then sign in again.",
    ) -> None:
        super().__init__(detail)


class NotFound(DomainError, status=404):
    """No such row, or not in the caller's branch (the two look the same on purpose)."""


class Conflict(DomainError, status=409):
    """The state changed under the request; reload and decide again."""


class MutationGap(Conflict):
    """A push skipped mutation ids; `expected` is the id to send first."""


class PayloadTooLarge(DomainError, status=413):
    """Too much in one request; send it in smaller parts."""


class UpgradeRequired(DomainError, status=426):
    """The phone speaks an old sync protocol; `supported` lists the ones the server speaks."""


class PolicyViolation(DomainError, status=422):
    """The branch's compliance policy forbids this; `rules` names the rule ids."""


class TooManyAttempts(DomainError, status=429):
    """Too many failed sign-ins; the `Retry-After` header says how long to wait."""


# --- The bodies, as the OpenAPI schema describes them ---------------------------------------


class ErrorBody(BaseModel):
    """Every error answer: a stable `error` name for code and a `detail` for people.
    Some errors add fields (see the status-specific models)."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="Stable name of the error, e.g. NotFound.")
    detail: str = Field(description="What went wrong and what to do, in plain words.")


class UnauthorizedBody(ErrorBody):
    wipe: bool | None = Field(
        default=None, description="Present (true) when the device was revoked: erase its data."
    )


class ConflictBody(ErrorBody):
    expected: int | None = Field(
        default=None, description="MutationGap: the mutation id the server expects next."
    )
    agreement_id: str | None = Field(
        default=None, description="The newer agreement that stands in the way."
    )


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class InvalidInputBody(ErrorBody):
    errors: list[FieldError] | None = Field(
        default=None, description="Request validation: one entry per field that failed."
    )
    rules: list[str] | None = Field(
        default=None, description="PolicyViolation: the ids of the rules broken."
    )
    min_staff: int | None = Field(default=None, description="PolicyViolation: staff required.")


class UpgradeRequiredBody(ErrorBody):
    supported: list[int] = Field(description="The sync protocol versions the server speaks.")


def _retry_after(meaning: str) -> dict[str, Any]:
    return {"Retry-After": {"description": meaning, "schema": {"type": "string"}}}


# status -> (model, description, headers)
_ERROR_DOCS: dict[int, tuple[type[ErrorBody], str, dict[str, Any]]] = {
    400: (ErrorBody, "The request body cannot be read (corrupt gzip or JSON).", {}),
    401: (UnauthorizedBody, "Not signed in, or the device was revoked.", {}),
    403: (ErrorBody, "Not allowed for your role or device.", {}),
    404: (ErrorBody, "No such resource in your branch.", {}),
    409: (ConflictBody, "The state changed; reload and try again.", {}),
    413: (ErrorBody, "The request body is too large; send less at once.", {}),
    422: (InvalidInputBody, "Invalid input, or the branch policy forbids it.", {}),
    426: (UpgradeRequiredBody, "Update the app: this sync protocol is not supported.", {}),
    429: (ErrorBody, "Too many attempts.", _retry_after("Seconds to wait before trying again.")),
    500: (ErrorBody, "The server is not set up for this; tell its administrator.", {}),
    503: (ErrorBody, "Busy or unavailable; nothing was lost.", _retry_after("Seconds to wait.")),
}
ERROR_STATUSES = frozenset(_ERROR_DOCS)


def error_responses(statuses: set[int] | frozenset[int]) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting the error bodies of `statuses`."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in sorted(statuses):
        model, description, headers = _ERROR_DOCS[status]
        doc: dict[str, Any] = {"model": model, "description": description}
        if headers:
            doc["headers"] = headers
        responses[status] = doc
    return responses


# --- Rendering -----------------------------------------------------------------------------


def error_response(exc: DomainError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "Invalid request."


def validation_body(exc: RequestValidationError) -> dict[str, Any]:
    """FastAPI's validation failure as an `InvalidInput` body, with one entry per field."""
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return {"error": "InvalidInput", "detail": _validation_message(exc), "errors": errors}


# Starlette's own HTTP errors (unknown path, wrong method) under our error names.
_HTTP_NAMES = {401: "NotAuthenticated", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed"}
_BUSY = "The server is busy. Nothing was lost; try again in a moment."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(exc), status_code=422)

    @app.exception_handler(OperationalError)
    async def _transient(_request: Request, exc: OperationalError) -> JSONResponse:
        # Lost connection, lock timeout, serialisation failure: nothing was committed.
        log.warning("transient database failure: %s", type(exc.orig).__name__)
        body = {"error": "ServiceUnavailable", "detail": _BUSY}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = {"error": _HTTP_NAMES.get(exc.status_code, "HTTPError"), "detail": str(exc.detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
