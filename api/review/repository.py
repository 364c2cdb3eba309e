"""What waits for a manager's review in a branch. The review list and the day view's counter
filter with the same conditions, so both always count the same rows."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement
from sqlmodel import col

from api.scoping import branch_column
from models import ChangeRequest, MutationLog

REVIEWED_STATUSES = ("flagged", "rejected")


def waiting_entries(branch_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
    """Flagged or rejected phone entries of the branch that no manager has looked at."""
    return (
        branch_column(MutationLog) == branch_id,
        col(MutationLog.status).in_(REVIEWED_STATUSES),
        col(MutationLog.reviewed_at).is_(None),
    )


def open_change_requests(branch_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
    """Change requests of the branch still waiting for a decision."""
    return (branch_column(ChangeRequest) == branch_id, col(ChangeRequest.status) == "open")
