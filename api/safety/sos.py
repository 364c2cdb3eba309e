"""An SOS raised on a phone (`safety.sos`): never refused, so it always reaches the manager."""

from __future__ import annotations

from api.safety.schemas import SosArgs
from api.writes.args import MOMENT_AHEAD, MOMENT_PAST
from api.writes.context import Context, Outcome, location_columns
from api.writes.rules import Flag
from models import SafetyAlert

SOS = "sos"
SOS_PAST = MOMENT_PAST
SOS_AHEAD = MOMENT_AHEAD


def raise_sos(ctx: Context, args: SosArgs) -> Outcome:
    """Stored for the branch's managers; a resent SOS (same id) is a duplicate."""
    if ctx.known.existing(SafetyAlert, args.alert_id) is not None:
        return Outcome([], duplicate_of_entity=True)
    visit_id = args.visit_id
    if visit_id is not None and visit_id not in ctx.known.visits:
        visit_id = None  # an SOS is never refused over a stale visit id
    flags = [
        Flag("sos_salvaged", f"its {name} was not valid: dropped or cut") for name in args.salvaged
    ]
    at = args.at or ctx.now
    if not ctx.now - SOS_PAST <= at <= ctx.now + SOS_AHEAD:
        # A phone with a wrong clock still reaches the manager: received now, flagged.
        flags.append(Flag("sos_clock", f"the phone said {at.isoformat()}; kept as received"))
        at = ctx.now
    ctx.insert(
        SafetyAlert,
        id=args.alert_id,
        branch_id=ctx.branch.id,
        **ctx.from_phone(),
        visit_id=visit_id,
        kind=SOS,
        at=at,
        message=args.message,
        **location_columns(args.location),
    )
    ctx.audit("safety.sos", "safety_alert", args.alert_id, args.location)
    return Outcome(flags)
