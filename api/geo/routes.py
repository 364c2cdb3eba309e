"""Borrower endpoints for the manager's console: the list with location provenance, a pin,
preferred times and safety flags, the geocoder search, proposals from the field."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import ClockDep, CurrentManager, SessionDep, SettingsDep
from api.geo import service
from api.geo.factory import make_geocoder
from api.geo.schemas import (
    BorrowerItem,
    BorrowerPage,
    BorrowerPatch,
    GeocodeResults,
    LocationPut,
    ProposalDecision,
    ProposalPublic,
)
from models import Borrower, BorrowerProposal

router = APIRouter(tags=["borrowers"])


def branch_borrower(
    borrower_id: uuid.UUID, manager: CurrentManager, session: SessionDep
) -> Borrower:
    """Resolved before the body is read: another branch's id answers 404 whatever the body."""
    return service.branch_borrower(session, manager, borrower_id)


def branch_proposal(
    proposal_id: uuid.UUID, manager: CurrentManager, session: SessionDep
) -> BorrowerProposal:
    return service.branch_proposal(session, manager, proposal_id)


BranchBorrower = Annotated[Borrower, Depends(branch_borrower)]
BranchProposal = Annotated[BorrowerProposal, Depends(branch_proposal)]


@router.get("/borrowers", operation_id="borrowers-list", response_model=BorrowerPage)
def list_borrowers(
    manager: CurrentManager,
    session: SessionDep,
    located: bool | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> BorrowerPage:
    """Your branch's borrowers by name, with where their location comes from;
    `located=false` lists those still to be placed; `q` searches name, address, village,
    masked ID and account number."""
    items, total = service.list_borrowers(
        session=session, manager=manager, located=located, q=q.strip(), limit=limit, offset=offset
    )
    return BorrowerPage(items=items, total=total)


@router.put(
    "/borrowers/{borrower_id}/location",
    operation_id="borrowers-location-put",
    response_model=BorrowerItem,
)
def put_location(
    borrower: BranchBorrower,
    body: LocationPut,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> BorrowerItem:
    """Place the borrower's pin (source manager); audited."""
    return service.set_location(
        session=session, manager=manager, borrower=borrower, body=body, now=now
    )


@router.patch(
    "/borrowers/{borrower_id}", operation_id="borrowers-patch", response_model=BorrowerItem
)
def patch_borrower(
    borrower: BranchBorrower,
    body: BorrowerPatch,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> BorrowerItem:
    """Edit preferred times and safety flags (each when given); audited."""
    return service.edit_borrower(
        session=session, manager=manager, borrower=borrower, body=body, now=now
    )


@router.get("/geocode", operation_id="geocode-search", response_model=GeocodeResults)
def geocode(
    address: Annotated[str, Query(min_length=2, max_length=200)],
    manager: CurrentManager,
    session: SessionDep,
    settings: SettingsDep,
    now: ClockDep,
) -> GeocodeResults:
    """Search an address with the server's geocoder; no results when it does not know it,
    503 when no geocoder is configured or it cannot be reached."""
    results = service.search_address(
        session=session, geocoder=make_geocoder(settings), address=address, now=now
    )
    return GeocodeResults(results=results)


@router.get(
    "/borrower-proposals",
    operation_id="borrower-proposals-list",
    response_model=list[ProposalPublic],
)
def list_proposals(
    manager: CurrentManager,
    session: SessionDep,
    status: Literal["open", "accepted", "declined"] | None = None,
) -> list[ProposalPublic]:
    """Changes proposed from the field (a check-in's GPS, an officer), newest first."""
    return service.list_proposals(session=session, manager=manager, status=status)


@router.post(
    "/borrower-proposals/{proposal_id}/decide",
    operation_id="borrower-proposals-decide",
    response_model=ProposalPublic,
)
def decide_proposal(
    proposal: BranchProposal,
    body: ProposalDecision,
    manager: CurrentManager,
    session: SessionDep,
    now: ClockDep,
) -> ProposalPublic:
    """Accept (applied to the borrower) or decline an open proposal; audited."""
    return service.decide_proposal(
        session=session, manager=manager, proposal=proposal, body=body, now=now
    )
