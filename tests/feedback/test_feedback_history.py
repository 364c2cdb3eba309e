"""Complaints and follow-up calls in the borrower file (api/history sources)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.history.service import borrower_history
from models import Complaint, FeedbackCall
from tests.conftest import FIXED_NOW, Clock
from tests.history.conftest import File, at
from tests.phone import Phone


def test_complaints_and_follow_up_calls_are_in_the_file(session: Session, file: File) -> None:
    complaint = Complaint(
        branch_id=file.branch.id,
        borrower_id=file.borrower.id,
        visit_id=file.visit.id,
        about_officer_id=file.alice.id,
        recorded_by=file.manager.id,
        channel="phone",
        category="threat",
        text="说要告诉邻居",
        at=at(200),
        status="resolved",
        resolved_by=file.manager.id,
        resolved_at=at(205),
        resolution="已约谈客户经理",
    )
    done = FeedbackCall(
        branch_id=file.branch.id,
        visit_id=file.visit.id,
        borrower_id=file.borrower.id,
        officer_id=file.alice.id,
        sampled_at=at(199),
        status="done",
        called_by=file.manager.id,
        called_at=at(201),
        courteous=True,
        lawful=False,
        explained=True,
        satisfied=2,
    )
    waiting = FeedbackCall(
        branch_id=file.branch.id,
        visit_id=file.skipped.id,
        borrower_id=file.borrower.id,
        officer_id=file.alice.id,
        sampled_at=at(202),
    )
    session.add_all([complaint, done, waiting])
    session.flush()
    page = borrower_history(
        session=session, user=file.manager, borrower_id=file.borrower.id, limit=2, before=None
    )
    assert [i.kind for i in page.items] == ["feedback", "complaint"]
    fb, cp = page.items
    assert fb.summary_zh == "回访：满意度 2/5" and fb.data["lawful"] is False
    assert fb.data["officer_name"] == file.alice.full_name
    assert fb.officer_name == file.manager.full_name
    assert cp.data["category"]["label_zh"] == "威胁恐吓"
    assert cp.data["status"]["code"] == "resolved" and cp.data["resolution"] == "已约谈客户经理"
    assert cp.data["about_officer_name"] == file.alice.full_name
    assert "Threats" in cp.summary
    # The sampled call not yet made is not in the file; paging continues past both.
    rest = borrower_history(
        session=session,
        user=file.manager,
        borrower_id=file.borrower.id,
        limit=100,
        before=page.next,
    )
    assert {"complaint", "feedback"}.isdisjoint(i.kind for i in rest.items)


def test_the_phones_file_gets_a_complaint_and_its_resolution(
    client: TestClient, session: Session, clock: Clock, file: File
) -> None:
    phone = Phone(client, file.alice.username, now=clock).sign_in()
    phone.pull()
    key = ("history", str(file.borrower.id))
    complaint = Complaint(
        branch_id=file.branch.id,
        borrower_id=file.borrower.id,
        recorded_by=file.manager.id,
        channel="branch",
        category="wrong_time",
        text="晚上九点还打电话",
        at=FIXED_NOW,
    )
    session.add(complaint)
    session.flush()
    assert [c["entity"] for c in phone.pull().json()["changes"]] == ["history"]
    assert phone.local[key]["data"]["items"][0]["kind"] == "complaint"
    complaint.status, complaint.resolution = "resolved", "已提醒客户经理"
    complaint.resolved_at = FIXED_NOW
    session.add(complaint)
    session.flush()
    assert [c["entity"] for c in phone.pull().json()["changes"]] == ["history"]
    first = phone.local[key]["data"]["items"][0]
    assert first["data"]["status"]["code"] == "resolved"
