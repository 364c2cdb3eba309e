"""Which devices a caller may see: an officer their own, a manager or admin the branch's."""

from __future__ import annotations

import uuid

from sqlmodel import Session
from sqlmodel.sql.expression import Select

from api.auth.repository import branch_devices, readable_devices
from models import Device, User
from models.enums import Role
from tests.factories import make_branch, make_device, make_user


def test_readable_devices_follow_the_role_and_the_branch(session: Session) -> None:
    branch, other = make_branch(session), make_branch(session)
    alice, bob = make_user(session, branch), make_user(session, branch)
    manager = make_user(session, branch, role=Role.manager)
    admin = make_user(session, branch, role=Role.admin)
    mine, bobs = make_device(session, alice), make_device(session, bob)
    make_device(session, make_user(session, other))

    def seen(statement: Select[Device, User]) -> set[uuid.UUID]:
        return {device.id for device, _owner in session.exec(statement)}

    assert seen(readable_devices(alice)) == {mine.id}
    assert seen(readable_devices(manager)) == seen(readable_devices(admin)) == {mine.id, bobs.id}
    assert seen(branch_devices(branch.id)) == {mine.id, bobs.id}
    owners = {device.id: owner.id for device, owner in session.exec(branch_devices(branch.id))}
    assert owners == {mine.id: alice.id, bobs.id: bob.id}
