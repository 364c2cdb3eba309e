"""PostgreSQL: two transactions commit out of order while a third pulls; the puller
converges to the committed state without missing a row (why there is no global cursor)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from api.db import make_engine
from api.deps import check_device
from api.sync import service
from api.sync.protocol import Mutation, PullRequest, PushRequest
from api.sync.scope import load_scope
from models import Branch, Device, Note, User
from tests.conftest import FIXED_NOW
from tests.factories import make_borrower, make_branch, make_loan, make_user, make_visit

TODAY = date(2026, 11, 23)


@pytest.fixture
def pg(database_url: str, engine: Engine) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    real = make_engine(database_url)
    yield real
    real.dispose()


def _cleanup(engine: Engine, branch_id: uuid.UUID) -> None:
    b = {"b": branch_id}
    statements = [
        "DELETE FROM client_view WHERE device_id IN (SELECT d.id FROM device d JOIN app_user u "
        "ON u.id = d.user_id WHERE u.branch_id = :b)",
        "DELETE FROM audit_event WHERE branch_id = :b",
        "DELETE FROM visit_officer WHERE visit_id IN (SELECT id FROM visit WHERE branch_id = :b)",
        "DELETE FROM visit WHERE branch_id = :b",
        "DELETE FROM loan WHERE branch_id = :b",
        "DELETE FROM borrower WHERE branch_id = :b",
        "DELETE FROM device WHERE user_id IN (SELECT id FROM app_user WHERE branch_id = :b)",
        "DELETE FROM app_user WHERE branch_id = :b",
        "DELETE FROM branch WHERE id = :b",
    ]
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql), b)


def _pull(engine: Engine, officer_id: uuid.UUID, device_id: uuid.UUID, cookie: str | None) -> dict:  # type: ignore[type-arg]
    with Session(engine.execution_options(isolation_level="REPEATABLE READ")) as session:
        user = session.get(User, officer_id)
        assert user is not None
        response = service.pull(
            session=session,
            user=user,
            request=PullRequest(protocol=1, device_id=device_id, cookie=cookie),
            now=FIXED_NOW,
        )
        session.commit()
    return response.model_dump(mode="json")


def test_out_of_order_commits_are_never_skipped(pg: Engine) -> None:
    with Session(pg, expire_on_commit=False) as setup:
        branch = make_branch(setup)
        officer = make_user(setup, branch)
        device = Device(user_id=officer.id, name="p", platform="t")
        setup.add(device)
        borrowers = [make_borrower(setup, branch) for _ in range(3)]
        loans = [make_loan(setup, b) for b in borrowers]
        make_visit(setup, borrowers[0], [officer], loans=[loans[0]])
        setup.commit()
    try:
        held: dict[str, int] = {}

        def apply(body: dict) -> str:  # type: ignore[type-arg]
            if body["reset"]:
                held.clear()
            for change in body["changes"]:
                key = f"{change['entity']}:{change['id']}"
                if change["op"] == "put":
                    held[key] = change["version"]
                else:
                    held.pop(key, None)
            return str(body["cookie"])

        cookie = apply(_pull(pg, officer.id, device.id, None))
        slow, fast = Session(pg, expire_on_commit=False), Session(pg, expire_on_commit=False)
        try:
            # The slow transaction writes first but commits last.
            slow_visit = make_visit(slow, borrowers[1], [officer], loans=[loans[1]])
            fast_visit = make_visit(fast, borrowers[2], [officer], loans=[loans[2]])
            fast.commit()
            cookie = apply(_pull(pg, officer.id, device.id, cookie))
            assert f"visit:{fast_visit.id}" in held and f"visit:{slow_visit.id}" not in held
            slow.commit()
        finally:
            slow.close()
            fast.close()
        cookie = apply(_pull(pg, officer.id, device.id, cookie))
        assert f"visit:{slow_visit.id}" in held
        with Session(pg) as check:
            user = check.get(User, officer.id)
            branch_row = check.get(Branch, branch.id)
            assert user is not None and branch_row is not None
            scope = load_scope(check, officer=user, branch=branch_row, today=TODAY, days_ahead=7)
        assert held == scope.versions
    finally:
        _cleanup(pg, branch.id)


def test_a_pull_sees_one_snapshot(pg: Engine) -> None:
    """A commit landing in the middle of a pull is not half-seen: REPEATABLE READ."""
    with Session(pg, expire_on_commit=False) as setup:
        branch = make_branch(setup)
        officer = make_user(setup, branch)
        device = Device(user_id=officer.id, name="p", platform="t")
        setup.add(device)
        borrower = make_borrower(setup, branch)
        setup.commit()
    try:
        with Session(pg.execution_options(isolation_level="REPEATABLE READ")) as puller:
            puller.execute(text("SELECT 1 FROM visit LIMIT 1"))  # the snapshot starts here
            with Session(pg) as writer:
                make_visit(writer, borrower, [officer], loans=[make_loan(writer, borrower)])
                writer.commit()
            user = puller.get(User, officer.id)
            assert user is not None
            body = service.pull(
                session=puller,
                user=user,
                request=PullRequest(protocol=1, device_id=device.id, cookie=None),
                now=FIXED_NOW,
            )
            puller.commit()
        entities = {c.entity for c in body.changes}
        assert "visit" not in entities and "borrower" not in entities
    finally:
        _cleanup(pg, branch.id)


def test_a_retry_racing_its_original_applies_once(pg: Engine) -> None:
    """The sign-in check reads the device before the push locks it; a push committed in
    between must be seen under the lock, so the retry answers `duplicate`."""
    with Session(pg, expire_on_commit=False) as setup:
        branch = make_branch(setup)
        officer = make_user(setup, branch)
        device = Device(user_id=officer.id, name="p", platform="t")
        setup.add(device)
        borrower = make_borrower(setup, branch)
        make_visit(setup, borrower, [officer], loans=[make_loan(setup, borrower)])
        setup.commit()
    batch = PushRequest(
        protocol=1,
        device_id=device.id,
        mutations=[
            Mutation(
                id=1,
                name="note.add",
                args={
                    "note_id": str(uuid.uuid4()),
                    "borrower_id": str(borrower.id),
                    "text": "门口留言",
                    "at": FIXED_NOW.isoformat(),
                },
                client_time=FIXED_NOW,
            )
        ],
    )
    try:
        with Session(pg, expire_on_commit=False) as retry:
            retry_user = retry.get(User, officer.id)
            assert retry_user is not None
            # The sign-in check; it keeps the row for the request, as `get_current_user` does.
            signed_in_device = check_device(retry, user=retry_user, device_id=device.id)
            with Session(pg, expire_on_commit=False) as original:
                first_user = original.get(User, officer.id)
                assert first_user is not None
                first = service.push(
                    session=original, user=first_user, request=batch, now=FIXED_NOW
                )
                original.commit()
            second = service.push(session=retry, user=retry_user, request=batch, now=FIXED_NOW)
            retry.commit()
            assert signed_in_device is not None and signed_in_device.last_mutation_id == 1
        assert [r.status for r in first.results] == ["applied"]
        # Seen as a replay under the lock, not merely caught by the note's id.
        assert [(r.status, r.original_status) for r in second.results] == [("duplicate", "applied")]
        with Session(pg) as check:
            notes = check.exec(select(Note).where(Note.borrower_id == borrower.id)).all()
        assert len(notes) == 1
    finally:
        with pg.begin() as conn:
            conn.execute(text("DELETE FROM note WHERE borrower_id = :b"), {"b": borrower.id})
            conn.execute(text("DELETE FROM mutation_log WHERE device_id = :d"), {"d": device.id})
        _cleanup(pg, branch.id)
