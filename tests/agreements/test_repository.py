"""Who reads which agreement: a manager the branch's, an officer those they signed and those
of visits of their team; anything else is a 404 that says as much as it may."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session

from api.agreements import repository
from api.errors import NotFound
from models import User, VisitOfficer
from models.enums import Role
from tests.agreements.conftest import PhoneFor, World, sign_args
from tests.factories import make_branch, make_user


@pytest.fixture
def signed(world: World, phone_for: PhoneFor) -> uuid.UUID:
    """Alice signed an agreement at her visit to borrower 0."""
    phone = phone_for(world.alice)
    args = sign_args(
        visit=world.visits[0],
        loan=world.loans[0],
        principal_fen=300_000,
        down_payment_fen=60_000,
        schedule=[("2026-12-23", 120_000), ("2027-01-23", 120_000)],
    )
    phone.queue("agreement.sign", **args)
    phone.sync()
    return uuid.UUID(str(args["agreement_id"]))


def _read(session: Session, user: User, agreement_id: uuid.UUID) -> uuid.UUID:
    return repository.get_agreement(session=session, user=user, agreement_id=agreement_id).id


def _readable(session: Session, user: User) -> list[uuid.UUID]:
    return [a.id for a in session.exec(repository.readable_agreements(user))]


def test_the_manager_and_the_officer_who_signed_read_it(
    world: World, signed: uuid.UUID, session: Session
) -> None:
    for user in (world.manager, world.alice):
        assert _read(session, user, signed) == signed
        assert _readable(session, user) == [signed]
    locked = repository.get_agreement(
        session=session, user=world.manager, agreement_id=signed, lock=True
    )
    assert locked.id == signed


def test_an_officer_on_the_visit_team_reads_it(
    world: World, signed: uuid.UUID, session: Session
) -> None:
    with pytest.raises(NotFound, match=r"^No such agreement among your visits\.$"):
        _read(session, world.bob, signed)
    assert _readable(session, world.bob) == []
    session.add(VisitOfficer(visit_id=world.visits[0].id, user_id=world.bob.id))
    session.flush()
    assert _read(session, world.bob, signed) == signed
    assert _readable(session, world.bob) == [signed]


def test_another_branch_and_an_unknown_id_are_not_found(
    world: World, signed: uuid.UUID, session: Session
) -> None:
    elsewhere = make_branch(session)
    for role in (Role.manager, Role.officer):
        user = make_user(session, elsewhere, role=role)
        with pytest.raises(NotFound, match=r"^No such agreement\.$"):
            _read(session, user, signed)
        assert _readable(session, user) == []
    with pytest.raises(NotFound, match=r"^No such agreement\.$"):
        _read(session, world.manager, uuid.uuid4())
