"""Agreements and promises: the manager's decisions, lists, verification, branch settings and
tracking against imported payments. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import exists
from sqlmodel import Session, col, select

from api.agreements import canonical as rules
from api.agreements import plan, tracking
from api.agreements.canonical import stored_agreement_canonical
from api.agreements.lifecycle import (
    TRACKED,
    AgreementEvent,
    agreement_event,
    agreement_transition,
    allowed_agreement_events,
    promise_event,
)
from api.audit import audit_row, write_audit_rows
from api.errors import Conflict, InvalidInput, NotFound
from api.planning.priority import RUNNING_AGREEMENTS as RUNNING
from api.planning.priority import AgreementFacts
from models import (
    Agreement,
    AgreementLine,
    Borrower,
    Branch,
    Loan,
    Payment,
    Promise,
    User,
    VisitOfficer,
)
from models.enums import AgreementStatus, PromiseStatus, Role, ScheduleLineStatus

CHUNK = 500  # ids per IN (...) query
# Kept and broken promises younger than this still take part in tracking (a late import may
# show that a broken one was kept; kept ones hold on to the payments that kept them).
PROMISE_LOOKBACK_DAYS = 120
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

K = TypeVar("K")


def _chunks(values: Sequence[K], size: int = CHUNK) -> Iterable[Sequence[K]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _branch(session: Session, branch_id: uuid.UUID) -> Branch:
    branch = session.get(Branch, branch_id)
    if branch is None:
        raise NotFound("No such branch.")
    return branch


# --- settings ---------------------------------------------------------------------------


def get_agreement_settings(*, session: Session, branch_id: uuid.UUID) -> plan.AgreementSettings:
    """The branch's limits and tracking knobs, merged over the defaults."""
    return plan.settings_from_branch(_branch(session, branch_id).settings)


def put_agreement_settings(
    *, session: Session, manager: User, values: plan.AgreementSettings, now: datetime
) -> plan.AgreementSettings:
    """Replace the branch's agreement settings (every field; omitted ones take the default)."""
    branch = _branch(session, manager.branch_id)
    before = plan.settings_from_branch(branch.settings)
    # A new dict: the JSON column only sees a change when the value is replaced.
    branch.settings = {**branch.settings, plan.SETTINGS_KEY: values.model_dump()}
    session.add(branch)
    write_audit_rows(
        session,
        [
            audit_row(
                at=now,
                action="branch.settings.agreements",
                entity="branch",
                entity_id=branch.id,
                actor_id=manager.id,
                branch_id=branch.id,
                data={"before": before.model_dump(), "after": values.model_dump()},
            )
        ],
    )
    session.flush()
    return values


# --- access -----------------------------------------------------------------------------


def get_agreement(
    *, session: Session, user: User, agreement_id: uuid.UUID, lock: bool = False
) -> Agreement:
    """A manager sees the branch's agreements; an officer those of their own visits (or that
    they signed). Anything else answers 404, as if it did not exist."""
    query = select(Agreement).where(Agreement.id == agreement_id)
    if lock:
        query = query.with_for_update()
    agreement = session.exec(query).first()
    if agreement is None:
        raise NotFound("No such agreement.")
    borrower = session.get(Borrower, agreement.borrower_id)
    if borrower is None or borrower.branch_id != user.branch_id:
        raise NotFound("No such agreement.")
    if user.role == Role.officer and agreement.officer_id != user.id:
        on_team = (
            agreement.visit_id is not None
            and session.exec(
                select(
                    exists().where(
                        col(VisitOfficer.visit_id) == agreement.visit_id,
                        col(VisitOfficer.user_id) == user.id,
                    )
                )
            ).one()
        )
        if not on_team:
            raise NotFound("No such agreement among your visits.")
    return agreement


def agreement_lines(session: Session, agreement_id: uuid.UUID) -> list[AgreementLine]:
    return list(
        session.exec(
            select(AgreementLine)
            .where(AgreementLine.agreement_id == agreement_id)
            .order_by(col(AgreementLine.seq))
        )
    )


def superseded_by(session: Session, agreement_id: uuid.UUID) -> uuid.UUID | None:
    return session.exec(
        select(Agreement.id)
        .where(Agreement.supersedes_id == agreement_id)
        .order_by(col(Agreement.signed_at).desc())
    ).first()


