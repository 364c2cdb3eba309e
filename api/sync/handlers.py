"""The mutation table: each name a phone may send, the model of its arguments and the
domain function that applies it; and the application of one entry of a push."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from api.agreements.mutations import AgreementArgs, PromiseArgs
from api.agreements.promises import create_promise
from api.agreements.signing import sign_agreement
from api.complaints.mutations import ComplaintArgs, record_complaint
from api.geo.learned import propose
from api.geo.mutations import ProposeArgs
from api.safety.schemas import SosArgs
from api.safety.sos import raise_sos
from api.sync.protocol import Mutation, MutationResult, MutationStatus
from api.visits.contacts import ContactLogArgs, SkipArgs, log_contact
from api.visits.schemas import (
    ChangeRequestArgs,
    CheckInArgs,
    CheckOutArgs,
    NoteArgs,
    RecordOutcomeArgs,
)
from api.visits.writes import (
    add_note,
    check_in,
    check_out,
    record_outcome,
    request_change,
    skip_visit,
)
from api.writes.args import json_size
from api.writes.context import Context, Outcome
from api.writes.rules import Rejected, clock_skew_flag
from api.writes.stored import clean_text, limit_for, storable, truncated

log = logging.getLogger(__name__)
MAX_REASON_CHARS = 2000

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
    "borrower.propose": (ProposeArgs, propose),
    "visit.skip": (SkipArgs, skip_visit),
    "contact.log": (ContactLogArgs, log_contact),
    "complaint.record": (ComplaintArgs, record_complaint),
}


def apply_mutation(ctx: Context, mutation: Mutation, *, own_savepoint: bool) -> MutationResult:
    """Apply one entry and log it. A refused entry is answered `rejected` and leaves nothing
    behind but its log row. With `own_savepoint`, any failure of the entry (the database
    refusing a value, a bug) refuses only this entry; without, it is raised, and the batch
    is redone one savepoint per entry. A transient database failure is always raised (503)."""
    known = ctx.known
    marks = (len(known.audit_rows), len(known.touched_borrowers))
    pending = {model: len(rows) for model, rows in known.pending.items()}
    stored = storable(mutation.args)
    size = json_size(stored)
    try:
        _check_size(mutation.name, size)
        outcome = _run(ctx, mutation, own_savepoint=own_savepoint)
        status, reason, codes = _answer(ctx, outcome, mutation.client_time)
    except ValidationError as exc:
        status, reason, codes = "rejected", _validation_reason(exc), _validation_codes(exc)
    except Rejected as exc:
        status, reason, codes = "rejected", str(exc), [exc.code]
    except OperationalError:
        raise
    except Exception as exc:
        if not own_savepoint:
            raise
        status, reason, codes = _failure(mutation, exc)
    reason = clean_text(reason)[:MAX_REASON_CHARS]
    if status == "rejected":
        del known.audit_rows[marks[0] :]
        del known.touched_borrowers[marks[1] :]
        for model, rows in known.pending.items():
            del rows[pending.get(model, 0) :]
        if size > limit_for(mutation.name):
            stored = truncated(stored)
    known.log_rows.append(_log_row(ctx, mutation, stored, status, reason))
    return MutationResult(id=mutation.id, status=status, reason=reason, codes=codes)


def _check_size(name: str, size: int) -> None:
    limit = limit_for(name)
    if size > limit:
        raise Rejected(
            f"This entry is {size:,} bytes; at most {limit:,} are accepted for {name!r}. "
            "A shortened copy is kept for review.",
            "payload_too_large",
        )


def _failure(mutation: Mutation, exc: Exception) -> tuple[MutationStatus, str, list[str]]:
    """An entry the database or the server could not apply: refused, logged for the admin."""
    if isinstance(exc, IntegrityError) and "unique" in str(exc.orig).lower():
        return "rejected", "An id in this entry is already used by another record.", ["id_taken"]
    if isinstance(exc, DBAPIError):
        log.warning(
            "push entry %s (%s) refused by the database: %s", mutation.id, mutation.name, exc.orig
        )
        return (
            "rejected",
            "The database refused a value in this entry; it is kept for review.",
            ["database_error"],
        )
    log.exception("push entry %s (%s) failed", mutation.id, mutation.name)
    return (
        "rejected",
        "The server could not apply this entry (an internal error); it is kept for review.",
        ["internal_error"],
    )


def _run(ctx: Context, mutation: Mutation, *, own_savepoint: bool) -> Outcome:
    handler = HANDLERS.get(mutation.name)
    if handler is None:
        known = ", ".join(sorted(HANDLERS))
        raise Rejected(
            f"Unknown mutation '{clean_text(mutation.name)}'. Known: {known}.", "unknown_mutation"
        )
    args_model, apply = handler
    # Moments and due dates are judged against the server's time (api.writes.args).
    args = args_model.model_validate(mutation.args, context={"now": ctx.now})
    # Handlers check everything before they write, so a Rejected leaves nothing behind.
    with ctx.session.begin_nested() if own_savepoint else nullcontext():
        outcome = apply(ctx, args)
        if own_savepoint:
            ctx.session.flush()
            ctx.known.write(ctx.session)
    return outcome


def _answer(
    ctx: Context, outcome: Outcome, client_time: datetime | None
) -> tuple[MutationStatus, str, list[str]]:
    """Status, reason and codes of an entry that was applied (or found already received)."""
    if outcome.duplicate_of_entity:
        return "duplicate", "the same record was already received", []
    skew = clock_skew_flag(client_time, ctx.now, ctx.policy)
    if skew:
        outcome.flags.append(skew)
    if outcome.flags:
        return "flagged", "; ".join(str(f) for f in outcome.flags), [f.code for f in outcome.flags]
    return "applied", "", []


def _log_row(
    ctx: Context, mutation: Mutation, args: dict[str, Any], status: MutationStatus, reason: str
) -> dict[str, Any]:
    return {
        "device_id": ctx.device.id,
        "user_id": ctx.user.id,
        "branch_id": ctx.branch.id,
        "mutation_id": mutation.id,
        "name": clean_text(mutation.name),
        "args": args,
        "client_time": ctx.client_time,
        "received_at": ctx.now,
        "status": status,
        "reason": reason,
        "review_note": "",
    }


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:10]:
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where or 'args'}: {err['msg']}")
    return "Invalid entry: " + "; ".join(parts)


def _validation_codes(exc: ValidationError) -> list[str]:
    if any(err["type"] == "payload_too_large" for err in exc.errors()):
        return ["payload_too_large"]
    return ["invalid_args"]
