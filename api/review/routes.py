"""The review list and the manager's decisions on it."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi import APIRouter

from api.deps import ClockDep, CurrentManager, SessionDep
from api.review import service
from api.review.schemas import (
    DecisionBody,
    ResolveBody,
    ResolvedEntry,
    ReviewChangeRequest,
    ReviewList,
    ReviewMutation,
)

router = APIRouter(tags=["review"])


@router.get("/review", operation_id="review-list", response_model=ReviewList)
def review_list(manager: CurrentManager, session: SessionDep) -> ReviewList:
    """Flagged and rejected entries from phones, and open change requests, of the branch."""
    return ReviewList(
        mutations=[
            ReviewMutation(
                id=log.id or 0,
                device_id=log.device_id,
                officer_id=log.user_id,
                officer_name=name,
                mutation_id=log.mutation_id,
                name=log.name,
                args=log.args,
                status=log.status,
                reason=log.reason,
                client_time=log.client_time,
                received_at=log.received_at,
            )
            for log, name in service.list_entries(session=session, manager=manager)
        ],
        change_requests=[
            ReviewChangeRequest.model_validate(r, from_attributes=True).model_copy(
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
    response_model=ResolvedEntry,
)
def resolve(
    entry_id: int, body: ResolveBody, manager: CurrentManager, session: SessionDep, now: ClockDep
) -> ResolvedEntry:
    entry = service.resolve_entry(
        session=session, manager=manager, entry_id=entry_id, note=body.note, now=now
    )
    return ResolvedEntry.model_validate(entry, from_attributes=True)


def _decide(decision: service.Decision) -> Callable[..., ReviewChangeRequest]:
    """The route that approves or declines a change request (the two differ only here)."""

    def decide(
        request_id: uuid.UUID,
        body: DecisionBody,
        manager: CurrentManager,
        session: SessionDep,
        now: ClockDep,
    ) -> ReviewChangeRequest:
        request = service.decide_change_request(
            session=session,
            manager=manager,
            request_id=request_id,
            decision=decision,
            reason=body.reason,
            now=now,
        )
        return ReviewChangeRequest.model_validate(request, from_attributes=True)

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
        response_model=ReviewChangeRequest,
        name=action,
        summary=action.capitalize(),
    )