def manager_actions(status: AgreementStatus | str) -> list[str]:
    allowed = allowed_agreement_events(status)
    return [a for a in MANAGER_ACTIONS if a in allowed]


# --- decisions --------------------------------------------------------------------------


def _set_status(
    agreement: Agreement,
    status: AgreementStatus,
    *,
    now: datetime,
    audit: list[dict[str, Any]],
    action: str,
    actor_id: uuid.UUID | None,
    branch_id: uuid.UUID,
    **data: Any,
) -> None:
    before = agreement.status
    agreement.status = status
    agreement.status_changed_at = now
    audit.append(
        audit_row(
            at=now,
            action=action,
            entity="agreement",
            entity_id=agreement.id,
            actor_id=actor_id,
            branch_id=branch_id,
            data={"from": str(before), "to": str(status), **data},
        )
    )


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
    agreement = get_agreement(session=session, user=manager, agreement_id=agreement_id, lock=True)
    target = agreement_transition(agreement.status, "approve")
    others = list(
        session.exec(
            select(Agreement)
            .where(
                Agreement.loan_id == agreement.loan_id,
                Agreement.id != agreement.id,
                col(Agreement.status).in_(list(REPLACEABLE)),
            )
            .with_for_update()
        )
    )
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
    audit: list[dict[str, Any]] = []
    branch_id = manager.branch_id
    _set_status(
        agreement,
        target,
        now=now,
        audit=audit,
        action="agreement.approve",
        actor_id=manager.id,
        branch_id=branch_id,
        note=note,
    )
    agreement.decided_by = manager.id
    agreement.decided_at = now
    agreement.decision_reason = note
    agreement.activated_at = now
    session.add(agreement)
    for other in replaced:
        _set_status(
            other,
            agreement_transition(other.status, "supersede"),
            now=now,
            audit=audit,
            action="agreement.supersede",
            actor_id=manager.id,
            branch_id=branch_id,
            superseded_by=str(agreement.id),
        )
        session.add(other)
    write_audit_rows(session, audit)
    session.flush()
    # Payments since the signing day count at once.
    reconcile(session=session, branch_id=branch_id, now=now, loan_ids=[agreement.loan_id])
    return agreement


def _decide(
    *,
    session: Session,
    manager: User,
    agreement_id: uuid.UUID,
    now: datetime,
    reason: str,
    event: AgreementEvent,
) -> Agreement:
    agreement = get_agreement(session=session, user=manager, agreement_id=agreement_id, lock=True)
    target = agreement_transition(agreement.status, event)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            f"Say why you {event} this agreement: the officer sees the reason on the phone."
        )
    audit: list[dict[str, Any]] = []
    _set_status(
        agreement,
        target,
        now=now,
        audit=audit,
        action=f"agreement.{event}",
        actor_id=manager.id,
        branch_id=manager.branch_id,
        reason=reason,
    )
    agreement.decided_by = manager.id
    agreement.decided_at = now
    agreement.decision_reason = reason
    session.add(agreement)
    write_audit_rows(session, audit)
    session.flush()
    return agreement


def decline_agreement(
    *, session: Session, manager: User, agreement_id: uuid.UUID, reason: str, now: datetime
) -> Agreement:
    """pending_approval -> declined, with the reason the officer's phone shows."""
    return _decide(
        session=session,
        manager=manager,
        agreement_id=agreement_id,
        now=now,
        reason=reason,
        event="decline",
    )


def cancel_agreement(
    *, session: Session, manager: User, agreement_id: uuid.UUID, reason: str, now: datetime
) -> Agreement:
    """signed, active or broken -> cancelled, with the reason."""
    return _decide(
        session=session,
        manager=manager,
        agreement_id=agreement_id,
        now=now,
        reason=reason,
        event="cancel",
    )


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
    computed = rules.content_sha256(stored_agreement_canonical(agreement, ordered))
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


# --- lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    status: list[str] = field(default_factory=list)
    officer_id: uuid.UUID | None = None
    borrower_id: uuid.UUID | None = None
    due_from: date | None = None
    due_to: date | None = None


