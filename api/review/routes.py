"""The review list and the manager's decisions on it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import ClockDep, CurrentManager, SessionDep
from api.review import schemas, service

router = APIRouter(tags=["review"])
# Entry ids are the log's 32-bit keys: a larger number is no entry, not a database error.
EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/review", operation_id="review-list", response_model=schemas.ReviewList)
def review_list(manager: CurrentManager, session: SessionDep) -> schemas.ReviewList:
    """Flagged and rejected entries from phones, and open change requests, of the branch."""
    return schemas.ReviewList(
        mutations=[
            schemas.review_mutation(log, name)
            for log, name in service.list_entries(session=session, manager=manager)
        ],
        change_requests=[
            schemas.ReviewChangeRequest.model_validate(r, from_attributes=True).model_copy(
                update={"borrower_name": borrower, "officer_name": officer}
            )
            for r, borrower, officer in service.list_change_requests(
                session=session, manager=manager
            )
        ],
    )


@router.post(
    "/review/entries/{entry_id}/resolve",
    operation_id="review-resolve",
    response_model=schemas.ResolvedEntry,
)
def resolve(
    entry_id: EntryId,
    body: schemas.ResolveBody,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> schemas.ResolvedEntry:
    entry = service.resolve_entry(
        session=session, manager=manager, entry_id=entry_id, note=body.note, now=now
    )
    return schemas.ResolvedEntry.model_validate(entry, from_attributes=True)


def _decide(decision: service.Decision) -> Callable[..., schemas.ReviewChangeRequest]:
    """The route that approves or declines a change request (the two differ only here)."""

    def decide(
        request_id: uuid.UUID,
        body: schemas.DecisionBody,
        manager: CurrentManager,
        session: SessionDep,
        now: ClockDep,
    ) -> schemas.ReviewChangeRequest:
        request = service.decide_change_request(
            session=session,
            manager=manager,
            request_id=request_id,
            decision=decision,
            reason=body.reason,
            now=now,
        )
        return schemas.ReviewChangeRequest.model_validate(request, from_attributes=True)

    return decide


DECISIONS: tuple[tuple[str, service.Decision], ...] = (
    ("approve", "approved"),
    ("decline", "declined"),
)
for action, decision in DECISIONS:
    router.add_api_route(
        f"/change-requests/{{request_id}}/{action}",
        _decide(decision),
        methods=["POST"],
        operation_id=f"change-requests-{action}",
        response_model=schemas.ReviewChangeRequest,
        name=action,
        summary=action.capitalize(),
    )
