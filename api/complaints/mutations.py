"""`complaint.record`: a complaint the officer hears on a visit, recorded from the phone."""

from __future__ import annotations

import uuid

from pydantic import Field

from api.complaints.labels import MAX_TEXT, Category
from api.writes.args import Moment, MutationArgs
from api.writes.context import Context, Outcome
from api.writes.rules import Rejected
from models import Complaint


class ComplaintArgs(MutationArgs):
    id: uuid.UUID
    borrower_id: uuid.UUID
    visit_id: uuid.UUID | None = None
    category: Category
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    at: Moment


def record_complaint(ctx: Context, args: ComplaintArgs) -> Outcome:
    """Stored once, open, for the manager's Review; scoped like a note (a borrower of the
    officer's visits; the visit, if named, one the officer is on)."""
    if ctx.received_before(
        Complaint,
        args.id,
        conflict=f"Complaint {args.id} already exists with other content.",
        borrower_id=args.borrower_id,
        text=args.text,
    ):
        return Outcome([], duplicate_of_entity=True)
    borrower = ctx.known.borrowers.get(args.borrower_id)
    if borrower is None:
        raise Rejected(f"Unknown borrower {args.borrower_id}.", "unknown_borrower")
    flags = []
    about = None
    if args.visit_id is not None:
        visit = ctx.visit(args.visit_id)
        if visit.borrower_id != borrower.id:
            raise Rejected(
                "The complaint's visit is not a visit of this borrower.", "visit_mismatch"
            )
        flags = ctx.assignment_flags(visit)
        about = visit.officer_id
    else:
        ctx.check_borrower_visited(borrower.id)
    ctx.insert(
        Complaint,
        id=args.id,
        branch_id=ctx.branch.id,
        borrower_id=borrower.id,
        visit_id=args.visit_id,
        about_officer_id=about,
        recorded_by=ctx.user.id,
        device_id=ctx.device.id,
        channel="visit",
        category=args.category,
        text=args.text,
        at=args.at,
        received_at=ctx.now,
    )
    ctx.touch_borrower(borrower.id)
    ctx.audit("complaint.record", "complaint", args.id, category=args.category)
    return Outcome(flags)
