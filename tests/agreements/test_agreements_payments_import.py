"""A payments import turns the right promises kept and the right ones broken, the right lines
paid and missed; an agreement breaks after two missed lines; the phone and the next plan see it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.agreements.facts import AgreementFacts
from api.agreements.service import agreement_facts
from api.planning.priority import BorrowerFacts, PrioritySettings, score
from models import Agreement, AgreementLine, AuditEvent, Promise
from models.enums import AgreementStatus, PromiseStatus
from tests.agreements.conftest import PhoneFor, World, sign_args
from tests.conftest import Clock, TokenFor
from tests.factories import make_visit
from tests.imports.samples import PAYMENT_HEADERS_EN, csv_bytes

API = "/api/v1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SINCE = date(2026, 6, 1)
MADE_AT = "2026-11-23T02:30:00Z"


def _import(
    client: TestClient, headers: dict[str, str], rows: list[tuple[str, str, str, str]]
) -> dict[str, object]:
    data = csv_bytes(
        [
            {"account_number": a, "reference": r, "paid_on": d, "amount": amount}
            for a, r, d, amount in rows
        ],
        PAYMENT_HEADERS_EN,
    )
    response = client.post(
        f"{API}/imports/payments",
        files={"file": ("payments.csv", data, "text/csv")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    assert body["failed"] == 0, body
    return body


def test_payments_import_tracks_promises_and_instalments(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    session: Session,
    clock: Clock,
    auth_headers: TokenFor,
) -> None:
    phone = phone_for(world.alice)
    visit0, loan0 = world.visits[0], world.loans[0]
    visit1, loan1 = world.visits[1], world.loans[1]
    kept_id, broken_id = uuid.uuid4(), uuid.uuid4()
    phone.queue(
        "promise.create",
        promise_id=kept_id,
        visit_id=visit0.id,
        loan_id=loan0.id,
        amount_fen=50_000,
        due_date="2026-11-30",
        at=MADE_AT,
    )
    phone.queue(
        "promise.create",
        promise_id=broken_id,
        visit_id=visit0.id,
        loan_id=loan0.id,
        amount_fen=40_000,
        due_date="2026-12-03",
        at=MADE_AT,
    )
    args = sign_args(
        visit=visit1,
        loan=loan1,
        principal_fen=300_000,
        down_payment_fen=60_000,
        schedule=[("2026-12-01", 120_000), ("2026-12-10", 120_000)],
    )
    phone.queue("agreement.sign", **args)
    phone.sync()
    # Two open promises on loan 0: the second is applied and flagged (second_promise).
    assert list(phone.results.values()) == ["applied", "flagged", "applied"]
    manager = auth_headers(world.manager.username)  # signed in before the clock moves
    agreement_id = uuid.UUID(str(args["agreement_id"]))

    # Two weeks later: a follow-up visit for borrower 1 is on Alice's phone.
    clock.now = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    make_visit(session, world.borrowers[1], [world.alice], plan_date=date(2026, 12, 8))
    promise_versions = {
        p.id: p.version
        for p in session.exec(select(Promise).where(col(Promise.id).in_([kept_id, broken_id])))
    }
    _import(
        client,
        manager,
        [
            (loan0.account_number, "T1", "2026-11-29", "500.00"),  # keeps the first promise
            (loan0.account_number, "T2", "2026-12-02", "200.00"),  # part of the second
            (loan1.account_number, "T3", "2026-11-23", "600.00"),  # down payment
            (loan1.account_number, "T4", "2026-11-30", "1,000.00"),  # short of line 1
        ],
    )
    session.expire_all()
    kept, broken = session.get(Promise, kept_id), session.get(Promise, broken_id)
    assert kept is not None and broken is not None
    assert (kept.status, kept.paid_fen) == (PromiseStatus.kept, 50_000)
    assert (broken.status, broken.paid_fen) == (PromiseStatus.broken, 20_000)
    assert kept.version > promise_versions[kept_id]
    assert broken.version > promise_versions[broken_id]
    agreement = session.get(Agreement, agreement_id)
    assert agreement is not None
    assert agreement.status == AgreementStatus.active  # one missed line is not yet a break
    assert (agreement.down_payment_status, agreement.down_payment_paid_fen) == ("paid", 60_000)
    lines = session.exec(
        select(AgreementLine)
        .where(AgreementLine.agreement_id == agreement_id)
        .order_by(col(AgreementLine.seq))
    ).all()
    assert [(line.status, line.paid_fen) for line in lines] == [
        ("missed", 100_000),
        ("due", 0),
    ]
    phone.pull()
    pulled = phone.local[("agreement", str(agreement_id))]["data"]
    assert [(s["status"], s["paid_fen"]) for s in pulled["schedule"]] == [
        ("missed", 100_000),
        ("due", 0),
    ]
    actions = set(
        session.exec(
            select(AuditEvent.action).where(
                col(AuditEvent.entity_id).in_([str(kept_id), str(broken_id), str(agreement_id)])
            )
        )
    )
    assert {
        "promise.kept",
        "promise.broken",
        "agreement.down_payment_paid",
        "agreement.line_missed",
    } <= actions

    # What the next plan's priority reads: one running agreement with one missed instalment.
    facts = agreement_facts(
        session=session, borrower_ids=[world.borrowers[1].id], zone=SHANGHAI, since=SINCE
    )
    assert [(f.status, f.missed_lines) for f in facts[world.borrowers[1].id]] == [
        (AgreementStatus.active, 1)
    ]

    # The same file again changes nothing: no version moves.
    versions = (kept.version, broken.version, agreement.version)
    _import(
        client,
        manager,
        [(loan0.account_number, "T1", "2026-11-29", "500.00")],
    )
    session.expire_all()
    assert (kept.version, broken.version, agreement.version) == versions

    # The broken promise raises borrower 0's priority for the next plan.
    candidates = client.get(f"{API}/candidates", headers=manager).json()["items"]
    reasons = {c["borrower_id"]: {r["code"]: r["text"] for r in c["reasons"]} for c in candidates}
    assert reasons[str(world.borrowers[0].id)]["broken_promises"] == "1 broken promise"

    # Line 2 is missed as well: two missed lines break the agreement.
    clock.now = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
    make_visit(session, world.borrowers[1], [world.alice], plan_date=date(2026, 12, 20))
    _import(client, manager, [(loan0.account_number, "T5", "2026-12-18", "10.00")])
    session.expire_all()
    assert agreement.status == AgreementStatus.broken
    phone.pull()
    pulled = phone.local[("agreement", str(agreement_id))]["data"]
    assert pulled["status"] == "broken"
    assert [s["status"] for s in pulled["schedule"]] == ["missed", "missed"]
    assert (
        session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_id == str(agreement_id), AuditEvent.action == "agreement.break"
            )
        )
        .one()
        .data["missed"]
        == 2
    )
    facts = agreement_facts(
        session=session, borrower_ids=[world.borrowers[1].id], zone=SHANGHAI, since=SINCE
    )
    assert facts[world.borrowers[1].id] == [
        AgreementFacts(AgreementStatus.broken, 2, date(2026, 12, 20))
    ]
    reasons = score(
        BorrowerFacts(loans=[], agreements=facts[world.borrowers[1].id]),
        today=date(2026, 12, 20),
        settings=PrioritySettings(),
    ).reasons
    assert [r.text for r in reasons if r.code == "broken_agreements"] == ["1 broken agreement"]


def test_payments_made_in_time_but_imported_late_correct_the_record(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    session: Session,
    clock: Clock,
    auth_headers: TokenFor,
) -> None:
    phone = phone_for(world.alice)
    promise_id = uuid.uuid4()
    phone.queue(
        "promise.create",
        promise_id=promise_id,
        visit_id=world.visits[0].id,
        loan_id=world.loans[0].id,
        amount_fen=30_000,
        due_date="2026-11-25",
        at=MADE_AT,
    )
    phone.sync()
    manager = auth_headers(world.manager.username)
    clock.now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    account = world.loans[0].account_number
    _import(client, manager, [(account, "L1", "2026-12-01", "300.00")])  # too late
    promise = session.get(Promise, promise_id)
    assert promise is not None
    session.refresh(promise)
    assert promise.status == PromiseStatus.broken
    _import(client, manager, [(account, "L2", "2026-11-24", "300.00")])  # was paid in time
    session.refresh(promise)
    assert promise.status == PromiseStatus.kept and promise.paid_fen == 30_000
