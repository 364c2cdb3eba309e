"""A payment promise made at a visit, as the phone sends it (`promise.create`)."""

from __future__ import annotations

from datetime import date, timedelta

from api.agreements.mutations import PromiseArgs
from api.writes.context import Context, Outcome
from api.writes.rules import Rejected
from models import Promise
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


def create_promise(ctx: Context, args: PromiseArgs) -> Outcome:
    """Refused when the terms are impossible; flagged when the visit is no longer the
    officer's. A resent promise with the same terms is a duplicate."""
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
