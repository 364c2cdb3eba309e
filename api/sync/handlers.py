"""The mutation table: each name a phone may send, the model of its arguments and the
domain function that applies it; and the application of one entry of a push."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from api.agreements.mutations import AgreementArgs, PromiseArgs
from api.agreements.promises import create_promise
from api.agreements.signing import sign_agreement
from api.safety.schemas import SosArgs
from api.safety.sos import raise_sos
from api.sync.protocol import Mutation, MutationResult, MutationStatus
from api.visits.schemas import (
    ChangeRequestArgs,
    CheckInArgs,
    CheckOutArgs,
    NoteArgs,
    RecordOutcomeArgs,
)
from api.visits.writes import add_note, check_in, check_out, record_outcome, request_change
from api.writes.context import Context, Outcome
from api.writes.rules import Rejected, clock_skew_flag

Handler = tuple[type[BaseModel], Callable[[Context, Any], Outcome]]
HANDLERS: dict[str, Handler] = {
    "visit.check_in": (CheckInArgs, check_in),
    "visit.record_outcome": (RecordOutcomeArgs, record_outcome),
    "visit.check_out": (CheckOutArgs, check_out),
    "note.add": (NoteArgs, add_note),
    "promise.create": (PromiseArgs, create_promise),
    "agreement.sign": (AgreementArgs, sign_agreement),
    "visit.request_change": (ChangeRequestArgs, request_change),
    "safety.sos": (SosArgs, raise_sos),
}


def apply_mutation(ctx: Context, mutation: Mutation, *, own_savepoint: bool) -> MutationResult:
    """Apply one entry and log it. A refused entry is answered `rejected` and leaves nothing
    behind but its log row; with `own_savepoint`, an id clash refuses only this entry."""
    audited, touched = len(ctx.known.audit_rows), len(ctx.known.touched_borrowers)
    codes: list[str] = []
    try:
        outcome = _run(ctx, mutation, own_savepoint=own_savepoint)
        status, reason, codes = _answer(ctx, outcome)
    except ValidationError as exc:
        status, reason, codes = "rejected", _validation_reason(exc), ["invalid_args"]
    except Rejected as exc:
        status, reason, codes = "rejected", str(exc), [exc.code]
    except IntegrityError:
        if not own_savepoint:
            raise
        status, reason = "rejected", "An id in this entry is already used by another record."
        codes = ["id_taken"]
    if status == "rejected":
        del ctx.known.audit_rows[audited:]
        del ctx.known.touched_borrowers[touched:]
    ctx.known.log_rows.append(_log_row(ctx, mutation, status, reason))
    return MutationResult(id=mutation.id, status=status, reason=reason, codes=codes)


def _run(ctx: Context, mutation: Mutation, *, own_savepoint: bool) -> Outcome:
    handler = HANDLERS.get(mutation.name)
    if handler is None:
        raise Rejected(
            f"Unknown mutation '{mutation.name}'. Known: {', '.join(sorted(HANDLERS))}.",
            "unknown_mutation",
        )
    args_model, apply = handler
    args = args_model.model_validate(mutation.args)
    # Handlers check everything before they write, so a Rejected leaves nothing behind.
    with ctx.session.begin_nested() if own_savepoint else nullcontext():
        outcome = apply(ctx, args)
        if own_savepoint:
            ctx.session.flush()
            ctx.known.write(ctx.session)
    return outcome


def _answer(ctx: Context, outcome: Outcome) -> tuple[MutationStatus, str, list[str]]:
    """Status, reason and codes of an entry that was applied (or found already received)."""
    if outcome.duplicate_of_entity:
        return "duplicate", "the same record was already received", []
    skew = clock_skew_flag(ctx.client_time, ctx.now, ctx.policy)
    if skew:
        outcome.flags.append(skew)
    if outcome.flags:
        return "flagged", "; ".join(str(f) for f in outcome.flags), [f.code for f in outcome.flags]
    return "applied", "", []


def _log_row(
    ctx: Context, mutation: Mutation, status: MutationStatus, reason: str
) -> dict[str, Any]:
    return {
        "device_id": ctx.device.id,
        "user_id": ctx.user.id,
        "branch_id": ctx.branch.id,
        "mutation_id": mutation.id,
        "name": mutation.name,
        "args": mutation.args,
        "client_time": mutation.client_time,
        "received_at": ctx.now,
        "status": status,
        "reason": reason,
        "review_note": "",
    }


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where or 'args'}: {err['msg']}")
    return "Invalid entry: " + "; ".join(parts)
