"""An agreement signed on a phone offline: synced, active, verified, printed, and a record
edited by hand in the database caught by `verify`."""

from __future__ import annotations

import io
import uuid
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import Session, col, select

from api.agreements.pdf import PdfSettings, get_pdf_settings
from api.agreements.plan import build_schedule
from models import Agreement, AgreementLine, AuditEvent
from models.enums import AgreementStatus
from tests.agreements.conftest import PhoneFor, World, sign_args
from tests.conftest import TokenFor

API = "/api/v1"


def _signed_on_the_phone(world: World, phone_for: PhoneFor) -> tuple[dict[str, object], object]:
    """The phone computes the schedule, the borrower signs, nothing is sent until later."""
    phone = phone_for(world.alice)
    schedule = build_schedule(
        amount_fen=1_235_601,  # ¥12,356.01: the extra fen goes on the last line
        down_payment_fen=200_000,
        count=3,
        frequency="monthly",
        first_due=date(2026, 12, 31),
    )
    args = sign_args(
        visit=world.visits[0],
        loan=world.loans[0],
        principal_fen=schedule.amount_fen,
        down_payment_fen=schedule.down_payment_fen,
        schedule=[(line.due_date.isoformat(), line.amount_fen) for line in schedule.lines],
    )
    phone.queue("agreement.sign", **args)  # offline: it waits in the outbox
    assert phone.outbox and phone.results == {}
    response = phone.push()  # signal again
    assert response.status_code == 200, response.text
    return args, phone


def test_signed_offline_synced_active_and_pulled(
    world: World, phone_for: PhoneFor, session: Session
) -> None:
    args, phone = _signed_on_the_phone(world, phone_for)
    assert phone.results == {1: "applied"}  # type: ignore[attr-defined]
    stored = session.get(Agreement, uuid.UUID(str(args["agreement_id"])))
    assert stored is not None
    assert stored.status == AgreementStatus.active and stored.activated_at is not None
    assert stored.approval_reasons == []
    lines = session.exec(select(AgreementLine).where(AgreementLine.agreement_id == stored.id)).all()
    assert [(line.due_date.isoformat(), line.amount_fen) for line in lines] == [
        ("2026-12-31", 345_200),
        ("2027-01-31", 345_200),
        ("2027-02-28", 345_201),
    ]
    phone.pull()  # type: ignore[attr-defined]
    pulled = phone.local[("agreement", str(stored.id))]  # type: ignore[attr-defined]
    assert pulled["data"]["status"] == "active"
    assert [line["status"] for line in pulled["data"]["schedule"]] == ["due", "due", "due"]
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.entity_id == str(stored.id))
    ).all()
    assert "agreement.sign" in actions


def test_verify_and_a_record_edited_by_hand(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    session: Session,
    auth_headers: TokenFor,
) -> None:
    args, _phone = _signed_on_the_phone(world, phone_for)
    agreement_id = args["agreement_id"]
    manager = auth_headers(world.manager.username)
    ok = client.get(f"{API}/agreements/{agreement_id}/verify", headers=manager)
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["valid"] is True and body["problems"] == []
    assert body["stored_sha256"] == body["computed_sha256"] and body["text_sha256_valid"]
    # The officer of the visit may verify too; another officer may not see it at all.
    assert client.get(
        f"{API}/agreements/{agreement_id}/verify", headers=auth_headers(world.alice.username)
    ).json()["valid"]
    other = client.get(
        f"{API}/agreements/{agreement_id}/verify", headers=auth_headers(world.bob.username)
    )
    assert other.status_code == 404

    # Someone lowers an instalment straight in the database.
    session.execute(
        update(AgreementLine)
        .where(col(AgreementLine.agreement_id) == uuid.UUID(str(agreement_id)))
        .where(col(AgreementLine.seq) == 2)
        .values(amount_fen=245_200)
    )
    session.expire_all()
    tampered = client.get(f"{API}/agreements/{agreement_id}/verify", headers=manager).json()
    assert tampered["valid"] is False
    assert tampered["computed_sha256"] != tampered["stored_sha256"]
    assert tampered["text_sha256_valid"] is True
    assert any("content hash" in p for p in tampered["problems"])
    assert any("not the agreed" in p for p in tampered["problems"])


def test_edited_text_is_caught(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    session: Session,
    auth_headers: TokenFor,
) -> None:
    args, _phone = _signed_on_the_phone(world, phone_for)
    session.execute(
        update(Agreement)
        .where(col(Agreement.id) == uuid.UUID(str(args["agreement_id"])))
        .values(text="分期还款协议：借款人同意一次还清。")
    )
    session.expire_all()
    result = client.get(
        f"{API}/agreements/{args['agreement_id']}/verify",
        headers=auth_headers(world.manager.username),
    ).json()
    assert result["valid"] is False and result["text_sha256_valid"] is False
    # The terms were not touched: only the text check fails.
    assert result["computed_sha256"] == result["stored_sha256"]


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_printed_copy_in_chinese_and_english(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    session: Session,
    auth_headers: TokenFor,
) -> None:
    args, _phone = _signed_on_the_phone(world, phone_for)
    agreement = session.get(Agreement, uuid.UUID(str(args["agreement_id"])))
    assert agreement is not None
    headers = auth_headers(world.alice.username)  # the officer prints the borrower's copy
    response = client.get(f"{API}/agreements/{agreement.id}.pdf", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    zh = _pdf_text(response.content)
    for expected in (
        "分期还款协议",
        world.borrowers[0].name,
        world.borrowers[0].national_id_masked,
        world.loans[0].account_number,
        world.branch.name,
        "2026-11-23 11:00",  # 03:00 UTC in Asia/Shanghai
        "37.341234, 116.581234 (±12 m)",
        "¥12,356.01",
        "¥3,452.01",
        "¥2,000.00",
        "2027-02-28",
        "¥3,452.00",
        "借款人签名",
        "借款人承诺按期足额还款",  # the exact text shown (the template)
        agreement.content_sha256,
    ):
        assert expected in zh, expected
    lines = [line for line in zh.splitlines() if "2027-01-31" in line]
    assert lines and "¥3,452.00" in lines[0]

    en = client.get(f"{API}/agreements/{agreement.id}.pdf?lang=en", headers=headers)
    assert en.status_code == 200
    english = _pdf_text(en.content)
    assert "Instalment Agreement" in english and "Repayment schedule" in english
    assert "¥12,356.01" in english and agreement.content_sha256 in english
    alias = client.get(f"{API}/agreements/{agreement.id}/pdf", headers=headers)
    assert alias.status_code == 200 and alias.content.startswith(b"%PDF")
    # The plain record is still its own route.
    record = client.get(f"{API}/agreements/{agreement.id}", headers=headers)
    assert record.status_code == 200 and record.json()["id"] == str(agreement.id)


def test_missing_font_is_a_clear_error(
    world: World,
    phone_for: PhoneFor,
    client: TestClient,
    auth_headers: TokenFor,
    app: FastAPI,
    tmp_path: Path,
) -> None:
    args, _phone = _signed_on_the_phone(world, phone_for)
    missing = PdfSettings(pdf_font_path=tmp_path / "no-such-font.ttc")
    app.dependency_overrides[get_pdf_settings] = lambda: missing
    response = client.get(
        f"{API}/agreements/{args['agreement_id']}.pdf",
        headers=auth_headers(world.manager.username),
    )
    assert response.status_code == 500
    assert response.json()["error"] == "PdfFontMissing"
    assert "FIELDVISIT_PDF_FONT_PATH" in response.json()["detail"]
