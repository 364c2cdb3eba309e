"""Retention: personal data past each branch's retention days are blanked, old audit events
purged. Run by `fieldvisit retention apply` (flushes; the command commits).

- notes (`retention_days.notes`, counted from when written): note texts, the detail and
  next action of visit outcomes, and their copies in the mutation log, become "". The rows
  stay (who, when, which borrower): only the free text goes. Borrowers whose history
  changed get a new version so phones drop the old text.
- signatures (`retention_days.signatures`, from the signing): the two signature images of
  agreements no longer in force (fulfilled, broken, cancelled, declined, superseded) and
  the signature copies in the mutation log become "". The agreement's `content_sha256`
  (over terms, text, signature hashes, time and place) and its text are kept.
- audit (`retention_days.audit`): the chain is global, so the longest audit retention of
  all branches applies. Events older than that are deleted from the start of the chain
  (a prefix by id), after checking the chain is intact; an `audit_anchor` row keeps the id
  and hash of the last purged event, and `verify` starts from it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from api.audit import lock_chain, record_audit, verify_chain
from api.compliance.policy import Policy, PolicyData
from api.compliance.service import current_policies
from api.errors import Conflict
from api.scoping import branch_column
from models import (
    Agreement,
    AuditAnchor,
    AuditEvent,
    Borrower,
    Branch,
    MutationLog,
    Note,
    Visit,
    VisitOutcome,
)
from models.enums import AgreementStatus

CLOSED_AGREEMENT = (
    AgreementStatus.fulfilled,
    AgreementStatus.broken,
    AgreementStatus.cancelled,
    AgreementStatus.declined,
    AgreementStatus.superseded,
)
NOTE_ARGS = {"note.add": ("text",), "visit.record_outcome": ("hardship_detail", "next_action")}
SIGNATURE_ARGS = ("borrower_signature", "officer_signature")


@dataclass
class RetentionResult:
    notes_blanked: int = 0
    outcomes_blanked: int = 0
    signatures_blanked: int = 0
    mutation_logs_blanked: int = 0
    audit_purged: int = 0
    audit_kept_from: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["audit_kept_from"] = self.audit_kept_from.isoformat() if self.audit_kept_from else None
        return data


def _bump_borrowers(session: Session, borrower_ids: set[uuid.UUID]) -> None:
    if borrower_ids:
        session.execute(
            update(Borrower)
            .where(col(Borrower.id).in_(list(borrower_ids)))
            .values(version=Borrower.version + 1)
        )


def _blank_notes(
    session: Session, branch: Branch, cutoff: datetime, result: RetentionResult
) -> None:
    in_branch = select(Borrower.id).where(branch_column(Borrower) == branch.id)
    notes = session.exec(
        select(Note.id, Note.borrower_id).where(
            col(Note.borrower_id).in_(in_branch), col(Note.at) < cutoff, col(Note.text) != ""
        )
    ).all()
    touched = {borrower_id for _, borrower_id in notes}
    if notes:
        session.execute(update(Note).where(col(Note.id).in_([n for n, _ in notes])).values(text=""))
    outcomes = session.exec(
        select(VisitOutcome.id, Visit.borrower_id)
        .join(Visit, col(Visit.id) == col(VisitOutcome.visit_id))
        .where(
            branch_column(Visit) == branch.id,
            col(VisitOutcome.at) < cutoff,
            or_(col(VisitOutcome.hardship_detail) != "", col(VisitOutcome.next_action) != ""),
        )
    ).all()
    if outcomes:
        session.execute(
            update(VisitOutcome)
            .where(col(VisitOutcome.id).in_([o for o, _ in outcomes]))
            .values(hardship_detail="", next_action="", version=VisitOutcome.version + 1)
        )
    touched |= {borrower_id for _, borrower_id in outcomes}
    _bump_borrowers(session, touched)
    result.notes_blanked += len(notes)
    result.outcomes_blanked += len(outcomes)
    result.mutation_logs_blanked += _blank_log_args(session, branch, cutoff, NOTE_ARGS)


def _blank_signatures(
    session: Session, branch: Branch, cutoff: datetime, result: RetentionResult
) -> None:
    in_branch = select(Borrower.id).where(branch_column(Borrower) == branch.id)
    ids = session.exec(
        select(Agreement.id).where(
            col(Agreement.borrower_id).in_(in_branch),
            col(Agreement.signed_at) < cutoff,
            col(Agreement.status).in_(CLOSED_AGREEMENT),
            or_(col(Agreement.borrower_signature) != "", col(Agreement.officer_signature) != ""),
        )
    ).all()
    if ids:
        session.execute(
            update(Agreement)
            .where(col(Agreement.id).in_(list(ids)))
            .values(borrower_signature="", officer_signature="", version=Agreement.version + 1)
        )
    result.signatures_blanked += len(ids)
    result.mutation_logs_blanked += _blank_log_args(
        session, branch, cutoff, {"agreement.sign": SIGNATURE_ARGS}
    )


def _blank_log_args(
    session: Session, branch: Branch, cutoff: datetime, fields: Mapping[str, Sequence[str]]
) -> int:
    """Blank `fields` in the stored arguments of old mutations (the review list's copies)."""
    count = 0
    rows = session.exec(
        select(MutationLog.id, MutationLog.name, MutationLog.args).where(
            branch_column(MutationLog) == branch.id,
            col(MutationLog.received_at) < cutoff,
            col(MutationLog.name).in_(list(fields)),
        )
    ).all()
    for log_id, name, args in rows:
        if not isinstance(args, dict):
            continue
        blanked = {k: "" if k in fields[name] and v else v for k, v in args.items()}
        if blanked != args:
            session.execute(
                update(MutationLog).where(col(MutationLog.id) == log_id).values(args=blanked)
            )
            count += 1
    return count


def _purge_audit(session: Session, cutoff: datetime, now: datetime) -> int:
    lock_chain(session)
    first_kept = session.exec(
        select(func.min(AuditEvent.id)).where(col(AuditEvent.at) >= cutoff)
    ).one()
    older = select(func.max(AuditEvent.id))
    if first_kept is not None:
        older = older.where(col(AuditEvent.id) < first_kept)
    last_id = session.exec(older).one()
    if last_id is None:
        return 0
    report = verify_chain(session)
    if report.broken is not None:
        raise Conflict(
            f"The audit chain is broken ({report.broken}); nothing was purged. Investigate "
            "before purging: purging would hide the evidence."
        )
    last = session.get(AuditEvent, last_id)
    assert last is not None
    purged = session.exec(
        select(func.count()).select_from(AuditEvent).where(col(AuditEvent.id) <= last_id)
    ).one()
    session.add(
        AuditAnchor(
            last_id=last_id,
            last_hash=last.hash,
            purged=purged,
            purged_before=cutoff,
            created_at=now,
        )
    )
    session.flush()
    session.execute(delete(AuditEvent).where(col(AuditEvent.id) <= last_id))
    return int(purged)


def apply_retention(*, session: Session, now: datetime) -> RetentionResult:
    """Blank or purge what every branch's policy no longer allows keeping."""
    branches = list(session.exec(select(Branch).order_by(col(Branch.code))))
    policies = current_policies(session, branches)
    result = RetentionResult()
    for branch in branches:
        policy = policies[branch.id]
        _blank_notes(session, branch, now - timedelta(days=policy.notes_retention_days), result)
        _blank_signatures(
            session, branch, now - timedelta(days=policy.signatures_retention_days), result
        )
    audit_days = max(
        (p.audit_retention_days for p in policies.values()),
        default=Policy.from_data(PolicyData(), version=0).audit_retention_days,
    )
    cutoff = now - timedelta(days=audit_days)
    result.audit_purged = _purge_audit(session, cutoff, now)
    result.audit_kept_from = cutoff
    record_audit(
        session,
        at=now,
        action="retention.apply",
        entity="retention",
        entity_id="all",
        data=result.as_dict(),
    )
    session.flush()
    return result
