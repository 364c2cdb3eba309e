"""The manager's borrower work: list and read borrowers with their location provenance,
place a pin, edit preferred times and safety flags, search the geocoder, decide the
proposals from the field. Flushes, never commits; audited."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from api.audit import record_manager_action
from api.errors import Conflict, DomainError, InvalidInput
from api.geo.cache import geocode_cached
from api.geo.learned import distance_m, place
from api.geo.provider import Found, Geocoder, GeocoderUnavailable, in_china
from api.geo.schemas import (
    BorrowerItem,
    BorrowerPatch,
    GeocodeResult,
    LocationPut,
    ProposalDecision,
    ProposalPublic,
)
from api.public import from_record
from api.scoping import branch_statement, get_in_branch
from models import Borrower, BorrowerProposal, Loan, User

MISSING = "No such borrower in your branch."


class GeocoderUnreachable(DomainError, status=503):
    """No geocoder is configured, or it could not be asked."""


def open_proposal_counts(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(BorrowerProposal.borrower_id, func.count())
        .where(col(BorrowerProposal.borrower_id).in_(list(ids)), BorrowerProposal.status == "open")
        .group_by(col(BorrowerProposal.borrower_id))
    )
    return dict(rows.all())


def borrower_item(borrower: Borrower, open_proposals: int) -> BorrowerItem:
    return from_record(BorrowerItem, borrower, open_proposals=open_proposals)


def list_borrowers(
    *, session: Session, manager: User, located: bool | None, q: str, limit: int, offset: int
) -> tuple[list[BorrowerItem], int]:
    """The branch's borrowers by name; `located` filters on having a location, `q` matches
    name, address, village, masked ID or a loan's account number."""
    query = branch_statement(Borrower, manager.branch_id)
    if located is not None:
        query = query.where(
            col(Borrower.lat).is_not(None) if located else col(Borrower.lat).is_(None)
        )
    if q:
        pattern = f"%{q.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                col(Borrower.name).like(pattern),
                col(Borrower.address).like(pattern),
                col(Borrower.village).like(pattern),
                col(Borrower.national_id_masked).like(pattern),
                col(Borrower.id).in_(
                    select(Loan.borrower_id).where(col(Loan.account_number).like(pattern))
                ),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = list(
        session.exec(
            query.order_by(col(Borrower.name), col(Borrower.id)).offset(offset).limit(limit)
        )
    )
    counts = open_proposal_counts(session, [b.id for b in rows])
    return [borrower_item(b, counts.get(b.id, 0)) for b in rows], int(total)


def get_borrower(*, session: Session, manager: User, borrower_id: uuid.UUID) -> BorrowerItem:
    borrower = get_in_branch(
        session, Borrower, borrower_id, branch_id=manager.branch_id, missing=MISSING
    )
    return borrower_item(borrower, open_proposal_counts(session, [borrower.id]).get(borrower.id, 0))


def branch_borrower(session: Session, manager: User, borrower_id: uuid.UUID) -> Borrower:
    """A borrower of the manager's branch; 404 otherwise."""
    return get_in_branch(
        session, Borrower, borrower_id, branch_id=manager.branch_id, missing=MISSING
    )


def branch_proposal(session: Session, manager: User, proposal_id: uuid.UUID) -> BorrowerProposal:
    return get_in_branch(
        session,
        BorrowerProposal,
        proposal_id,
        branch_id=manager.branch_id,
        missing="No such proposal in your branch.",
    )


def set_location(
    *, session: Session, manager: User, borrower: Borrower, body: LocationPut, now: datetime
) -> BorrowerItem:
    """The manager places the pin (source manager)."""
    if not in_china(body.lat, body.lon):
        raise InvalidInput(
            f"({body.lat}, {body.lon}) is outside China; check the pin (lat first, then lon)."
        )
    before = {"lat": borrower.lat, "lon": borrower.lon, "source": borrower.location_source}
    place(borrower, lat=body.lat, lon=body.lon, source="manager", precision=body.precision, now=now)
    record_manager_action(
        session,
        manager,
        action="borrower.locate",
        entity="borrower",
        entity_id=borrower.id,
        now=now,
        data={"before": before, "lat": body.lat, "lon": body.lon, "precision": body.precision},
    )
    session.flush()
    return get_borrower(session=session, manager=manager, borrower_id=borrower.id)


def edit_borrower(
    *, session: Session, manager: User, borrower: Borrower, body: BorrowerPatch, now: datetime
) -> BorrowerItem:
    """Preferred times and safety flags, each when given."""
    changes: dict[str, Any] = {}
    if body.preferred_times is not None:
        changes["preferred_times"] = [t.stored() for t in body.preferred_times]
    if body.safety_flags is not None:
        changes["safety_flags"] = list(dict.fromkeys(body.safety_flags))
    changed = {k: v for k, v in changes.items() if getattr(borrower, k) != v}
    for name, value in changed.items():
        setattr(borrower, name, value)
    if changed:
        borrower.updated_at = now
        record_manager_action(
            session,
            manager,
            action="borrower.edit",
            entity="borrower",
            entity_id=borrower.id,
            now=now,
            data=changed,
        )
    session.flush()
    return get_borrower(session=session, manager=manager, borrower_id=borrower.id)


