"""Locations learned in the field, and proposals from the phone (`borrower.propose`).

A verified check-in (GPS accuracy at most 100 m, by the visit's team, on a visit that is not
cancelled) teaches the server where the borrower lives: an unlocated borrower takes the
point at once (source check_in, precision exact); a located one farther than the branch's
`moved_threshold_m` (setting in branch.settings, default 300 m) gets an open "moved?"
proposal for the manager. An officer's "the house is here" behaves the same for an
unlocated borrower (accuracy at most 100 m: taken at once, source check_in, the proposal
kept as accepted); otherwise it, and proposed preferred times and safety flags, wait for
the manager."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from api.compliance.rules import haversine_m
from api.geo.mutations import ProposeArgs
from api.writes.args import Location
from api.writes.context import Context, Outcome
from api.writes.rules import Flag, Rejected
from models import Borrower, BorrowerProposal, Visit

TRUSTED_ACCURACY_M = 100.0
MOVED_THRESHOLD_M = 300
# Flags that mean the check-in may not be where the team really was with the borrower.
UNTRUSTED_FLAGS = frozenset({"not_assigned", "visit_cancelled", "not_on_team"})


def moved_threshold_m(settings: dict[str, Any]) -> float:
    value = settings.get("moved_threshold_m")
    if isinstance(value, int | float) and 50 <= value <= 10_000:
        return float(value)
    return float(MOVED_THRESHOLD_M)


def place(
    borrower: Borrower, *, lat: float, lon: float, source: str, precision: str, now: datetime
) -> None:
    """Set the borrower's location and its provenance (the flush bumps its version)."""
    borrower.lat, borrower.lon = lat, lon
    borrower.location_source, borrower.location_precision = source, precision
    borrower.located_at, borrower.location_note = now, ""


def distance_m(borrower: Borrower, lat: float, lon: float) -> float | None:
    if borrower.lat is None or borrower.lon is None:
        return None
    return round(haversine_m(borrower.lat, borrower.lon, lat, lon), 1)


def _trusted(location: Location | None) -> bool:
    return (
        location is not None
        and location.accuracy_m is not None
        and location.accuracy_m <= TRUSTED_ACCURACY_M
    )


def learn_from_check_in(
    ctx: Context,
    visit: Visit,
    borrower: Borrower | None,
    location: Location | None,
    flags: list[Flag],
) -> None:
    """Called by the check-in handler once the check-in is accepted."""
    if borrower is None or location is None or not _trusted(location):
        return
    if any(f.code in UNTRUSTED_FLAGS for f in flags):
        return
    away = distance_m(borrower, location.lat, location.lon)
    if away is None:
        place(
            borrower,
            lat=location.lat,
            lon=location.lon,
            source="check_in",
            precision="exact",
            now=ctx.now,
        )
        ctx.audit(
            "borrower.locate",
            "borrower",
            borrower.id,
            location,
            source="check_in",
            visit_id=str(visit.id),
        )
        return
    if away <= moved_threshold_m(ctx.branch.settings) or _already_proposed(ctx, visit.id):
        return
    proposal_id = uuid.uuid4()
    ctx.insert(
        BorrowerProposal,
        **_proposal(ctx, proposal_id, borrower, visit.id, "location", "check_in"),
        data={**_point(location), "distance_m": away},
        at=ctx.now,
    )
    ctx.audit(
        "borrower.propose",
        "borrower_proposal",
        proposal_id,
        location,
        kind="location",
        source="check_in",
    )


def _already_proposed(ctx: Context, visit_id: uuid.UUID) -> bool:
    """A "moved?" proposal from this visit's check-in exists (a second check-in, a replay)."""
    queued = ctx.known.pending.get(BorrowerProposal, [])
    if any(row["visit_id"] == visit_id and row["source"] == "check_in" for row in queued):
        return True
    stored = ctx.session.exec(
        select(BorrowerProposal.id).where(
            BorrowerProposal.visit_id == visit_id,
            BorrowerProposal.source == "check_in",
            col(BorrowerProposal.kind) == "location",
        )
    ).first()
    return stored is not None


def _point(location: Location) -> dict[str, Any]:
    return {"lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m}


def _proposal(
    ctx: Context,
    proposal_id: uuid.UUID,
    borrower: Borrower,
    visit_id: uuid.UUID | None,
    kind: str,
    source: str,
) -> dict[str, Any]:
    return {
        "id": proposal_id,
        "branch_id": ctx.branch.id,
        "borrower_id": borrower.id,
        "visit_id": visit_id,
        "kind": kind,
        "source": source,
        "proposed_by": ctx.user.id,
        "device_id": ctx.device.id,
        "received_at": ctx.now,
    }


def _in_scope(ctx: Context, args: ProposeArgs) -> tuple[Borrower, list[Flag]]:
    """The borrower, when the officer is (or was) on a visit to them; refused otherwise."""
    borrower = ctx.known.borrowers.get(args.borrower_id)
    if borrower is None:
        raise Rejected(f"Unknown borrower {args.borrower_id}.", "unknown_borrower")
    if args.visit_id is None:
        ctx.check_borrower_visited(borrower.id)
        return borrower, []
    visit = ctx.visit(args.visit_id)
    if visit.borrower_id != borrower.id:
        raise Rejected("The proposal's visit is not a visit of this borrower.", "visit_mismatch")
    return borrower, ctx.assignment_flags(visit)


def propose(ctx: Context, args: ProposeArgs) -> Outcome:
    """`borrower.propose`: a location, preferred times or safety flags from the phone."""
    if ctx.received_before(
        BorrowerProposal,
        args.id,
        conflict=f"Proposal {args.id} already exists with other content.",
        borrower_id=args.borrower_id,
        kind=args.kind,
    ):
        return Outcome([], duplicate_of_entity=True)
    borrower, flags = _in_scope(ctx, args)
    data = args.data()
    status = "open"
    if args.kind == "location":
        assert args.lat is not None and args.lon is not None
        data["distance_m"] = distance_m(borrower, args.lat, args.lon)
        if data["distance_m"] is None and not flags and _trusted(args.location()):
            place(
                borrower,
                lat=args.lat,
                lon=args.lon,
                source="check_in",
                precision="exact",
                now=ctx.now,
            )
            ctx.audit("borrower.locate", "borrower", borrower.id, args.location(), source="officer")
            status = "accepted"
    ctx.insert(
        BorrowerProposal,
        **_proposal(ctx, args.id, borrower, args.visit_id, args.kind, "officer"),
        data=data,
        at=args.at,
        status=status,
        decided_at=ctx.now if status == "accepted" else None,
    )
    ctx.audit(
        "borrower.propose",
        "borrower_proposal",
        args.id,
        args.location(),
        kind=args.kind,
        status=status,
    )
    return Outcome(flags)
