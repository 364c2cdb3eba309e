"""One agreement in the manager's hands: approve, decline or cancel it, verify what is stored
against what was signed; the branch's agreement limits; and the facts the visit priority reads.
Services flush; the caller commits.

Lists are in `lists`, tracking against payments in `reconciliation`, who may read what in
`repository`."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api.agreements import plan, repository
from api.agreements.canonical import content_sha256, stored_agreement_canonical
from api.agreements.facts import RUNNING_AGREEMENTS as RUNNING
from api.agreements.facts import AgreementFacts
from api.agreements.lifecycle import agreement_transition, allowed_agreement_events
from api.agreements.reconciliation import reconcile
from api.audit import audit_row, record_audit, write_audit_rows
from api.errors import Conflict, InvalidInput
from models import Agreement, AgreementLine, Branch, User
from models.enums import AgreementStatus, ScheduleLineStatus

MANAGER_ACTIONS = ("approve", "decline", "cancel")
# What an approved agreement may replace (see lifecycle: "supersede").
REPLACEABLE = frozenset(
    {
        AgreementStatus.pending_approval,
        AgreementStatus.signed,
        AgreementStatus.active,
        AgreementStatus.broken,
    }
)
# Decisions that need a reason (the officer's phone shows it).
ReasonedEvent = Literal["decline", "cancel"]


# --- settings ---------------------------------------------------------------------------


def put_agreement_settings(
    *,
    session: Session,
    manager: User,
    branch: Branch,
    values: plan.AgreementSettings,
    now: datetime,
) -> plan.AgreementSettings:
    """Replace the branch's agreement settings (every field; omitted ones take the default)."""
    before = plan.settings_from_branch(branch.settings)
    # A new dict: the JSON column only sees a change when the value is replaced.
    branch.settings = {**branch.settings, plan.SETTINGS_KEY: values.model_dump()}
    session.add(branch)
    record_audit(
        session,
        at=now,
        action="branch.settings.agreements",
        entity="branch",
        entity_id=branch.id,
        actor_id=manager.id,
        branch_id=branch.id,
        data={"before": before.model_dump(), "after": values.model_dump()},
    )
    session.flush()
    return values


# --- decisions --------------------------------------------------------------------------


def manager_actions(status: AgreementStatus | str) -> list[str]:
    """What a manager may do with an agreement in `status` (the console's buttons)."""
    allowed = allowed_agreement_events(status)
    return [a for a in MANAGER_ACTIONS if a in allowed]


@dataclass
class _Decision:
    """A manager's decision in the making: who decides, when, and the audit events it writes."""

    manager: User
    now: datetime
    audit: list[dict[str, Any]] = field(default_factory=list)

    def set_status(
        self, agreement: Agreement, status: AgreementStatus, action: str, /, **data: Any
    ) -> None:
        before = agreement.status
        agreement.status = status
        agreement.status_changed_at = self.now
        self.audit.append(
            audit_row(
                at=self.now,
                action=action,
                entity="agreement",
                entity_id=agreement.id,
                actor_id=self.manager.id,
                branch_id=self.manager.branch_id,
                data={"from": str(before), "to": str(status), **data},
            )
        )

    def decide(
        self,
        agreement: Agreement,
        status: AgreementStatus,
        action: str,
        reason: str,
        /,
        **data: Any,
    ) -> None:
        """The new status, who decided, when and why (the officer's phone shows the reason)."""
        self.set_status(agreement, status, action, **data)
        agreement.decided_by = self.manager.id
        agreement.decided_at = self.now
        agreement.decision_reason = reason

    def write(self, session: Session, *rows: Agreement) -> None:
        session.add_all(rows)
        write_audit_rows(session, self.audit)
        session.flush()


def _replaced_by(session: Session, agreement: Agreement) -> list[Agreement]:
    """The agreements of the loan that `agreement` replaces when approved: the one it names
    in `supersedes_id`, and any other signed or active one signed before it. A newer running
    agreement of the loan is a conflict."""
    others = session.exec(
        select(Agreement)
        .where(
            Agreement.loan_id == agreement.loan_id,
            Agreement.id != agreement.id,
            col(Agreement.status).in_(list(REPLACEABLE)),
        )
        .with_for_update()
    ).all()
    running = (AgreementStatus.signed, AgreementStatus.active)
    replaced = [
        other
        for other in others
        if other.id == agreement.supersedes_id
        or (other.status in running and other.signed_at <= agreement.signed_at)
    ]
    newer = [o for o in others if o not in replaced and o.status in running]
    if newer:
        raise Conflict(
            f"The loan has a newer agreement signed {newer[0].signed_at:%Y-%m-%d} that is "
            f"{newer[0].status}. Decline this one, or cancel the newer one first.",
            agreement_id=str(newer[0].id),
        )
    return replaced


