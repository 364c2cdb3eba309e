"""`fieldvisit retention apply`: notes and signatures past each branch's retention are
blanked (the agreement's hash stays), old audit events are purged and the chain still
verifies from its anchor; a broken chain is never purged."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from api.audit import audit_row, verify_chain, write_audit_rows
from api.compliance.cli import register
from api.compliance.policy import PolicyData
from api.compliance.retention import apply_retention
from api.errors import Conflict
from models import (
    Agreement,
    AuditAnchor,
    AuditEvent,
    Borrower,
    CompliancePolicy,
    MutationLog,
    Note,
    VisitOutcome,
)
from models.enums import AgreementStatus, Contact
from tests.conftest import FIXED_NOW
from tests.factories import (
    make_borrower,
    make_branch,
    make_device,
    make_loan,
    make_user,
    make_visit,
)
from tests.phone import PNG_1PX

NOW = FIXED_NOW
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=10)
ANCIENT = NOW - timedelta(days=400)


def _policy(session: Session, branch_id: uuid.UUID, **retention: int) -> None:
    data = PolicyData.model_validate({"retention_days": retention})
    session.add(
        CompliancePolicy(
            branch_id=branch_id,
            version=1,
            data=data.model_dump(mode="json"),
            created_at=ANCIENT,
        )
    )


def _agreement(session: Session, loan: Any, officer: Any, status: AgreementStatus) -> Agreement:
    agreement = Agreement(
        id=uuid.uuid4(),
        loan_id=loan.id,
        borrower_id=loan.borrower_id,
        officer_id=officer.id,
        principal_fen=300_000,
        text="协议文本",
        text_sha256=hashlib.sha256("协议文本".encode()).hexdigest(),
        borrower_signature=PNG_1PX,
        officer_signature=PNG_1PX,
        signed_at=OLD,
        content_sha256="c" * 64,
        status=status,
        received_at=OLD,
    )
    session.add(agreement)
    return agreement


def _audit(session: Session, at: datetime, n: int) -> None:
    write_audit_rows(
        session,
        [audit_row(at=at, action="test.old", entity="thing", entity_id=f"t{i}") for i in range(n)],
    )


def _seed(engine: Engine) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as session:
        strict, lenient = make_branch(session), make_branch(session)
        _policy(session, strict.id, notes=30, signatures=30, audit=365)
        _policy(session, lenient.id, audit=365)  # notes and signatures: the defaults
        officer = make_user(session, strict)
        other_officer = make_user(session, lenient)
        device = make_device(session, officer)
        borrower = make_borrower(session, strict)
        other = make_borrower(session, lenient)
        loan, other_loan = make_loan(session, borrower), make_loan(session, other)
        visit = make_visit(session, borrower, [officer])
        other_visit = make_visit(session, other, [other_officer])
        notes = {
            "old": Note(
                id=uuid.uuid4(),
                borrower_id=borrower.id,
                author_id=officer.id,
                text="家住村东头, 电话13812345678",
                at=OLD,
            ),
            "recent": Note(
                id=uuid.uuid4(), borrower_id=borrower.id, author_id=officer.id, text="新", at=RECENT
            ),
            "other": Note(
                id=uuid.uuid4(), borrower_id=other.id, author_id=other_officer.id, text="旧", at=OLD
            ),
        }
        session.add_all(notes.values())
        outcome = VisitOutcome(
            id=uuid.uuid4(),
            visit_id=visit.id,
            officer_id=officer.id,
            contact=Contact.borrower,
            hardship_detail="家人住院",
            next_action="下周回访",
            at=OLD,
        )
        other_outcome = VisitOutcome(
            id=uuid.uuid4(),
            visit_id=other_visit.id,
            officer_id=other_officer.id,
            contact=Contact.borrower,
            hardship_detail="收成不好",
            at=OLD,
        )
        session.add_all([outcome, other_outcome])
        closed = _agreement(session, loan, officer, AgreementStatus.fulfilled)
        active = _agreement(session, loan, officer, AgreementStatus.active)
        other_closed = _agreement(session, other_loan, other_officer, AgreementStatus.fulfilled)
        session.flush()
        logs = [
            MutationLog(
                device_id=device.id,
                user_id=officer.id,
                branch_id=strict.id,
                mutation_id=1,
                name="note.add",
                args={"note_id": str(notes["old"].id), "text": "家住村东头"},
                received_at=OLD,
                status="applied",
            ),
            MutationLog(
                device_id=device.id,
                user_id=officer.id,
                branch_id=strict.id,
                mutation_id=2,
                name="agreement.sign",
                args={"agreement_id": str(closed.id), "borrower_signature": PNG_1PX, "x": 1},
                received_at=OLD,
                status="applied",
            ),
            MutationLog(
                device_id=device.id,
                user_id=officer.id,
                branch_id=strict.id,
                mutation_id=3,
                name="note.add",
                args={"text": "新"},
                received_at=RECENT,
                status="applied",
            ),
        ]
        session.add_all(logs)
        _audit(session, ANCIENT, 4)
        _audit(session, ANCIENT + timedelta(days=1), 3)
        _audit(session, RECENT, 2)
        borrower_version = borrower.version
        session.commit()
    return {
        "notes": {k: v.id for k, v in notes.items()},
        "outcome": outcome.id,
        "other_outcome": other_outcome.id,
        "closed": closed.id,
        "active": active.id,
        "other_closed": other_closed.id,
        "logs": [log.id for log in logs],
        "borrower": borrower.id,
        "borrower_version": borrower_version,
    }


def test_retention_blanks_and_purges(own_db: Engine) -> None:
    ids = _seed(own_db)
    with Session(own_db) as session:
        first_kept = session.exec(
            select(AuditEvent.id).where(col(AuditEvent.at) >= RECENT).order_by(col(AuditEvent.id))
        ).first()
        result = apply_retention(session=session, now=NOW)
        session.commit()
    assert (result.notes_blanked, result.outcomes_blanked, result.signatures_blanked) == (1, 1, 1)
    assert result.mutation_logs_blanked == 2 and result.audit_purged == 7

    with Session(own_db) as session:
        notes = {k: session.get(Note, v) for k, v in ids["notes"].items()}
        assert {k: n.text for k, n in notes.items() if n} == {
            "old": "",
            "recent": "新",
            "other": "旧",
        }
        outcome = session.get(VisitOutcome, ids["outcome"])
        assert outcome is not None and (outcome.hardship_detail, outcome.next_action) == ("", "")
        assert outcome.contact == "borrower" and outcome.at == OLD  # the fact stays
        other_outcome = session.get(VisitOutcome, ids["other_outcome"])
        assert other_outcome is not None and other_outcome.hardship_detail == "收成不好"
        borrower = session.get(Borrower, ids["borrower"])
        assert borrower is not None and borrower.version > ids["borrower_version"]
        closed = session.get(Agreement, ids["closed"])
        assert closed is not None
        assert (closed.borrower_signature, closed.officer_signature) == ("", "")
        assert closed.content_sha256 == "c" * 64 and closed.text == "协议文本"
        active = session.get(Agreement, ids["active"])
        other_closed = session.get(Agreement, ids["other_closed"])
        assert active is not None and active.borrower_signature == PNG_1PX  # still in force
        assert other_closed is not None and other_closed.borrower_signature == PNG_1PX
        logs = [session.get(MutationLog, i) for i in ids["logs"]]
        assert [log.args for log in logs if log] == [
            {"note_id": str(ids["notes"]["old"]), "text": ""},
            {"agreement_id": str(ids["closed"]), "borrower_signature": "", "x": 1},
            {"text": "新"},
        ]
        # The audit chain: old events gone, an anchor, and it still verifies.
        remaining = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        assert remaining[0].id == first_kept
        assert all(e.at >= RECENT for e in remaining)
        assert remaining[-1].action == "retention.apply"
        assert remaining[-1].data["audit_purged"] == 7
        (anchor,) = session.exec(select(AuditAnchor)).all()
        assert remaining[0].id is not None
        assert anchor.purged == 7 and anchor.last_id < remaining[0].id
        assert remaining[0].prev_hash == anchor.last_hash
        report = verify_chain(session)
        assert report.ok and report.anchor_id == anchor.last_id

    # A second run finds nothing more to do; the chain keeps verifying.
    with Session(own_db) as session:
        again = apply_retention(session=session, now=NOW)
        session.commit()
        assert (again.notes_blanked, again.signatures_blanked, again.audit_purged) == (0, 0, 0)
        assert verify_chain(session).ok

    # Deleting the oldest kept event is caught against the anchor.
    with own_db.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": first_kept})
    with Session(own_db) as session:
        broken = verify_chain(session).broken
        assert broken is not None and "purge anchor" in broken.problem


def test_a_broken_chain_is_not_purged(own_db: Engine) -> None:
    _seed(own_db)
    with own_db.begin() as conn:
        second = conn.execute(text("SELECT id FROM audit_event ORDER BY id LIMIT 1 OFFSET 1"))
        conn.execute(
            text("UPDATE audit_event SET action = 'x' WHERE id = :id"), {"id": second.scalar()}
        )
    with Session(own_db) as session, pytest.raises(Conflict, match="nothing was purged"):
        apply_retention(session=session, now=NOW)


def _cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_retention_cli(own_db: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ids = _seed(own_db)
    monkeypatch.setattr("api.db.get_engine", lambda: own_db)
    runner = CliRunner()
    dry = runner.invoke(_cli(), ["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "audit events purged" in dry.output
    with Session(own_db) as session:
        note = session.get(Note, ids["notes"]["old"])
        assert note is not None and note.text != ""  # nothing changed
    done = runner.invoke(_cli(), ["retention", "apply"])
    assert done.exit_code == 0, done.output
    assert "Retention applied" in done.output
    with Session(own_db) as session:
        note = session.get(Note, ids["notes"]["old"])
        assert note is not None and note.text == ""
    verified = runner.invoke(_cli(), ["audit", "verify"])
    assert verified.exit_code == 0 and "purge anchor" in verified.output
