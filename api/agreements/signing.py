"""What happens to an agreement signed on a phone (`agreement.sign`), decided before anything
is written, and the superseding of the agreement it replaces.

Within the branch limits, and with no other open agreement on the loan (other than the one it
names in `supersedes_id`), it is active at once and the one it names becomes superseded.
Beyond the limits, or next to another open agreement, it is stored as pending_approval
("signed subject to approval") and the mutation answers `flagged` with the reasons.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api.agreements import plan
from api.agreements.lifecycle import OPEN, agreement_transition, allowed_agreement_events
from api.sync.known import Known
from api.sync.protocol import AgreementArgs
from api.sync.rules import Flag
from models import Agreement, Loan
from models.enums import AgreementStatus


@dataclass
class Target:
    """The agreement a new one replaces: a stored row, or a row queued earlier in the batch."""

    id: uuid.UUID
    loan_id: uuid.UUID
    status: AgreementStatus
    row: Agreement | None = None
    queued: dict[str, Any] | None = None


@dataclass
class SignDecision:
    status: AgreementStatus
    flags: list[Flag] = field(default_factory=list)
    approval_reasons: list[dict[str, str]] = field(default_factory=list)
    supersedes_id: uuid.UUID | None = None
    supersede: Target | None = None


def _queued_row(known: Known, agreement_id: uuid.UUID) -> dict[str, Any] | None:
    for row in known.pending.get(Agreement, []):
        if row.get("id") == agreement_id:
            return row
    return None


def find_target(session: Session, known: Known, agreement_id: uuid.UUID) -> Target | None:
    found = known.existing(Agreement, agreement_id)
    if isinstance(found, SimpleNamespace):
        queued = _queued_row(known, agreement_id)
        if queued is None:  # written by an earlier savepoint of this push: read it back
            found = session.get(Agreement, agreement_id)
        else:
            return Target(
                agreement_id, queued["loan_id"], AgreementStatus(queued["status"]), None, queued
            )
    if found is None:
        found = session.get(Agreement, agreement_id)
    if found is None:
        return None
    return Target(found.id, found.loan_id, AgreementStatus(found.status), found, None)


def _other_open(
    session: Session, known: Known, *, loan_id: uuid.UUID, exclude: uuid.UUID | None
) -> bool:
    if loan_id not in known.loans_with_open_agreement:
        return False
    if exclude is None:
        return True
    stored = session.exec(
        select(Agreement.id).where(
            Agreement.loan_id == loan_id,
            col(Agreement.status).in_(list(OPEN)),
            Agreement.id != exclude,
        )
    ).first()
    queued = [
        row
        for row in known.pending.get(Agreement, [])
        if row["loan_id"] == loan_id and row["status"] in OPEN and row["id"] != exclude
    ]
    return stored is not None or bool(queued)


def decide(
    *,
    session: Session,
    known: Known,
    args: AgreementArgs,
    loan: Loan,
    branch_settings: dict[str, Any],
    tz: ZoneInfo,
) -> SignDecision:
    """The status a newly signed agreement gets, and why. Reads only."""
    limits = plan.settings_from_branch(branch_settings)
    terms = plan.Terms.of(
        amount_fen=args.terms.principal_fen,
        down_payment_fen=args.terms.down_payment_fen,
        due_dates=[line.due_date for line in args.terms.schedule],
        signed_on=args.signed_at.astimezone(tz).date(),
    )
    reasons = plan.limits_exceeded(terms, limits)
    flags: list[Flag] = []
    target: Target | None = None
    if args.supersedes_id is not None:
        target = find_target(session, known, args.supersedes_id)
        if target is None or target.loan_id != loan.id or target.id == args.agreement_id:
            flags.append(
                Flag(
                    "supersedes_unknown",
                    f"agreement {args.supersedes_id} is not an agreement of loan "
                    f"{loan.account_number}; it was not replaced",
                )
            )
            target = None
        elif "supersede" not in allowed_agreement_events(target.status):
            flags.append(
                Flag(
                    "supersedes_closed",
                    f"the agreement it replaces is already {target.status.value}",
                )
            )
    if _other_open(session, known, loan_id=loan.id, exclude=target.id if target else None):
        flags.append(
            Flag("second_agreement", f"loan {loan.account_number} already has an open agreement")
        )
        reasons.append(
            plan.Reason(
                "second_agreement",
                f"loan {loan.account_number} already has an open agreement",
                f"贷款{loan.account_number}已有未结束的分期协议",
            )
        )
    limit_reasons = [r for r in reasons if r.code != "second_agreement"]
    if limit_reasons:
        flags.append(Flag("needs_approval", "; ".join(str(r) for r in limit_reasons)))
    status = AgreementStatus.pending_approval if reasons else AgreementStatus.active
    supersede = (
        target
        if target is not None
        and status == AgreementStatus.active
        and "supersede" in allowed_agreement_events(target.status)
        else None
    )
    return SignDecision(
        status=status,
        flags=flags,
        approval_reasons=[r.as_dict() for r in reasons],
        supersedes_id=target.id if target else None,
        supersede=supersede,
    )


def supersede(session: Session, known: Known, target: Target, *, now: datetime) -> None:
    """Mark the replaced agreement superseded (its version changes, so phones pull it)."""
    status = agreement_transition(target.status, "supersede")
    if target.queued is not None:
        target.queued["status"] = status
        target.queued["status_changed_at"] = now
        created = known.existing(Agreement, target.id)
        if created is not None:
            created.status = status
        return
    assert target.row is not None
    target.row.status = status
    target.row.status_changed_at = now
    session.add(target.row)