def approve_agreement(
    *,
    session: Session,
    manager: User,
    agreement_id: uuid.UUID,
    now: datetime,
    note: str = "",
) -> Agreement:
    """pending_approval (or signed) -> active. The agreement becomes the loan's agreement: the
    one it names in `supersedes_id`, and any other signed or active agreement of the loan
    signed before it, become superseded. A newer open agreement of the loan is a conflict."""
    agreement = repository.get_agreement(
        session=session, user=manager, agreement_id=agreement_id, lock=True
    )
    target = agreement_transition(agreement.status, "approve")
    replaced = _replaced_by(session, agreement)
    decision = _Decision(manager, now)
    decision.decide(agreement, target, "agreement.approve", note, note=note)
    agreement.activated_at = now
    for other in replaced:
        decision.set_status(
            other,
            agreement_transition(other.status, "supersede"),
            "agreement.supersede",
            superseded_by=str(agreement.id),
        )
    decision.write(session, agreement, *replaced)
    # Payments since the signing day count at once.
    reconcile(session=session, branch_id=manager.branch_id, now=now, loan_ids=[agreement.loan_id])
    return agreement


def decide_agreement(
    *,
    session: Session,
    manager: User,
    agreement_id: uuid.UUID,
    event: ReasonedEvent,
    reason: str,
    now: datetime,
) -> Agreement:
    """decline: pending_approval -> declined; cancel: signed, active or broken -> cancelled.
    Both with the reason the officer's phone shows."""
    agreement = repository.get_agreement(
        session=session, user=manager, agreement_id=agreement_id, lock=True
    )
    target = agreement_transition(agreement.status, event)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            f"Say why you {event} this agreement: the officer sees the reason on the phone."
        )
    decision = _Decision(manager, now)
    decision.decide(agreement, target, f"agreement.{event}", reason, reason=reason)
    decision.write(session, agreement)
    return agreement


# --- verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    valid: bool
    stored_sha256: str
    computed_sha256: str
    text_sha256_valid: bool
    problems: list[str]


def verify(agreement: Agreement, lines: Sequence[AgreementLine]) -> Verification:
    """Recompute the content hash from the stored columns and lines: any edit of the terms,
    the lines, the text, the signatures, the time or the place after signing shows."""
    ordered = sorted(lines, key=lambda line: line.seq)
    computed = content_sha256(stored_agreement_canonical(agreement, ordered))
    text_hash = hashlib.sha256(agreement.text.encode()).hexdigest()
    text_ok = text_hash == agreement.text_sha256.lower()
    problems: list[str] = []
    if computed != agreement.content_sha256:
        problems.append(
            "The stored terms, schedule, signatures, time or place differ from what was "
            "signed (content hash mismatch)."
        )
    if not text_ok:
        problems.append(
            "The stored text differs from the text shown to the borrower (text hash mismatch)."
        )
    total = agreement.down_payment_fen + sum(line.amount_fen for line in ordered)
    if total != agreement.principal_fen:
        problems.append(
            f"Down payment plus schedule is {total} fen, not the agreed "
            f"{agreement.principal_fen} fen."
        )
    if [line.seq for line in ordered] != list(range(1, len(ordered) + 1)):
        problems.append("Schedule lines are missing or numbered out of order.")
    return Verification(
        valid=not problems,
        stored_sha256=agreement.content_sha256,
        computed_sha256=computed,
        text_sha256_valid=text_ok,
        problems=problems,
    )


# --- planning ---------------------------------------------------------------------------


def agreement_facts(
    *, session: Session, borrower_ids: Any, zone: ZoneInfo, since: date
) -> dict[uuid.UUID, list[AgreementFacts]]:
    """What the visit priority reads about agreements, per borrower: running agreements with
    their missed instalments, and agreements broken since `since`. `borrower_ids` is a list
    or a select of ids (as `api.planning.candidates.gather_facts` has them)."""
    start = datetime(since.year, since.month, since.day, tzinfo=zone)
    rows = session.exec(
        select(Agreement).where(
            col(Agreement.borrower_id).in_(borrower_ids),
            col(Agreement.status).in_(list(RUNNING))
            | (
                (col(Agreement.status) == AgreementStatus.broken)
                & (col(Agreement.status_changed_at) >= start)
            ),
        )
    ).all()
    missed: dict[uuid.UUID, int] = defaultdict(int)
    for chunk in repository.chunks([a.id for a in rows]):
        for agreement_id in session.exec(
            select(AgreementLine.agreement_id).where(
                col(AgreementLine.agreement_id).in_(chunk),
                AgreementLine.status == ScheduleLineStatus.missed,
            )
        ):
            missed[agreement_id] += 1
    found: dict[uuid.UUID, list[AgreementFacts]] = defaultdict(list)
    for agreement in rows:
        down = 1 if agreement.down_payment_status == ScheduleLineStatus.missed else 0
        changed = agreement.status_changed_at
        found[agreement.borrower_id].append(
            AgreementFacts(
                status=AgreementStatus(agreement.status),
                missed_lines=missed[agreement.id] + down,
                status_changed_on=changed.astimezone(zone).date() if changed else None,
            )
        )
    return found
