"""The borrower file: a page of a borrower's timeline for the console (and an officer), and
the recent timelines the phones hold. Reads only."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from api.history.cursor import decode
from api.history.schemas import HistoryItem, HistoryPage
from api.history.sources import SOURCES, Entry, Query, reason_labels
from api.scoping import branch_column
from api.visits.repository import get_readable_borrower
from models import User

MAX_PAGE = 100
# The phone's copy: the last 90 days, at most 50 items per borrower.
PHONE_DAYS = 90
PHONE_ITEMS = 50


def _names(session: Session, branch_id: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = session.exec(
        select(User.id, User.full_name).where(branch_column(User) == branch_id)
    ).all()
    return dict(rows)


def _collect(session: Session, q: Query) -> list[Entry]:
    """Every source's rows in the window, merged newest first."""
    entries: list[Entry] = []
    for source in SOURCES:
        entries.extend(source(session, q))
    if q.before is not None:  # the sources filter already; this keeps the merge exact too
        entries = [e for e in entries if e.pos < q.before]
    entries.sort(key=lambda e: e.pos, reverse=True)
    return entries


def borrower_history(
    *, session: Session, user: User, borrower_id: uuid.UUID, limit: int, before: str | None
) -> HistoryPage:
    """A page of the borrower's file, newest first: a manager of the branch, or an officer
    on a visit to the borrower (404 otherwise, as for the borrower itself)."""
    borrower = get_readable_borrower(session, user=user, borrower_id=borrower_id)
    limit = max(1, min(limit, MAX_PAGE))
    q = Query(
        borrower_ids=[borrower.id],
        limit=limit + 1,
        before=decode(before) if before else None,
        names=_names(session, borrower.branch_id),
        reasons=reason_labels(session),
    )
    entries = _collect(session, q)
    page = entries[:limit]
    more = len(entries) > limit
    return HistoryPage(
        items=[HistoryItem.model_validate(e.item) for e in page],
        next=page[-1].pos.encode() if more and page else None,
    )


def recent_histories(
    session: Session,
    *,
    branch_id: uuid.UUID,
    borrower_ids: list[uuid.UUID],
    since: datetime,
    names: dict[uuid.UUID, str] | None = None,
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each borrower's items since `since`, newest first, at most PHONE_ITEMS: the phone's
    `history` records. One query per source for all the borrowers."""
    if not borrower_ids:
        return {}
    q = Query(
        borrower_ids=borrower_ids,
        limit=PHONE_ITEMS * len(borrower_ids),
        since=since,
        names=names if names is not None else _names(session, branch_id),
        reasons=reason_labels(session),
    )
    out: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for entry in _collect(session, q):
        items = out[entry.borrower_id]
        if len(items) < PHONE_ITEMS:
            items.append(entry.item)
    return {b: out.get(b, []) for b in borrower_ids}
