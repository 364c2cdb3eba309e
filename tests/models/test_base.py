"""One flush is one version step, whether the row's columns changed or it was marked."""

from __future__ import annotations

from sqlmodel import Session

from models.base import mark_changed
from tests.factories import make_branch


def test_a_changed_row_steps_its_version_once_per_flush(session: Session) -> None:
    branch = make_branch(session)
    session.flush()
    before = branch.version
    branch.name = "renamed"
    branch.phone = "0534-0000000"
    session.flush()
    assert branch.version == before + 1
    session.flush()
    assert branch.version == before + 1


def test_a_row_marked_changed_steps_once_even_with_column_changes(session: Session) -> None:
    branch = make_branch(session)
    session.flush()
    before = branch.version
    mark_changed(branch)
    session.flush()
    assert branch.version == before + 1
    mark_changed(branch)
    branch.name = "renamed too"
    session.flush()
    assert branch.version == before + 2
