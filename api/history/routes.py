"""The borrower file's timeline."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentUser, SessionDep
from api.history import service
from api.history.schemas import HistoryPage

router = APIRouter(tags=["borrowers"])


@router.get(
    "/borrowers/{borrower_id}/history",
    operation_id="borrowers-history",
    response_model=HistoryPage,
)
def borrower_history(
    borrower_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    before: Annotated[str | None, Query(max_length=200)] = None,
) -> HistoryPage:
    """Everything that happened with the borrower, newest first: visits with outcomes and
    assessment, skipped visits, notes, calls and messages, promises, agreements with their
    instalments, payments, change requests with decisions, location changes. A manager of
    the branch, or an officer with a visit to the borrower; pass `next` as `before` for
    older items."""
    return service.borrower_history(
        session=session, user=user, borrower_id=borrower_id, limit=limit, before=before
    )
