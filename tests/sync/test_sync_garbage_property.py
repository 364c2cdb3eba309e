"""Issue 13, item 6, as a property: random garbage arguments for every mutation name (good
arguments with random values and at least one poisoned: NUL bytes, NaN, year 1 or 9999,
10^20 fen), interleaved with good entries, never break a push. The push answers 200,
each bad entry is rejected (with a code, and stored), the good ones apply. Bounded and
derandomized, on every database the suite runs on."""

from __future__ import annotations

import json
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from api.sync.handlers import HANDLERS
from models import MutationLog, Note, SafetyAlert
from tests.phone import Phone, agreement_args
from tests.sync.conftest import World

AT = "2026-11-23T02:10:00Z"
# The argument that carries the id of the record each mutation creates (or names).
ID_ARG = {
    "visit.check_in": "visit_id",
    "visit.record_outcome": "outcome_id",
    "visit.check_out": "visit_id",
    "note.add": "note_id",
    "promise.create": "promise_id",
    "agreement.sign": "agreement_id",
    "visit.request_change": "request_id",
    "safety.sos": "alert_id",
    "borrower.propose": "id",
    "visit.skip": "visit_id",
    "contact.log": "id",
    "complaint.record": "id",
}

any_text = st.text(st.characters(blacklist_categories=()), max_size=40)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    any_text,
    st.sampled_from(
        ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-05:00", "9999-12-31", "\x00", AT]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
POISON = st.sampled_from(["before\x00after", float("nan"), float("inf"), {"deep": "\x00"}])
# Values each field must refuse: out-of-window moments, out-of-scale money.
FIELD_POISON: dict[str, Any] = {
    "at": st.sampled_from(["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-05:00"]),
    "signed_at": st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"]),
    "amount_fen": st.sampled_from([10**20, 2**63, -(10**20)]),
    "due_date": st.sampled_from(["9999-12-31", "0001-01-01"]),
}


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except (ValueError, TypeError):
        return False
    return True


def _template(name: str, world: World) -> dict[str, Any]:
    """Arguments that apply as they are."""
    visit, loan, borrower = world.visits[0], world.loans[0], world.borrowers[0]
    ids = {"visit_id": str(visit.id), "loan_id": str(loan.id), "borrower_id": str(borrower.id)}
    if name == "agreement.sign":
        return agreement_args(visit_id=visit.id, loan_id=loan.id)
    args: dict[str, Any] = {ID_ARG[name]: str(uuid.uuid4()), **ids, "at": AT}
    extra: dict[str, dict[str, Any]] = {
        "promise.create": {"amount_fen": 100, "due_date": "2026-11-30"},
        "visit.record_outcome": {"contact": "family"},
        "note.add": {"text": "ok"},
        "visit.request_change": {"kind": "reschedule", "proposed": {"date": "2026-12-01"}},
        "borrower.propose": {"kind": "safety_flags", "safety_flags": ["remote_road"]},
        "visit.skip": {"reason": "absent", "note": "ok"},
        "contact.log": {"channel": "call", "answered_by": "borrower", "result": "promised"},
        "complaint.record": {"category": "rude", "text": "ok"},
    }
    args.update(extra.get(name, {}))
    return args


@st.composite
def garbage(draw: st.DrawFn, name: str, world: World) -> tuple[dict[str, Any], bool]:
    """Good arguments with a few replaced by random values and at least one poisoned (a value
    no database or bound accepts); and whether the server must refuse it (an SOS is only
    refused without a valid id: everything else it carries is salvaged)."""
    args = _template(name, world)
    fields = [*HANDLERS[name][0].model_fields, "extra"]
    keys = st.sampled_from(fields) | any_text
    args.update(draw(st.dictionaries(keys, json_values, max_size=3)))
    poisoned = [f for f in FIELD_POISON if f in fields]
    use_field_poison: bool = draw(st.booleans())
    if poisoned and use_field_poison:
        field = draw(st.sampled_from(poisoned))
        args[field] = draw(FIELD_POISON[field])
    else:
        args[draw(st.sampled_from(fields))] = draw(POISON)
    refused = name != "safety.sos" or not _is_uuid(args.get("alert_id"))
    return args, refused


def entries(world: World) -> st.SearchStrategy[Any]:
    plan = st.lists(
        st.tuples(st.sampled_from(sorted(HANDLERS)), st.booleans()), min_size=1, max_size=8
    )
    return plan.flatmap(
        lambda plan: st.tuples(
            *[
                st.tuples(st.just(name), garbage(name, world) if bad else st.just(None))
                for name, bad in plan
            ]
        )
    )


def _good(name: str, world: World) -> tuple[str, dict[str, Any]]:
    """An entry that applies, whatever garbage surrounds it: a note, or an SOS."""
    if name == "safety.sos":
        return name, {"alert_id": str(uuid.uuid4()), "at": AT, "message": "help"}
    note = {"note_id": str(uuid.uuid4()), "borrower_id": str(world.borrowers[0].id), "at": AT}
    return "note.add", {**note, "text": "ok"}


def test_garbage_for_every_mutation_never_blocks_a_push(
    world: World, phone_for, session: Session, client
) -> None:
    phone: Phone = phone_for(world.alice)

    @settings(
        max_examples=25,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(batch=entries(world))
    def check(batch: tuple[tuple[str, tuple[dict[str, Any], bool] | None], ...]) -> None:
        mutations, bad_ids, good = [], set(), {}
        for name, drawn in batch:
            entry_id = phone.next_id
            phone.next_id += 1
            if drawn is None:
                name, args = _good(name, world)
                good[entry_id] = (name, args)
            else:
                args, refused = drawn
                if refused:
                    bad_ids.add(entry_id)
            mutations.append({"id": entry_id, "name": name, "args": args, "client_time": AT})
        body = json.dumps({"protocol": 1, "device_id": phone.device_id, "mutations": mutations})
        response = client.post(
            "/api/v1/sync/push",
            content=body.encode("utf-8", "surrogatepass"),
            headers={**phone.headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["last_mutation_id"] == mutations[-1]["id"]
        results = {r["id"]: r for r in answer["results"]}
        for entry_id in bad_ids:
            assert results[entry_id]["status"] == "rejected", results[entry_id]
            assert results[entry_id]["codes"]
        for entry_id, (name, args) in good.items():
            assert results[entry_id]["status"] in ("applied", "flagged"), results[entry_id]
            model = SafetyAlert if name == "safety.sos" else Note
            key = "alert_id" if name == "safety.sos" else "note_id"
            assert session.get(model, uuid.UUID(args[key])) is not None
        logged = session.exec(
            select(MutationLog.mutation_id, MutationLog.status).where(
                MutationLog.device_id == uuid.UUID(phone.device_id),
                col(MutationLog.mutation_id).in_(bad_ids),
            )
        ).all()
        assert sorted(logged) == sorted((i, "rejected") for i in bad_ids)

    check()
