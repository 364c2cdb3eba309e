"""The phone's copy of the borrower file: a `history` record per borrower in scope with the
last 90 days (at most 50 items), re-sent only when one of its sources changes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from models import Note
from tests.conftest import FIXED_NOW, Clock
from tests.history.conftest import File
from tests.history.test_history_service import ORDER
from tests.phone import Phone


def _phone(client: TestClient, clock: Clock, username: str) -> Phone:
    return Phone(client, username, now=clock).sign_in()


def test_the_pull_carries_the_file_and_resends_it_on_change(
    client: TestClient, session: Session, clock: Clock, file: File
) -> None:
    phone = _phone(client, clock, file.alice.username)
    phone.pull()
    key = ("history", str(file.borrower.id))
    record = phone.local[key]["data"]
    assert record["borrower_id"] == str(file.borrower.id)
    assert record["since"] == (FIXED_NOW.date() - timedelta(days=90)).isoformat()
    assert [i["kind"] for i in record["items"]] == ORDER
    assert record["items"][-1]["data"]["willingness"]["code"] == "hesitant"
    assert phone.pull().json()["changes"] == []  # nothing changed: an empty pull

    session.add(
        Note(
            id=uuid.uuid4(),
            borrower_id=file.borrower.id,
            author_id=file.bob.id,
            text="邻居说周五回来",
            at=FIXED_NOW,
        )
    )
    session.flush()
    changes = phone.pull().json()["changes"]
    assert [(c["op"], c["entity"]) for c in changes] == [("put", "history")]
    items = phone.local[key]["data"]["items"]
    assert items[0]["kind"] == "note" and items[0]["officer_name"] == file.bob.full_name


def test_items_older_than_90_days_stay_off_the_phone(
    client: TestClient, session: Session, clock: Clock, file: File
) -> None:
    clock.now = FIXED_NOW + timedelta(days=120)  # every item of the file is older than that
    file.visit.plan_date = clock.now.date()
    session.add(file.visit)
    session.flush()
    phone = _phone(client, clock, file.alice.username)
    phone.pull()
    assert phone.local[("history", str(file.borrower.id))]["data"]["items"] == []


def test_another_officers_phone_gets_no_file_of_this_borrower(
    client: TestClient, clock: Clock, file: File
) -> None:
    phone = _phone(client, clock, file.bob.username)
    phone.pull()
    assert str(file.borrower.id) not in phone.ids("history")
