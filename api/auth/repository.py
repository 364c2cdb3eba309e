"""Which devices a caller may see: one readable statement, built on the branch scope."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from api.scoping import branch_column
from models import Device, User
from models.enums import Role

DeviceWithOwner = tuple[Device, User]  # a row of the statements below


def branch_devices(branch_id: uuid.UUID) -> Select[Device, User]:
    """The devices of the branch's users, each with its owner."""
    return (
        select(Device, User)
        .join(User, col(User.id) == Device.user_id)
        .where(branch_column(User) == branch_id)
    )


def readable_devices(user: User) -> Select[Device, User]:
    """The devices `user` may see: an officer their own, a manager or admin the branch's."""
    statement = branch_devices(user.branch_id)
    if user.role == Role.officer:
        return statement.where(Device.user_id == user.id)
    return statement
