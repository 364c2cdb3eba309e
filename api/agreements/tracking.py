"""Promises and schedule lines against imported payments. Pure: no FastAPI, no database.

Payments are facts with a date: every result here is a function of the payments of a loan and
of today, so reconciling again changes nothing, and a payment imported late (but made in time)
corrects what an earlier run concluded.

Promises of a loan: each payment counts once. Promises are served in order of due date; a
promise takes from the payments made from the day it was made up to its due date plus the
grace days. It is kept when they reach its amount, broken when that last day has passed
without, open until then.

Agreements: the payments on the loan from the signing day on are allocated oldest first to
the down payment (due on the signing day), then to the lines in order. An item is paid when
covered in full (its `paid_on` is the day the covering payment was made), missed when its due
date plus the grace days has passed without it being covered. An item covered only after that
day is paid, but late: it still counts as missed for breaking the agreement ("not paid in full
on time"), as instalment agreements usually say. The agreement is fulfilled when every item is
paid, broken when at least `broken_after` items were missed, active otherwise.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from models.enums import PromiseStatus, ScheduleLineStatus


@dataclass(frozen=True)
class PaymentFact:
    paid_on: date
    amount_fen: int
    reference: str = ""


def last_day_of(due: date, grace_days: int) -> date:
    """The due date plus the grace days; a stored due date near the end of the calendar
    (9999-12-31) stays there instead of overflowing."""
    try:
        return due + timedelta(days=grace_days)
    except OverflowError:
        return date.max if grace_days > 0 else date.min


def _ordered(payments: Iterable[PaymentFact]) -> list[PaymentFact]:
    return sorted(payments, key=lambda p: (p.paid_on, p.reference))


# --- promises ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PromiseFact:
    id: Hashable
    made_on: date
    due_date: date
    amount_fen: int


@dataclass(frozen=True)
class PromiseResult:
    paid_fen: int
    status: PromiseStatus


def track_promises(
    promises: Sequence[PromiseFact],
    payments: Iterable[PaymentFact],
    *,
    today: date,
    grace_days: int,
) -> dict[Hashable, PromiseResult]:
    """What each promise of one loan has received and whether it is kept, broken or open."""
    ordered = _ordered(payments)
    left = [p.amount_fen for p in ordered]
    results: dict[Hashable, PromiseResult] = {}
    for promise in sorted(promises, key=lambda p: (p.due_date, p.made_on, str(p.id))):
        last_day = last_day_of(promise.due_date, grace_days)
        need = promise.amount_fen
        for i, payment in enumerate(ordered):
            if need <= 0 or payment.paid_on > last_day:
                break
            if payment.paid_on < promise.made_on or left[i] <= 0:
                continue
            take = min(need, left[i])
            left[i] -= take
            need -= take
        paid = promise.amount_fen - max(need, 0)
        if paid >= promise.amount_fen:
            status = PromiseStatus.kept
        elif today > last_day:
            status = PromiseStatus.broken
        else:
            status = PromiseStatus.open
        results[promise.id] = PromiseResult(paid_fen=paid, status=status)
    return results


# --- agreements -------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    paid_fen: int
    status: ScheduleLineStatus
    paid_on: date | None
    # Not covered in full by its due date plus the grace days (that day has passed).
    missed: bool


AgreementTarget = Literal["active", "fulfilled", "broken"]


@dataclass(frozen=True)
class AgreementTrack:
    down_payment: ItemResult
    lines: dict[int, ItemResult] = field(default_factory=dict)
    missed: int = 0
    target: AgreementTarget = "active"

    @property
    def paid_fen(self) -> int:
        return self.down_payment.paid_fen + sum(r.paid_fen for r in self.lines.values())


def _item(
    amount: int, paid: int, paid_on: date | None, due: date, *, today: date, grace_days: int
) -> ItemResult:
    last_day = last_day_of(due, grace_days)
    covered = paid >= amount
    late = (not covered and today > last_day) or (
        covered and paid_on is not None and paid_on > last_day
    )
    if covered:
        status = ScheduleLineStatus.paid
    elif today > last_day:
        status = ScheduleLineStatus.missed
    else:
        status = ScheduleLineStatus.due
    return ItemResult(paid_fen=paid, status=status, paid_on=paid_on, missed=late)


def track_agreement(
    *,
    signed_on: date,
    down_payment_fen: int,
    lines: Sequence[tuple[int, date, int]],
    payments: Iterable[PaymentFact],
    today: date,
    grace_days: int,
    broken_after: int,
) -> AgreementTrack:
    """`lines` are (seq, due date, amount); payments are the loan's (any date)."""
    items: list[tuple[int, date, int]] = [(0, signed_on, down_payment_fen)]
    items += sorted(lines)
    paid = [0] * len(items)
    paid_on: list[date | None] = [None] * len(items)
    index = 0
    for payment in _ordered(payments):
        if payment.paid_on < signed_on:
            continue
        money = payment.amount_fen
        while money > 0 and index < len(items):
            amount = items[index][2]
            take = min(money, amount - paid[index])
            paid[index] += take
            money -= take
            if paid[index] >= amount:
                paid_on[index] = payment.paid_on
                index += 1
    # Zero-amount items (no down payment) are covered on the signing day.
    results = []
    for i, (_seq, due, amount) in enumerate(items):
        when = paid_on[i] if amount > 0 else signed_on
        results.append(_item(amount, paid[i], when, due, today=today, grace_days=grace_days))
    missed = sum(1 for r in results if r.missed)
    target: AgreementTarget
    if all(r.status == ScheduleLineStatus.paid for r in results):
        target = "fulfilled"
    elif missed >= broken_after:
        target = "broken"
    else:
        target = "active"
    return AgreementTrack(
        down_payment=results[0],
        lines={seq: results[i + 1] for i, (seq, _due, _amount) in enumerate(items[1:])},
        missed=missed,
        target=target,
    )
