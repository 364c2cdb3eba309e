"""One way to scope by branch: every domain builds its readable statements from these.

A manager sees their branch; an officer's narrower view (the visits of their team) is
built in the domain's own `repository.py` on top of `branch_statement`. Rows of another
branch answer 404, as if they did not exist.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from api.errors import NotFound
from models import Branch


class _BranchOwned(Protocol):
    branch_id: Any


Row = TypeVar("Row", bound=SQLModel)


def branch_column(model: type[SQLModel]) -> Any:
    """The `branch_id` column of a branch-owned table."""
    owned: type[_BranchOwned] = model  # type: ignore[assignment]
    return col(owned.branch_id)


def branch_statement(model: type[Row], branch_id: uuid.UUID) -> SelectOfScalar[Row]:
    """`SELECT model WHERE branch_id = :branch_id`: the base of every branch read."""
    return select(model).where(branch_column(model) == branch_id)


def get_in_branch(
    session: Session, model: type[Row], row_id: Any, *, branch_id: uuid.UUID, missing: str
) -> Row:
    """The row by primary key if it belongs to the branch; otherwise 404 with `missing`."""
    row = session.get(model, row_id)
    if row is None or getattr(row, "branch_id", None) != branch_id:
        raise NotFound(missing)
    return row


def get_branch(session: Session, branch_id: uuid.UUID) -> Branch:
    """The branch row (answered from the identity map for the caller's own branch)."""
    branch = session.get(Branch, branch_id)
    if branch is None:
        raise NotFound("Your branch no longer exists.")
    return branch
