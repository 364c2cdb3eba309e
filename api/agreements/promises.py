"""A payment promise made at a visit, as the phone sends it (`promise.create`)."""

from __future__ import annotations

from datetime import date, timedelta

from api.agreements.labels import format_money
from api.agreements.mutations import PromiseArgs
from api.writes.context import Context, Outcome
from api.writes.rules import Flag, Rejected
from models import Loan, Promise
from models.enums import PromiseStatus


def check_promise(*, amount_fen: int, due_date: date, made_on: date) -> None:
    """A promise is for a positive amount, due from the day it is made to a year later."""
    if amount_fen <= 0:
        raise Rejected("The promised amount must be more than zero.", "amount_not_positive")
    if due_date < made_on:
        raise Rejected(
            f"The promise date {due_date} is before the day it was made ({made_on}).",
            "promise_date_past",
        )
    if due_date > made_on + timedelta(days=366):
        raise Rejected(
            "The promise date is more than a year away; use an instalment agreement.",
            "promise_date_too_far",
        )


def check_amount(*, amount_fen: int, outstanding_fen: int, overdue_fen: int) -> list[Flag]:
    """Refused beyond what is owed on the loan (its outstanding balance); flagged beyond
    what is overdue (more than the borrower must pay now: possible, worth a look)."""
    if amount_fen > outstanding_fen:
        raise Rejected(
            f"The promised amount {format_money(amount_fen)} is more than the "
            f"{format_money(outstanding_fen)} outstanding on the loan; promise at most that.",
            "promise_above_outstanding",
        )
    if amount_fen > overdue_fen:
        text = f"{format_money(amount_fen)} promised, {format_money(overdue_fen)} overdue"
        return [Flag("promise_above_overdue", text)]
    return []


def other_open_promises(ctx: Context, loan: Loan) -> Flag | None:
    """The loan's open promises, stored or queued earlier in the batch: a second one is
    applied (the borrower may well promise twice) and flagged naming the others."""
    others = list(ctx.known.open_promises.get(loan.id, []))
    others += [
        (row["id"], row["amount_fen"], row["due_date"])
        for row in ctx.known.pending.get(Promise, [])
        if row["loan_id"] == loan.id and row["status"] == PromiseStatus.open
    ]
    if not others:
        return None
    named = ", ".join(f"{p_id} ({format_money(fen)} due {due})" for p_id, fen, due in others)
    return Flag("second_promise", f"loan {loan.account_number} already has open promises {named}")


def create_promise(ctx: Context, args: PromiseArgs) -> Outcome:
    """Refused when the terms are impossible or the amount beyond the loan's balance;
    flagged beyond the overdue amount, next to another open promise of the loan, or when
    the visit is no longer the officer's. A resent promise with the same terms is a
    duplicate."""
    if ctx.received_before(
        Promise,
        args.promise_id,
        amount_fen=args.amount_fen,
        due_date=args.due_date,
        loan_id=args.loan_id,
        conflict=f"Promise {args.promise_id} already exists with other terms.",
    ):
        return Outcome([], duplicate_of_entity=True)
    visit = ctx.visit(args.visit_id)
    loan = ctx.visit_loan(visit, args.loan_id)
    made_at = args.at or ctx.client_time or ctx.now
    check_promise(
        amount_fen=args.amount_fen,
        due_date=args.due_date,
        made_on=made_at.astimezone(ctx.tz).date(),
    )
    flags = ctx.assignment_flags(visit)
    flags += check_amount(
        amount_fen=args.amount_fen,
        outstanding_fen=loan.outstanding_fen,
        overdue_fen=loan.overdue_fen,
    )
    second = other_open_promises(ctx, loan)
    if second is not None:
        flags.append(second)
    ctx.insert(
        Promise,
        id=args.promise_id,
        **ctx.at_visit(visit),
        loan_id=loan.id,
        amount_fen=args.amount_fen,
        due_date=args.due_date,
        status=PromiseStatus.open,
        made_at=made_at,
    )
    ctx.touch(visit)
    ctx.audit("promise.create", "promise", args.promise_id, amount_fen=args.amount_fen)
    return Outcome(flags)