@dataclass
class AgreementRow:
    agreement: Agreement
    borrower_name: str
    national_id_masked: str
    account_number: str
    officer_name: str
    lines: list[AgreementLine]

    @property
    def paid_fen(self) -> int:
        return self.agreement.down_payment_paid_fen + sum(line.paid_fen for line in self.lines)

    @property
    def missed_lines(self) -> int:
        return sum(1 for line in self.lines if line.status == ScheduleLineStatus.missed)

    @property
    def next_due_date(self) -> date | None:
        due = [line.due_date for line in self.lines if line.status != ScheduleLineStatus.paid]
        return min(due) if due else None


def _lines_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[AgreementLine]]:
    found: dict[uuid.UUID, list[AgreementLine]] = defaultdict(list)
    for chunk in _chunks(list(ids)):
        for line in session.exec(
            select(AgreementLine)
            .where(col(AgreementLine.agreement_id).in_(chunk))
            .order_by(col(AgreementLine.agreement_id), col(AgreementLine.seq))
        ):
            found[line.agreement_id].append(line)
    return found


def list_agreements(*, session: Session, manager: User, filters: Filters) -> list[AgreementRow]:
    """The branch's agreements, newest first. `due_from`/`due_to` keep agreements with a
    schedule line due in that range."""
    query = (
        select(Agreement, Borrower, Loan.account_number, User.full_name)
        .join(Borrower, col(Borrower.id) == col(Agreement.borrower_id))
        .join(Loan, col(Loan.id) == col(Agreement.loan_id))
        .join(User, col(User.id) == col(Agreement.officer_id))
        .where(Borrower.branch_id == manager.branch_id)
        .order_by(col(Agreement.signed_at).desc(), col(Agreement.id))
    )
    if filters.status:
        query = query.where(col(Agreement.status).in_(filters.status))
    if filters.officer_id is not None:
        query = query.where(Agreement.officer_id == filters.officer_id)
    if filters.borrower_id is not None:
        query = query.where(Agreement.borrower_id == filters.borrower_id)
    if filters.due_from is not None or filters.due_to is not None:
        line_due = [col(AgreementLine.agreement_id) == col(Agreement.id)]
        if filters.due_from is not None:
            line_due.append(col(AgreementLine.due_date) >= filters.due_from)
        if filters.due_to is not None:
            line_due.append(col(AgreementLine.due_date) <= filters.due_to)
        query = query.where(exists().where(*line_due))
    rows = session.exec(query).all()
    lines = _lines_of(session, [row[0].id for row in rows])
    return [
        AgreementRow(
            agreement,
            borrower.name,
            borrower.national_id_masked,
            account,
            officer,
            lines.get(agreement.id, []),
        )
        for agreement, borrower, account, officer in rows
    ]


@dataclass
class PromiseRow:
    promise: Promise
    borrower_name: str
    account_number: str
    officer_name: str


