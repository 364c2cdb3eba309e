"""The transition table: what may follow what, and what a refusal says."""

from __future__ import annotations

import pytest

from api.agreements.lifecycle import (
    AGREEMENT_TRANSITIONS,
    FINAL,
    IllegalTransition,
    agreement_event,
    agreement_transition,
    allowed_agreement_events,
    promise_transition,
)
from models.enums import AgreementStatus as A
from models.enums import PromiseStatus as P


@pytest.mark.parametrize(
    ("source", "event", "target"),
    [
        (A.pending_approval, "approve", A.active),
        (A.pending_approval, "decline", A.declined),
        (A.signed, "approve", A.active),
        (A.active, "fulfil", A.fulfilled),
        (A.active, "break", A.broken),
        (A.active, "cancel", A.cancelled),
        (A.active, "supersede", A.superseded),
        (A.broken, "reinstate", A.active),
        (A.broken, "fulfil", A.fulfilled),
        (A.pending_approval, "supersede", A.superseded),
    ],
)
def test_allowed_transitions(source: A, event: str, target: A) -> None:
    assert agreement_transition(source, event) == target  # type: ignore[arg-type]


def test_final_states_allow_nothing() -> None:
    for status in FINAL:
        assert allowed_agreement_events(status) == []
        with pytest.raises(IllegalTransition) as caught:
            agreement_transition(status, "cancel")
        assert "final" in caught.value.detail
    assert {source for source, _ in AGREEMENT_TRANSITIONS}.isdisjoint(FINAL)


def test_an_illegal_transition_is_a_409_that_says_what_is_allowed() -> None:
    with pytest.raises(IllegalTransition) as caught:
        agreement_transition(A.active, "approve")
    error = caught.value
    assert error.status_code == 409
    assert error.detail == (
        "This agreement is active: you cannot approve it. "
        "From active you can: cancel, mark fulfilled, mark broken, supersede."
    )
    assert error.body()["allowed"] == ["cancel", "fulfil", "break", "supersede"]
    with pytest.raises(IllegalTransition):
        agreement_transition(A.pending_approval, "cancel")  # declined, not cancelled
    with pytest.raises(IllegalTransition):
        agreement_transition(A.pending_approval, "fulfil")  # tracking waits for approval


def test_tracking_targets_map_to_events() -> None:
    assert agreement_event(A.active, A.broken) == "break"
    assert agreement_event(A.broken, A.active) == "reinstate"
    assert agreement_event(A.fulfilled, A.active) is None


def test_promises() -> None:
    assert promise_transition(P.open, "keep") == P.kept
    assert promise_transition(P.open, "break") == P.broken
    assert promise_transition(P.broken, "keep") == P.kept  # a payment made in time, imported late
    with pytest.raises(IllegalTransition):
        promise_transition(P.kept, "break")
