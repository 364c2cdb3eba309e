"""Promises and agreement schedules brought in line with the imported payments (the payments
import, the manager's approval and `fieldvisit reconcile` run it). The maths is in
`tracking`; this module reads the rows, writes what changed and audits it. Services flush;
the caller commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from api.agreements import plan, repository, tracking
from api.agreements.lifecycle import TRACKED, agreement_event, promise_event
from api.audit import audit_row, write_audit_rows
from api.scoping import get_branch
from models import Agreement, AgreementLine, Payment, Promise
from models.base import mark_changed
from models.enums import AgreementStatus, PromiseStatus, ScheduleLineStatus

# Kept and broken promises younger than this still take part in tracking (a late import may
# show that a broken one was kept; kept ones hold on to the payments that kept them).
PROMISE_LOOKBACK_DAYS = 120

Tracked = TypeVar("Tracked", Promise, Agreement)
_TARGETS = {
    "active": AgreementStatus.active,
    "fulfilled": AgreementStatus.fulfilled,
    "broken": AgreementStatus.broken,
}


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


@dataclass
class _Run:
    """What one run shares while it walks the loans: the branch's day and settings, the
    counts so far and the audit events to write at the end."""

    branch_id: uuid.UUID
    actor_id: uuid.UUID | None
    now: datetime
    zone: ZoneInfo
    settings: plan.AgreementSettings
    report: ReconcileReport = field(default_factory=ReconcileReport)
    audit: list[dict[str, Any]] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def event(self, action: str, entity: str, entity_id: uuid.UUID, **data: Any) -> None:
        self.audit.append(
            audit_row(
                at=self.now,
                action=action,
                entity=entity,
                entity_id=entity_id,
                actor_id=self.actor_id,
                branch_id=self.branch_id,
                data=data,
            )
        )

    def change(
        self, action: str, agreement: Agreement, before: object, after: object, **data: Any
    ) -> None:
        """An agreement's (or one of its lines') status change: what explains it, then
        `from` and `to`."""
        self.event(
            action, "agreement", agreement.id, **data, **{"from": str(before), "to": str(after)}
        )


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
    branch = get_branch(session, branch_id)
    run = _Run(
        branch_id=branch_id,
        actor_id=actor_id,
        now=now,
        zone=ZoneInfo(branch.timezone),
        settings=plan.settings_from_branch(branch.settings),
    )
    since = run.today - timedelta(days=PROMISE_LOOKBACK_DAYS)
    promises = _by_loan(session, _tracked_promises(branch_id, since, loan_ids))
    agreements = _by_loan(session, _tracked_agreements(branch_id, loan_ids))
    loans = sorted(set(promises) | set(agreements))
    if not loans:
        return run.report
    starts = [run.local_day(p.made_at) for ps in promises.values() for p in ps]
    starts += [run.local_day(a.signed_at) for ags in agreements.values() for a in ags]
    payments = _payments(session, loans, since=min(starts))
    lines = repository.lines_of(session, [a.id for ags in agreements.values() for a in ags])
    for loan_id in loans:
        paid = payments.get(loan_id, [])
        _track_promises(run, promises.get(loan_id, []), paid)
        for agreement in agreements.get(loan_id, []):
            _track_agreement(run, agreement, lines.get(agreement.id, []), paid)
    # The rows were loaded by this session: their changes are flushed with it.
    if run.report.changed_rows:
        run.event("agreements.reconcile", "branch", branch_id, **run.report.as_dict())
    write_audit_rows(session, run.audit)
    session.flush()
    return run.report


# --- reading ----------------------------------------------------------------------------


def _tracked_promises(
    branch_id: uuid.UUID, since: date, loan_ids: Sequence[uuid.UUID] | None
) -> SelectOfScalar[Promise]:
    """Open promises, and kept or broken ones due since `since` (a late payment may still
    change them)."""
    query = repository.loan_branch_promises(branch_id).where(
        (col(Promise.status) == PromiseStatus.open)
        | (
            col(Promise.status).in_([PromiseStatus.kept, PromiseStatus.broken])
            & (col(Promise.due_date) >= since)
        )
    )
    return query if loan_ids is None else query.where(col(Promise.loan_id).in_(list(loan_ids)))


def _tracked_agreements(
    branch_id: uuid.UUID, loan_ids: Sequence[uuid.UUID] | None
) -> SelectOfScalar[Agreement]:
    """Agreements whose schedule is tracked; pending ones too (their lines are tracked, their
    status waits for the manager)."""
    query = repository.loan_branch_agreements(branch_id).where(
        col(Agreement.status).in_([*TRACKED, AgreementStatus.pending_approval])
    )
    return query if loan_ids is None else query.where(col(Agreement.loan_id).in_(list(loan_ids)))


def _by_loan(session: Session, query: SelectOfScalar[Tracked]) -> dict[uuid.UUID, list[Tracked]]:
    found: dict[uuid.UUID, list[Tracked]] = defaultdict(list)
    for row in session.exec(query):
        found[row.loan_id].append(row)
    return found


def _payments(
    session: Session, loans: Sequence[uuid.UUID], *, since: date
) -> dict[uuid.UUID, list[tracking.PaymentFact]]:
    """The payments on `loans` made on or after `since`, per loan."""
    payments: dict[uuid.UUID, list[tracking.PaymentFact]] = defaultdict(list)
    for chunk in repository.chunks(loans):
        for loan_id, paid_on, amount, reference in session.exec(
            select(
                Payment.loan_id, col(Payment.paid_on), Payment.amount_fen, Payment.reference
            ).where(col(Payment.loan_id).in_(chunk), col(Payment.paid_on) >= since)
        ):
            payments[loan_id].append(tracking.PaymentFact(paid_on, amount, reference))
    return payments


# --- promises ---------------------------------------------------------------------------


def _track_promises(
    run: _Run, promises: list[Promise], payments: list[tracking.PaymentFact]
) -> None:
    if not promises:
        return
    facts = [
        tracking.PromiseFact(p.id, run.local_day(p.made_at), p.due_date, p.amount_fen)
        for p in promises
    ]
    results = tracking.track_promises(
        facts, payments, today=run.today, grace_days=run.settings.grace_days
    )
    for promise in promises:
        run.report.promises += 1
        if promise.status == PromiseStatus.kept:
            continue  # payments never go away: a kept promise stays kept
        if _track_promise(run, promise, results[promise.id]):
            run.report.changed_rows += 1


def _track_promise(run: _Run, promise: Promise, result: tracking.PromiseResult) -> bool:
    """Apply what the payments say to one promise; True when the row changed."""
    changed = False
    if promise.paid_fen != result.paid_fen:
        promise.paid_fen = result.paid_fen
        changed = True
    if promise_event(promise.status, result.status) in ("keep", "break"):
        before = promise.status
        promise.status = result.status
        promise.resolved_at = run.now
        changed = True
        if result.status == PromiseStatus.kept:
            run.report.promises_kept += 1
        else:
            run.report.promises_broken += 1
        run.event(
            f"promise.{result.status}",
            "promise",
            promise.id,
            **{"from": str(before), "to": str(result.status), "paid_fen": result.paid_fen},
        )
    return changed


# --- agreements -------------------------------------------------------------------------


def _track_agreement(
    run: _Run,
    agreement: Agreement,
    lines: list[AgreementLine],
    payments: list[tracking.PaymentFact],
) -> None:
    run.report.agreements += 1
    result = tracking.track_agreement(
        signed_on=run.local_day(agreement.signed_at),
        down_payment_fen=agreement.down_payment_fen,
        lines=[(line.seq, line.due_date, line.amount_fen) for line in lines],
        payments=payments,
        today=run.today,
        grace_days=run.settings.grace_days,
        broken_after=run.settings.broken_after_missed,
    )
    down_changed = _track_down_payment(run, agreement, result.down_payment)
    lines_changed = _track_lines(run, agreement, lines, result.lines)
    status_changed = _track_status(run, agreement, result)
    changed = down_changed or status_changed
    if lines_changed and not changed:
        # The phone's copy embeds the schedule: a line change alone must change the version
        # (a change of the agreement's own columns bumps it on flush).
        mark_changed(agreement)
    if changed or lines_changed:
        run.report.changed_rows += 1


def _track_down_payment(run: _Run, agreement: Agreement, down: tracking.ItemResult) -> bool:
    """Apply what the payments say to the down payment; True when it changed."""
    if (agreement.down_payment_paid_fen, agreement.down_payment_status) == (
        down.paid_fen,
        down.status,
    ):
        return False
    if agreement.down_payment_status != down.status:
        run.change(
            f"agreement.down_payment_{down.status}",
            agreement,
            agreement.down_payment_status,
            down.status,
        )
    agreement.down_payment_paid_fen = down.paid_fen
    agreement.down_payment_status = down.status
    return True


def _track_lines(
    run: _Run,
    agreement: Agreement,
    lines: list[AgreementLine],
    results: dict[int, tracking.ItemResult],
) -> bool:
    """Apply what the payments say to the schedule lines; True when any changed."""
    changed = False
    for line in lines:
        item = results[line.seq]
        if (line.paid_fen, line.status, line.paid_on) == (item.paid_fen, item.status, item.paid_on):
            continue
        if line.status != item.status:
            if item.status == ScheduleLineStatus.paid:
                run.report.lines_paid += 1
            elif item.status == ScheduleLineStatus.missed:
                run.report.lines_missed += 1
            run.change(
                f"agreement.line_{item.status}", agreement, line.status, item.status, seq=line.seq
            )
        line.paid_fen, line.status, line.paid_on = item.paid_fen, item.status, item.paid_on
        changed = True
    return changed


def _track_status(run: _Run, agreement: Agreement, result: tracking.AgreementTrack) -> bool:
    """Fulfil, break or reinstate the agreement as the schedule says; True when it did."""
    target = _TARGETS[result.target]
    step = agreement_event(agreement.status, target) if agreement.status in TRACKED else None
    if step not in ("fulfil", "break", "reinstate"):
        return False
    before = agreement.status
    agreement.status = target
    agreement.status_changed_at = run.now
    if step == "fulfil":
        run.report.agreements_fulfilled += 1
    elif step == "break":
        run.report.agreements_broken += 1
    else:
        run.report.agreements_reinstated += 1
    run.change(f"agreement.{step}", agreement, before, target, missed=result.missed)
    return True
