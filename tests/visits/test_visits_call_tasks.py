"""A phone follow-up due today or tomorrow reaches the officer's phone as a call task."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import Session

from tests.phone import Phone
from tests.sync.conftest import World

AT = "2026-11-23T02:10:00Z"  # the tests' day: Monday 2026-11-23 in Asia/Shanghai


def _outcome(phone: Phone, world: World, visit: int, at: str = AT, **args: Any) -> str:
    outcome_id = uuid.uuid4()
    phone.queue(
        "visit.record_outcome",
        outcome_id=outcome_id,
        visit_id=world.visits[visit].id,
        contact="borrower",
        at=at,
        **args,
    )
    phone.sync()
    return str(outcome_id)


def test_a_phone_follow_up_due_tomorrow_is_a_call_task_of_the_visit_team(
    world: World, phone_for: Any
) -> None:
    alice: Phone = phone_for(world.alice)
    bob: Phone = phone_for(world.bob)
    task_id = _outcome(alice, world, 0, next_action="phone_follow_up", follow_up_on="2026-11-24")
    # Due later, or another action: no task.
    _outcome(alice, world, 1, next_action="phone_follow_up", follow_up_on="2026-11-26")
    _outcome(alice, world, 2, next_action="revisit", follow_up_on="2026-11-24")
    assert alice.ids("call_task") == {task_id}
    task = alice.local[("call_task", task_id)]["data"]
    assert task["borrower_id"] == str(world.borrowers[0].id)
    assert task["due_on"] == "2026-11-24" and task["visit_id"] == str(world.visits[0].id)
    assert task["borrower_name"] == world.borrowers[0].name and "borrower_phone" in task
    bob.pull()
    assert bob.ids("call_task") == set()  # not on that visit's team


def test_a_newer_outcome_replaces_the_call_task(world: World, phone_for: Any) -> None:
    alice: Phone = phone_for(world.alice)
    _outcome(alice, world, 0, next_action="phone_follow_up", follow_up_on="2026-11-24")
    assert len(alice.ids("call_task")) == 1
    later = "2026-11-23T03:00:00Z"
    _outcome(alice, world, 0, later, next_action="await_payment", follow_up_on="2026-11-30")
    assert alice.ids("call_task") == set()


def test_the_call_task_brings_its_borrower_when_no_visit_does(
    world: World, phone_for: Any, session: Session
) -> None:
    alice: Phone = phone_for(world.alice)
    _outcome(alice, world, 0, next_action="phone_follow_up", follow_up_on="2026-11-24")
    visit = world.visits[0]
    visit.plan_date = date(2026, 11, 10)  # long past: no longer on the phone
    session.add(visit)
    session.flush()
    alice.pull()
    assert str(visit.id) not in alice.ids("visit")
    borrower = str(world.borrowers[0].id)
    assert borrower in alice.ids("borrower")
    assert alice.local[("borrower", borrower)]["data"]["loans"]