def list_promises(*, session: Session, manager: User, filters: Filters) -> list[PromiseRow]:
    """The branch's promises to pay, by due date."""
    query = (
        select(Promise, Borrower.name, Loan.account_number, User.full_name)
        .join(Borrower, col(Borrower.id) == col(Promise.borrower_id))
        .join(Loan, col(Loan.id) == col(Promise.loan_id))
        .join(User, col(User.id) == col(Promise.officer_id))
        .where(Borrower.branch_id == manager.branch_id)
        .order_by(col(Promise.due_date), col(Promise.made_at), col(Promise.id))
    )
    if filters.status:
        query = query.where(col(Promise.status).in_(filters.status))
    if filters.officer_id is not None:
        query = query.where(Promise.officer_id == filters.officer_id)
    if filters.borrower_id is not None:
        query = query.where(Promise.borrower_id == filters.borrower_id)
    if filters.due_from is not None:
        query = query.where(col(Promise.due_date) >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(col(Promise.due_date) <= filters.due_to)
    return [PromiseRow(*row) for row in session.exec(query).all()]


# --- tracking ---------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    promises: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    agreements: int = 0
    agreements_fulfilled: int = 0
    agreements_broken: int = 0
    agreements_reinstated: int = 0
    lines_paid: int = 0
    lines_missed: int = 0
    changed_rows: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def reconcile(
    *,
    session: Session,
    branch_id: uuid.UUID,
    now: datetime,
    actor_id: uuid.UUID | None = None,
    loan_ids: Sequence[uuid.UUID] | None = None,
) -> ReconcileReport:
    """Bring promises and agreement schedules of the branch (or of `loan_ids`) in line with
    the imported payments, as of today in the branch's time zone. Every status change bumps
    the row's version (phones pull it) and writes an audit event; running it again changes
    nothing."""
    branch = _branch(session, branch_id)
    settings = plan.settings_from_branch(branch.settings)
    zone = ZoneInfo(branch.timezone)
    today = now.astimezone(zone).date()
    report = ReconcileReport()
    audit: list[dict[str, Any]] = []

    def event(action: str, entity: str, entity_id: uuid.UUID, **data: Any) -> None:
        audit.append(
            audit_row(
                at=now,
                action=action,
                entity=entity,
                entity_id=entity_id,
                actor_id=actor_id,
                branch_id=branch_id,
                data=data,
            )
        )

    since = today - timedelta(days=PROMISE_LOOKBACK_DAYS)
    promise_query = (
        select(Promise)
        .join(Loan, col(Loan.id) == col(Promise.loan_id))
        .where(
            Loan.branch_id == branch_id,
            (col(Promise.status) == PromiseStatus.open)
            | (
                col(Promise.status).in_([PromiseStatus.kept, PromiseStatus.broken])
                & (col(Promise.due_date) >= since)
            ),
        )
    )
    agreement_query = (
        select(Agreement)
        .join(Loan, col(Loan.id) == col(Agreement.loan_id))
        .where(
            Loan.branch_id == branch_id,
            col(Agreement.status).in_([*TRACKED, AgreementStatus.pending_approval]),
        )
    )
    if loan_ids is not None:
        promise_query = promise_query.where(col(Promise.loan_id).in_(list(loan_ids)))
        agreement_query = agreement_query.where(col(Agreement.loan_id).in_(list(loan_ids)))
    promises: dict[uuid.UUID, list[Promise]] = defaultdict(list)
    for promise in session.exec(promise_query):
        promises[promise.loan_id].append(promise)
    agreements: dict[uuid.UUID, list[Agreement]] = defaultdict(list)
    for agreement in session.exec(agreement_query):
        agreements[agreement.loan_id].append(agreement)
    loans = sorted(set(promises) | set(agreements))
    if not loans:
        return report

    starts = [p.made_at.astimezone(zone).date() for ps in promises.values() for p in ps]
    starts += [a.signed_at.astimezone(zone).date() for ags in agreements.values() for a in ags]
    payments: dict[uuid.UUID, list[tracking.PaymentFact]] = defaultdict(list)
    for chunk in _chunks(loans):
        for loan_id, paid_on, amount, reference in session.exec(
            select(
                Payment.loan_id, col(Payment.paid_on), Payment.amount_fen, Payment.reference
            ).where(col(Payment.loan_id).in_(chunk), col(Payment.paid_on) >= min(starts))
        ):
            payments[loan_id].append(tracking.PaymentFact(paid_on, amount, reference))
    lines = _lines_of(session, [a.id for ags in agreements.values() for a in ags])

    for loan_id in loans:
        paid = payments.get(loan_id, [])
        _track_promises(promises.get(loan_id, []), paid, zone, today, settings, report, event, now)
        for agreement in agreements.get(loan_id, []):
            _track_agreement(
                agreement,
                lines.get(agreement.id, []),
                paid,
                zone,
                today,
                settings,
                report,
                event,
                now,
            )
    # The rows were loaded by this session: their changes are flushed with it.
    if report.changed_rows:
        event("agreements.reconcile", "branch", branch_id, **report.as_dict())
    write_audit_rows(session, audit)
    session.flush()
    return report


def _track_promises(
    promises: list[Promise],
    payments: list[tracking.PaymentFact],
    zone: ZoneInfo,
    today: date,
    settings: plan.AgreementSettings,
    report: ReconcileReport,
    event: Any,
    now: datetime,
) -> None:
    if not promises:
        return
    facts = [
        tracking.PromiseFact(p.id, p.made_at.astimezone(zone).date(), p.due_date, p.amount_fen)
        for p in promises
    ]
    results = tracking.track_promises(facts, payments, today=today, grace_days=settings.grace_days)
    for promise in promises:
        report.promises += 1
        result = results[promise.id]
        if promise.status == PromiseStatus.kept:
            continue  # payments never go away: a kept promise stays kept
        changed = False
        if promise.paid_fen != result.paid_fen:
            promise.paid_fen = result.paid_fen
            changed = True
        step = promise_event(promise.status, result.status)
        if step in ("keep", "break"):
            before = promise.status
            promise.status = result.status
            promise.resolved_at = now
            changed = True
            if result.status == PromiseStatus.kept:
                report.promises_kept += 1
            else:
                report.promises_broken += 1
            event(
                f"promise.{result.status}",
                "promise",
                promise.id,
                **{"from": str(before), "to": str(result.status), "paid_fen": result.paid_fen},
            )
        if changed:
            report.changed_rows += 1


_TARGETS = {
    "active": AgreementStatus.active,
    "fulfilled": AgreementStatus.fulfilled,
    "broken": AgreementStatus.broken,
}


def _track_agreement(
    agreement: Agreement,
    lines: list[AgreementLine],
    payments: list[tracking.PaymentFact],
    zone: ZoneInfo,
    today: date,
    settings: plan.AgreementSettings,
    report: ReconcileReport,
    event: Any,
    now: datetime,
) -> None:
    report.agreements += 1
    result = tracking.track_agreement(
        signed_on=agreement.signed_at.astimezone(zone).date(),
        down_payment_fen=agreement.down_payment_fen,
        lines=[(line.seq, line.due_date, line.amount_fen) for line in lines],
        payments=payments,
        today=today,
        grace_days=settings.grace_days,
        broken_after=settings.broken_after_missed,
    )
    changed = lines_changed = False
    down = result.down_payment
    if (agreement.down_payment_paid_fen, agreement.down_payment_status) != (
        down.paid_fen,
        down.status,
    ):
        if agreement.down_payment_status != down.status:
            event(
                f"agreement.down_payment_{down.status}",
                "agreement",
                agreement.id,
                **{"from": str(agreement.down_payment_status), "to": str(down.status)},
            )
        agreement.down_payment_paid_fen = down.paid_fen
        agreement.down_payment_status = down.status
        changed = True
    for line in lines:
        item = result.lines[line.seq]
        if (line.paid_fen, line.status, line.paid_on) == (item.paid_fen, item.status, item.paid_on):
            continue
        if line.status != item.status:
            if item.status == ScheduleLineStatus.paid:
                report.lines_paid += 1
            elif item.status == ScheduleLineStatus.missed:
                report.lines_missed += 1
            event(
                f"agreement.line_{item.status}",
                "agreement",
                agreement.id,
                seq=line.seq,
                **{"from": str(line.status), "to": str(item.status)},
            )
        line.paid_fen, line.status, line.paid_on = item.paid_fen, item.status, item.paid_on
        lines_changed = True
    target = _TARGETS[result.target]
    step = agreement_event(agreement.status, target) if agreement.status in TRACKED else None
    if step in ("fulfil", "break", "reinstate"):
        before = agreement.status
        agreement.status = target
        agreement.status_changed_at = now
        changed = True
        if step == "fulfil":
            report.agreements_fulfilled += 1
        elif step == "break":
            report.agreements_broken += 1
        else:
            report.agreements_reinstated += 1
        event(
            f"agreement.{step}",
            "agreement",
            agreement.id,
            missed=result.missed,
            **{"from": str(before), "to": str(target)},
        )
    if lines_changed and not changed:
        # The phone's copy embeds the schedule: a line change alone must change the version
        # (a change of the agreement's own columns bumps it on flush).
        agreement.version += 1
    if changed or lines_changed:
        report.changed_rows += 1


# --- planning ---------------------------------------------------------------------------


def agreement_facts(
    *, session: Session, borrower_ids: Any, zone: ZoneInfo, since: date
) -> dict[uuid.UUID, list[AgreementFacts]]:
    """What the visit priority reads about agreements, per borrower: running agreements with
    their missed instalments, and agreements broken since `since`. `borrower_ids` is a list
    or a select of ids (as `api.planning.service._gather` has them)."""
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
    for chunk in _chunks([a.id for a in rows]):
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