def search_address(
    *, session: Session, geocoder: Geocoder | None, address: str, now: datetime
) -> list[GeocodeResult]:
    """The configured geocoder's answer (through the cache); [] when it does not know it."""
    if geocoder is None:
        raise GeocoderUnreachable(
            "No geocoder is configured on this server (FIELDVISIT_GEOCODER); drag the pin instead."
        )
    try:
        answer = geocode_cached(session, geocoder, address.strip(), now=now)
    except GeocoderUnavailable as exc:
        raise GeocoderUnreachable(
            f"The geocoder could not be asked: {exc}. Try again later or drag the pin."
        ) from exc
    if not isinstance(answer, Found):
        return []
    return [
        GeocodeResult(
            lat=answer.lat,
            lon=answer.lon,
            precision=answer.precision,
            formatted=answer.formatted,
            provider=geocoder.name,
        )
    ]


def _proposal_public(
    proposal: BorrowerProposal, borrower: Borrower, names: dict[uuid.UUID, str]
) -> ProposalPublic:
    away = None
    if proposal.kind == "location" and proposal.status == "open":
        lat, lon = proposal.data.get("lat"), proposal.data.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            away = distance_m(borrower, float(lat), float(lon))
    elif proposal.kind == "location":
        away = proposal.data.get("distance_m")
    return from_record(
        ProposalPublic,
        proposal,
        borrower_name=borrower.name,
        address=borrower.address,
        proposed_by_name=names.get(proposal.proposed_by, "") if proposal.proposed_by else "",
        distance_m=away,
    )


def list_proposals(
    *, session: Session, manager: User, status: str | None, limit: int = 200
) -> list[ProposalPublic]:
    query = branch_statement(BorrowerProposal, manager.branch_id)
    if status is not None:
        query = query.where(BorrowerProposal.status == status)
    rows = list(
        session.exec(
            query.order_by(
                col(BorrowerProposal.received_at).desc(), col(BorrowerProposal.id)
            ).limit(limit)
        )
    )
    return _publics(session, rows)


def _publics(session: Session, rows: list[BorrowerProposal]) -> list[ProposalPublic]:
    borrowers = (
        {
            b.id: b
            for b in session.exec(
                select(Borrower).where(col(Borrower.id).in_({p.borrower_id for p in rows}))
            )
        }
        if rows
        else {}
    )
    user_ids = {p.proposed_by for p in rows if p.proposed_by}
    names = (
        dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(user_ids))).all())
        if user_ids
        else {}
    )
    return [_proposal_public(p, borrowers[p.borrower_id], names) for p in rows]


def decide_proposal(
    *,
    session: Session,
    manager: User,
    proposal: BorrowerProposal,
    body: ProposalDecision,
    now: datetime,
) -> ProposalPublic:
    """Accept (apply it to the borrower) or decline an open proposal."""
    if proposal.status != "open":
        raise Conflict(f"This proposal was already {proposal.status}; it cannot be decided again.")
    borrower = get_in_branch(
        session, Borrower, proposal.borrower_id, branch_id=manager.branch_id, missing=MISSING
    )
    if proposal.kind == "location":  # kept as it was when decided
        lat, lon = float(proposal.data["lat"]), float(proposal.data["lon"])
        proposal.data = {**proposal.data, "distance_m": distance_m(borrower, lat, lon)}
    if body.decision == "accepted":
        _apply(borrower, proposal, now)
    proposal.status, proposal.decided_by, proposal.decided_at = body.decision, manager.id, now
    proposal.decision_note = body.note
    record_manager_action(
        session,
        manager,
        action=f"borrower_proposal.{body.decision}",
        entity="borrower_proposal",
        entity_id=proposal.id,
        now=now,
        data={"kind": proposal.kind, "borrower_id": str(borrower.id), "note": body.note},
    )
    session.flush()
    return _publics(session, [proposal])[0]


def _apply(borrower: Borrower, proposal: BorrowerProposal, now: datetime) -> None:
    data = proposal.data
    if proposal.kind == "location":
        place(
            borrower,
            lat=float(data["lat"]),
            lon=float(data["lon"]),
            source="check_in",
            precision="exact",
            now=now,
        )
    elif proposal.kind == "preferred_times":
        borrower.preferred_times = list(data.get("preferred_times", []))
    else:
        borrower.safety_flags = list(data.get("safety_flags", []))
    borrower.updated_at = now
