"""Every answer of the API matches its OpenAPI schema: schemathesis generates requests for
each operation (valid ones, and a few invalid ones) and checks the status code is documented
and the body matches the documented model, once signed in as a manager and once as an officer.

Bounded and deterministic: a few derandomized examples per operation, no shrinking, no
example database. Failures are collected over all operations and reported together.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from models import ChangeRequest, MutationLog, SafetyAlert
from models.enums import Role
from tests.conftest import FIXED_NOW, TokenFor
from tests.factories import make_device
from tests.sync.conftest import World, world

__all__ = ["world"]

# A 500 may be documented (the PDF font), so "no server error" is its own check.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 4}
# The solver runs for seconds per call; its contract is checked with fewer examples.
SLOW = {"routing-solve": 2, "plans-create": 2, "plans-optimise": 2}
# Operations whose documented answer here is 503: the test server has no geocoder.
UNAVAILABLE_HERE = {"geocode-search": "GeocoderUnreachable"}


def _review_rows(session: Session, world: World) -> None:
    """A flagged phone entry, an open change request and an SOS: the review list, the day
    view and the alerts then have rows to describe."""
    device = make_device(session, world.alice)
    visit = world.visits[0]
    session.add(
        MutationLog(
            device_id=device.id,
            user_id=world.alice.id,
            branch_id=world.branch.id,
            mutation_id=1,
            name="note.add",
            args={"visit_id": str(visit.id), "text": "门口有狗"},
            received_at=FIXED_NOW,
            status="flagged",
            reason="late",
        )
    )
    session.add(
        ChangeRequest(
            id=uuid.uuid4(),
            visit_id=visit.id,
            borrower_id=visit.borrower_id,
            branch_id=world.branch.id,
            officer_id=world.alice.id,
            kind="reschedule",
            proposed={"date": "2026-11-30"},
            created_at=FIXED_NOW,
        )
    )
    session.add(
        SafetyAlert(
            id=uuid.uuid4(),
            branch_id=world.branch.id,
            officer_id=world.alice.id,
            visit_id=visit.id,
            kind="sos",
            at=FIXED_NOW - timedelta(minutes=5),
            received_at=FIXED_NOW,
            lat=37.3,
            lon=116.5,
            message="help",
        )
    )
    session.flush()


def _describe(operation: Any, exc: BaseException) -> list[tuple[str, str]]:
    failures = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
    return [
        (f"{operation.label} [{type(f).__name__}: {getattr(f, 'title', '')}]", str(f)[:1500])
        for f in failures
    ]


def _explore(
    operation: Any, *, call: Callable[[Any], Any], fixed: dict[str, str]
) -> dict[str, str]:
    """Run the checks on a few generated cases of one operation; failures by kind."""
    found: dict[str, str] = {}
    per_mode = SLOW.get(operation.definition.raw.get("operationId", ""))
    for mode, examples in EXAMPLES.items():
        strategy = operation.as_strategy(generation_mode=mode, headers=fixed)

        @settings(
            max_examples=per_mode or examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            response = call(case)
            expected = UNAVAILABLE_HERE.get(operation.definition.raw.get("operationId", ""))
            if expected and response.status_code == 503:
                assert response.json()["error"] == expected
                return
            try:
                case.validate_response(response, checks=CHECKS)
            except (Failure, FailureGroup) as exc:
                for key, message in _describe(operation, exc):
                    found.setdefault(key, message)

        try:
            run()
        except Unsatisfiable:
            if mode is not GenerationMode.NEGATIVE:
                raise  # nothing to make invalid (no parameters, no body) is fine
    return found


@pytest.mark.parametrize("role", [Role.manager, Role.officer])
def test_every_answer_matches_the_openapi_schema(
    app: FastAPI, session: Session, world: World, auth_headers: TokenFor, role: Role
) -> None:
    _review_rows(session, world)
    user = world.manager if role == Role.manager else world.alice
    device = make_device(session, user)
    headers = auth_headers(user.username)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the schema has an invalid operation: {result}"
        operation = result.ok()
        failures.update(
            _explore(
                operation,
                call=lambda case: case.call(headers=headers),
                fixed={"x-device-id": str(device.id)},
            )
        )
    listing = "\n".join(sorted(failures))
    assert not failures, listing + "\n\n" + "\n\n".join(failures[k] for k in sorted(failures))
