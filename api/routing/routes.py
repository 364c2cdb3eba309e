"""HTTP endpoint for the routing solver (managers only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import ManagerForLongWork, SettingsDep
from api.errors import InvalidInput
from api.routing import solver
from api.routing.schemas import SolveRequest, SolveResponse
from api.routing.travel import TravelChoice, TravelModel, TravelModelError, TravelUnavailable

router = APIRouter(prefix="/routing", tags=["routing"])


def get_travel_model(settings: SettingsDep) -> TravelModel:
    """The travel model for requests that give `locations`."""
    return TravelChoice.of(settings).model()


TravelDep = Annotated[TravelModel, Depends(get_travel_model)]


@router.post("/solve", operation_id="routing-solve")
def solve_routes(
    request: SolveRequest, manager: ManagerForLongWork, travel: TravelDep
) -> SolveResponse:
    """Plan routes: every required stop (no prize) once, optional stops when worth their prize.

    A plain `def`: FastAPI runs it in its thread pool, so the CPU-bound solve (up to
    `time_limit_s`) does not block the event loop.
    """
    try:
        return solver.solve(request, travel)
    except TravelModelError as exc:
        raise TravelUnavailable(f"Travel times are unavailable: {exc}") from exc
    except ValueError as exc:
        # Data the schema let through but the solver cannot use: the caller must fix it.
        raise InvalidInput(f"Cannot plan with this request: {exc}") from exc
