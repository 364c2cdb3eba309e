"""The borrower file's timeline: every source appears with its labels, newest first,
paged by a stable cursor, and only for those who may read the borrower."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.errors import InvalidInput, NotFound
from api.history.cursor import decode
from api.history.schemas import HistoryPage
from api.history.service import borrower_history, recent_histories
from models import Note
from models.enums import Role
from tests.conftest import TokenFor
from tests.factories import make_borrower, make_branch, make_user, make_visit
from tests.history.conftest import File, at

API = "/api/v1"
ORDER = [
    "payment",
    "location",
    "location",
    "change_request",
    "agreement",
    "promise",
    "sms",
    "call",
    "note",
    "skip",
    "visit",
]


def _page(session: Session, f: File, **kw: object) -> HistoryPage:
    args = {"limit": 50, "before": None, **kw}
    return borrower_history(
        session=session,
        user=f.manager,
        borrower_id=f.borrower.id,
        **args,  # type: ignore[arg-type]
    )


def test_every_source_appears_newest_first(session: Session, file: File) -> None:
    page = _page(session, file)
    assert [i.kind for i in page.items] == ORDER
    assert page.next is None
    by_kind = {i.kind: i for i in page.items}
    visit = by_kind["visit"]
    assert visit.officer_name == file.alice.full_name
    assert visit.data["hardship_reasons"] == [
        {"code": "hist_crop", "label_zh": "作物歉收", "label_en": "Crop failure"}
    ]
    assert visit.data["willingness"]["label_zh"] == "犹豫"
    assert visit.data["income_source"]["label_en"] == "Farming"
    assert visit.data["business_condition"]["code"] == "seasonal_low"
    assert visit.data["next_action"]["code"] == "phone_follow_up"
    assert visit.data["follow_up_on"] == "2026-11-08"
    assert "Phone follow-up" in visit.summary and "电话跟进" in visit.summary_zh
    assert by_kind["skip"].data["reason"]["label_zh"] == "借款人不在家"
    assert by_kind["call"].data["result"]["code"] == "promised"
    assert by_kind["sms"].summary_zh.startswith("短信")
    assert by_kind["promise"].data["status"]["code"] == "broken"
    instalments = by_kind["agreement"].data["instalments"]
    assert (instalments["paid"], instalments["missed"], instalments["due"]) == (1, 1, 1)
    assert instalments["next"]["seq"] == 2
    assert by_kind["payment"].data["paid_on"] == "2026-11-02"
    request = by_kind["change_request"].data
    assert request["status"]["code"] == "approved" and request["decision_reason"] == "同意"
    assert request["decided_by_name"] == file.manager.full_name
    sources = {i.data["source"] for i in page.items if i.kind == "location"}
    assert sources == {"manager", "check_in"}
    assert all(i.id.startswith(f"{i.kind}:") for i in page.items)


def test_pages_follow_a_stable_cursor(session: Session, file: File) -> None:
    # Two notes at the instant of the existing one: ties are ordered by id, never lost.
    for _ in range(2):
        session.add(
            Note(
                id=uuid.uuid4(),
                borrower_id=file.borrower.id,
                author_id=file.alice.id,
                text="同一时刻",
                at=at(3),
            )
        )
    session.flush()
    whole = [i.id for i in _page(session, file).items]
    assert len(whole) == len(ORDER) + 2
    seen: list[str] = []
    before = None
    for _ in range(20):
        page = _page(session, file, limit=2, before=before)
        seen += [i.id for i in page.items]
        before = page.next
        if before is None:
            break
    assert seen == whole


def test_bad_cursor_is_a_clear_422(session: Session, file: File) -> None:
    for cursor in ("nonsense", "", "%%%", "MjAyNnwxfHg"):
        with pytest.raises(InvalidInput):
            decode(cursor) if cursor else _page(session, file, before="x")


def test_scope_manager_officer_others(
    client: TestClient, session: Session, file: File, auth_headers: TokenFor
) -> None:
    url = f"{API}/borrowers/{file.borrower.id}/history"
    assert client.get(url, headers=auth_headers(file.manager.username)).status_code == 200
    alice = client.get(url, headers=auth_headers(file.alice.username))
    assert alice.status_code == 200 and len(alice.json()["items"]) == len(ORDER)
    # Bob is on no visit to this borrower: as if it did not exist.
    assert client.get(url, headers=auth_headers(file.bob.username)).status_code == 404
    elsewhere = make_branch(session)
    other_manager = make_user(session, elsewhere, role=Role.manager)
    assert client.get(url, headers=auth_headers(other_manager.username)).status_code == 404
    with pytest.raises(NotFound):
        borrower_history(
            session=session, user=file.bob, borrower_id=file.borrower.id, limit=5, before=None
        )


def test_route_bounds_and_cursor(
    client: TestClient, session: Session, file: File, auth_headers: TokenFor
) -> None:
    headers = auth_headers(file.manager.username)
    url = f"{API}/borrowers/{file.borrower.id}/history"
    assert client.get(url, params={"limit": 0}, headers=headers).status_code == 422
    assert client.get(url, params={"limit": 101}, headers=headers).status_code == 422
    bad = client.get(url, params={"before": "garbage"}, headers=headers)
    assert bad.status_code == 422 and "cursor" in bad.text
    first = client.get(url, params={"limit": 4}, headers=headers).json()
    assert len(first["items"]) == 4 and first["next"]
    rest = client.get(url, params={"before": first["next"]}, headers=headers).json()
    assert [i["kind"] for i in first["items"] + rest["items"]] == ORDER
    missing = client.get(f"{API}/borrowers/{uuid.uuid4()}/history", headers=headers)
    assert missing.status_code == 404


def test_an_officer_of_another_team_reads_only_their_borrowers(
    session: Session, file: File
) -> None:
    theirs = make_borrower(session, file.branch)
    make_visit(session, theirs, [file.bob], position=3)
    page = borrower_history(
        session=session, user=file.bob, borrower_id=theirs.id, limit=5, before=None
    )
    assert page.items == [] and page.next is None


def test_recent_histories_are_per_borrower_and_windowed(session: Session, file: File) -> None:
    other = make_borrower(session, file.branch)
    since = at(4) + timedelta(minutes=30)  # after the call, before the sms
    got = recent_histories(
        session, branch_id=file.branch.id, borrower_ids=[file.borrower.id, other.id], since=since
    )
    assert got[other.id] == []
    assert [i["kind"] for i in got[file.borrower.id]] == ORDER[:7]
