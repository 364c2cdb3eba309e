"""Metadata conventions and the version bump shared by every synced table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Versioned(SQLModel):
    """Rows the phone holds: `version` changes on every update (sync diffs on it). To
    publish a change of rows a record embeds, mark it changed (`mark_changed`): never add
    to `version` by hand, or the flush steps it a second time."""

    version: int = Field(default=1, nullable=False)


def mark_changed(row: Versioned) -> None:
    """The row's version steps once at the next flush, though none of its columns changed."""
    flag_modified(row, "version")


@event.listens_for(OrmSession, "before_flush")
def _bump_versions(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, Versioned) and session.is_modified(obj, include_collections=False):
            obj.version = (obj.version or 0) + 1
