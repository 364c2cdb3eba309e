"""The lifecycle of agreements and promises as explicit transition tables. Pure.

Agreements (signed terms never change; a change is a new agreement that supersedes the old):

    sync, within limits ........................ -> active       (at once)
    sync, beyond limits or a second agreement .. -> pending_approval (flagged)
    pending_approval --approve--> active         (manager)
    pending_approval --decline--> declined       (manager, with a reason)
    signed --approve--> active                   (manager; rows stored before the lifecycle)
    signed | active | broken --cancel--> cancelled          (manager, with a reason)
    signed | active --fulfil--> fulfilled        (tracking: every line paid)
    signed | active --break--> broken            (tracking: N lines missed)
    broken --fulfil--> fulfilled                 (tracking: everything paid after all)
    broken --reinstate--> active                 (tracking: a later import shows on-time payments)
    pending_approval | signed | active | broken --supersede--> superseded
                                                 (a newer agreement naming it became active)

fulfilled, cancelled, declined and superseded are final.

Promises: open --keep--> kept, open --break--> broken, broken --keep--> kept (a later
import shows a payment made in time), open | broken --cancel--> cancelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeVar

from api.errors import Conflict
from models.enums import AgreementStatus, PromiseStatus

AgreementEvent = Literal[
    "approve", "decline", "cancel", "fulfil", "break", "reinstate", "supersede"
]
PromiseEvent = Literal["keep", "break", "cancel"]

A = AgreementStatus
AGREEMENT_TRANSITIONS: dict[tuple[AgreementStatus, AgreementEvent], AgreementStatus] = {
    (A.pending_approval, "approve"): A.active,
    (A.pending_approval, "decline"): A.declined,
    (A.pending_approval, "supersede"): A.superseded,
    (A.signed, "approve"): A.active,
    (A.signed, "cancel"): A.cancelled,
    (A.signed, "fulfil"): A.fulfilled,
    (A.signed, "break"): A.broken,
    (A.signed, "supersede"): A.superseded,
    (A.active, "cancel"): A.cancelled,
    (A.active, "fulfil"): A.fulfilled,
    (A.active, "break"): A.broken,
    (A.active, "supersede"): A.superseded,
    (A.broken, "cancel"): A.cancelled,
    (A.broken, "fulfil"): A.fulfilled,
    (A.broken, "reinstate"): A.active,
    (A.broken, "supersede"): A.superseded,
}
# Agreements whose lines are tracked against payments and may still change status.
TRACKED = frozenset({A.signed, A.active, A.broken})
# Agreements a loan "has" (a new one for the same loan needs a decision).
OPEN = frozenset({A.pending_approval, A.signed, A.active})
FINAL = frozenset({A.fulfilled, A.cancelled, A.declined, A.superseded})

P = PromiseStatus
PROMISE_TRANSITIONS: dict[tuple[PromiseStatus, PromiseEvent], PromiseStatus] = {
    (P.open, "keep"): P.kept,
    (P.open, "break"): P.broken,
    (P.open, "cancel"): P.cancelled,
    (P.broken, "keep"): P.kept,
    (P.broken, "cancel"): P.cancelled,
}

_VERBS = {
    "approve": "approve",
    "decline": "decline",
    "cancel": "cancel",
    "fulfil": "mark fulfilled",
    "break": "mark broken",
    "reinstate": "reinstate",
    "supersede": "supersede",
    "keep": "mark kept",
}


class IllegalTransition(Conflict):
    error = "IllegalTransition"


Status = TypeVar("Status", AgreementStatus, PromiseStatus)
Event = TypeVar("Event", AgreementEvent, PromiseEvent)


def _allowed(table: Mapping[tuple[Status, Event], Status], status: str) -> list[Event]:
    return [event for (source, event) in table if source == status]


def _transition(
    kind: str, table: Mapping[tuple[Status, Event], Status], current: Status, event: Event
) -> Status:
    target = table.get((current, event))
    if target is None:
        allowed = _allowed(table, current)
        raise IllegalTransition(
            _explain(kind, current.value, event, list(allowed)),
            status=current.value,
            allowed=list(allowed),
        )
    return target


def _event_between(
    table: Mapping[tuple[Status, Event], Status], current: str, target: str
) -> Event | None:
    for (source, event), to in table.items():
        if source == current and to == target:
            return event
    return None


def _explain(kind: str, status: str, event: str, allowed: list[str]) -> str:
    if allowed:
        can = ", ".join(_VERBS[a] for a in allowed)
        return (
            f"This {kind} is {status}: you cannot {_VERBS[event]} it. From {status} you can: {can}."
        )
    return f"This {kind} is {status}, which is final: you cannot {_VERBS[event]} it."


def allowed_agreement_events(status: AgreementStatus | str) -> list[AgreementEvent]:
    return _allowed(AGREEMENT_TRANSITIONS, status)


def allowed_promise_events(status: PromiseStatus | str) -> list[PromiseEvent]:
    return _allowed(PROMISE_TRANSITIONS, status)


def agreement_transition(status: AgreementStatus | str, event: AgreementEvent) -> AgreementStatus:
    """The status after `event`, or IllegalTransition (409) saying what is allowed."""
    return _transition("agreement", AGREEMENT_TRANSITIONS, AgreementStatus(status), event)


def promise_transition(status: PromiseStatus | str, event: PromiseEvent) -> PromiseStatus:
    return _transition("promise", PROMISE_TRANSITIONS, PromiseStatus(status), event)


def agreement_event(
    current: AgreementStatus | str, target: AgreementStatus | str
) -> AgreementEvent | None:
    """The event that moves `current` to `target` (tracking computes targets), if any."""
    return _event_between(AGREEMENT_TRANSITIONS, current, target)


def promise_event(current: PromiseStatus | str, target: PromiseStatus | str) -> PromiseEvent | None:
    return _event_between(PROMISE_TRANSITIONS, current, target)
