"""An agreement signed on a phone (`agreement.sign`): what happens to it, decided before
anything is written, and the superseding of the agreement it replaces.

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

from api.agreements import canonical, plan
from api.agreements.labels import format_money
from api.agreements.lifecycle import OPEN, agreement_transition, allowed_agreement_events
from api.agreements.mutations import AgreementArgs
from api.agreements.signed_text import check_signed_text
from api.writes.context import NOT_ASSIGNED, Context, Outcome, location_columns
from api.writes.known import Known
from api.writes.rules import Flag, Rejected
from models import Agreement, AgreementLine, Loan, Visit
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


REASSIGNED = plan.Reason(
    NOT_ASSIGNED,
    "signed by an officer the visit was reassigned from",
    "签署人已不在该走访的小组中(走访已改派)",
)


# --- the mutation ---------------------------------------------------------------------------


def sign_agreement(ctx: Context, args: AgreementArgs) -> Outcome:
    """Refused when the signed content does not hold together or the id was signed with
    other content; otherwise stored as `decide` says, replacing the agreement it names."""
    digest = canonical.content_sha256(canonical.canonical_from_args(args))
    if ctx.received_before(
        Agreement,
        args.agreement_id,
        content_sha256=digest,
        conflict=(
            f"Agreement {args.agreement_id} was already signed with other content; signed "
            "terms never change (possible tampering). Sign a new agreement instead."
        ),
        code="agreement_tampered",
    ):
        return Outcome([], duplicate_of_entity=True)
    canonical.check_agreement(args)
    visit = ctx.visit(args.visit_id)
    loan = ctx.visit_loan(visit, args.loan_id)
    flags = ctx.assignment_flags(visit)  # a stranger to the visit hears that first
    check_within_loan(principal_fen=args.terms.principal_fen, outstanding_fen=loan.outstanding_fen)
    check_signed_text(ctx, args, loan)
    # Within the branch limits: active at once; beyond them, or next to another open
    # agreement of the loan: pending_approval, flagged with the reasons (reads only).
    decision = decide(
        session=ctx.session,
        known=ctx.known,
        args=args,
        loan=loan,
        branch_settings=ctx.branch.settings,
        tz=ctx.tz,
        reassigned=any(f.code == NOT_ASSIGNED for f in flags),
    )
    ctx.known.loans_with_open_agreement.add(loan.id)
    _insert_agreement(ctx, args, visit, decision, digest)
    if decision.supersede is not None:
        supersede(ctx.session, ctx.known, decision.supersede, now=ctx.now)
        ctx.audit(
            "agreement.supersede",
            "agreement",
            decision.supersede.id,
            status=AgreementStatus.superseded,
            superseded_by=str(args.agreement_id),
        )
    ctx.touch(visit)
    ctx.audit(
        "agreement.sign",
        "agreement",
        args.agreement_id,
        args.location,
        content_sha256=digest,
        status=decision.status,
        approval_reasons=[r["code"] for r in decision.approval_reasons],
    )
    return Outcome(flags + decision.flags)


def check_within_loan(*, principal_fen: int, outstanding_fen: int) -> None:
    """Refused when the agreed amount is more than is owed on the loan (its outstanding
    balance). Down payment and schedule against the principal: `canonical.check_agreement`."""
    if principal_fen > outstanding_fen:
        raise Rejected(
            f"The agreed amount {format_money(principal_fen)} is more than the "
            f"{format_money(outstanding_fen)} outstanding on the loan; agree at most that.",
            "agreement_above_outstanding",
        )


def _insert_agreement(
    ctx: Context, args: AgreementArgs, visit: Visit, decision: SignDecision, digest: str
) -> None:
    """Queue the agreement and its schedule lines, with the status decided for it."""
    terms = args.terms
    ctx.insert(
        Agreement,
        id=args.agreement_id,
        **ctx.at_visit(visit),
        loan_id=args.loan_id,
        principal_fen=terms.principal_fen,
        down_payment_fen=terms.down_payment_fen,
        text=args.text,
        text_sha256=args.text_sha256.lower(),
        borrower_signature=args.borrower_signature,
        officer_signature=args.officer_signature,
        signed_at=args.signed_at,
        **location_columns(args.location),
        content_sha256=digest,
        status=decision.status,
        supersedes_id=decision.supersedes_id,
        approval_reasons=decision.approval_reasons,
        activated_at=ctx.now if decision.status == AgreementStatus.active else None,
        status_changed_at=ctx.now,
        down_payment_status="paid" if terms.down_payment_fen == 0 else "due",
        policy_version=ctx.policy.version,
    )
    for seq, line in enumerate(terms.schedule, start=1):
        ctx.insert(
            AgreementLine,
            agreement_id=args.agreement_id,
            seq=seq,
            due_date=line.due_date,
            amount_fen=line.amount_fen,
        )


# --- the decision ---------------------------------------------------------------------------


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


def _named_target(
    session: Session, known: Known, args: AgreementArgs, loan: Loan
) -> tuple[Target | None, list[Flag]]:
    """The agreement `supersedes_id` names, if it is another agreement of the same loan;
    flagged when it is not one, or is already closed."""
    if args.supersedes_id is None:
        return None, []
    target = find_target(session, known, args.supersedes_id)
    if target is None or target.loan_id != loan.id or target.id == args.agreement_id:
        unknown = Flag(
            "supersedes_unknown",
            f"agreement {args.supersedes_id} is not an agreement of loan "
            f"{loan.account_number}; it was not replaced",
        )
        return None, [unknown]
    if not _replaceable(target):
        closed = Flag(
            "supersedes_closed", f"the agreement it replaces is already {target.status.value}"
        )
        return target, [closed]
    return target, []


def decide(
    *,
    session: Session,
    known: Known,
    args: AgreementArgs,
    loan: Loan,
    branch_settings: dict[str, Any],
    tz: ZoneInfo,
    reassigned: bool = False,
) -> SignDecision:
    """The status a newly signed agreement gets, and why. Reads only. An agreement signed
    by an officer the visit was taken from (`reassigned`) always waits for the manager."""
    terms = plan.Terms.of(
        amount_fen=args.terms.principal_fen,
        down_payment_fen=args.terms.down_payment_fen,
        due_dates=[line.due_date for line in args.terms.schedule],
        signed_on=args.signed_at.astimezone(tz).date(),
    )
    limits = plan.limits_exceeded(terms, plan.settings_from_branch(branch_settings))
    target, flags = _named_target(session, known, args, loan)
    second = _second_agreement(session, known, loan, replaced=target)
    flags += [Flag(reason.code, reason.text) for reason in second]
    if limits:
        flags.append(Flag("needs_approval", "; ".join(str(r) for r in limits)))
    reasons = [*limits, *second, *([REASSIGNED] if reassigned else [])]
    status = AgreementStatus.pending_approval if reasons else AgreementStatus.active
    return SignDecision(
        status=status,
        flags=flags,
        approval_reasons=[r.as_dict() for r in reasons],
        supersedes_id=target.id if target else None,
        supersede=target if status == AgreementStatus.active and _replaceable(target) else None,
    )


def _second_agreement(
    session: Session, known: Known, loan: Loan, *, replaced: Target | None
) -> list[plan.Reason]:
    """Another open agreement on the loan (besides the one replaced) needs the manager."""
    exclude = replaced.id if replaced else None
    if not _other_open(session, known, loan_id=loan.id, exclude=exclude):
        return []
    text = f"loan {loan.account_number} already has an open agreement"
    return [plan.Reason("second_agreement", text, f"贷款{loan.account_number}已有未结束的分期协议")]


def _replaceable(target: Target | None) -> bool:
    return target is not None and "supersede" in allowed_agreement_events(target.status)


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
