"""An SOS raised on a phone (`safety.sos`): never refused, so it always reaches the manager."""

from __future__ import annotations

from api.safety.schemas import SosArgs
from api.writes.context import Context, Outcome, location_columns
from models import SafetyAlert

SOS = "sos"


def raise_sos(ctx: Context, args: SosArgs) -> Outcome:
    """Stored for the branch's managers; a resent SOS (same id) is a duplicate."""
    if ctx.known.existing(SafetyAlert, args.alert_id) is not None:
        return Outcome([], duplicate_of_entity=True)
    visit_id = args.visit_id
    if visit_id is not None and visit_id not in ctx.known.visits:
        visit_id = None  # an SOS is never refused over a stale visit id
    ctx.insert(
        SafetyAlert,
        id=args.alert_id,
        branch_id=ctx.branch.id,
        **ctx.from_phone(),
        visit_id=visit_id,
        kind=SOS,
        at=args.at,
        message=args.message,
        **location_columns(args.location),
    )
    ctx.audit("safety.sos", "safety_alert", args.alert_id, args.location)
    return Outcome([])
