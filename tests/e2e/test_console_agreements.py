"""Agreements beyond the branch limits, signed on a phone (through the sync API, as the phone
app sends them), wait for the manager: approved in the console (after reading the terms,
the signatures, the verify result and the PDF), another declined with a reason; both
decisions reach the phone at its next pull."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Server, api_phone, sign_in
from tests.phone import agreement_args

pytestmark = pytest.mark.e2e

MANAGER = ("manager", "demo-manager")


def shot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"console-{name}.png"))


def beyond_limits(visit_id: str, loan_id: str, signed_at: datetime) -> dict[str, Any]:
    """18 monthly instalments and a 4.8 % down payment: beyond the default limits."""
    first = date(signed_at.year, signed_at.month, 15)
    months = [
        date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 15)
        for i in range(1, 19)
    ]
    args = agreement_args(visit_id=visit_id, loan_id=loan_id, text="分期还款协议（测试）")
    args["terms"] = {
        "principal_fen": 1_890_000,
        "down_payment_fen": 90_000,
        "schedule": [{"due_date": d.isoformat(), "amount_fen": 100_000} for d in months],
    }
    args["signed_at"] = signed_at.isoformat()
    return args


def sign_two(server: Server) -> tuple[Any, list[dict[str, Any]]]:
    phone = api_phone(server, "officer1")
    me = next(row["data"] for (kind, _), row in phone.local.items() if kind == "officer")
    today = datetime.now(UTC)
    visits = [
        (vid, row["data"])
        for (kind, vid), row in phone.local.items()
        if kind == "visit" and row["data"]["status"] == "planned"
    ]
    visits.sort(key=lambda v: v[1]["route_position"] or 0)
    signed = []
    for vid, visit in visits[-2:]:  # the end of the route: other tests use its start
        borrower = phone.local[("borrower", visit["borrower_id"])]["data"]
        args = phone.rendered(beyond_limits(vid, visit["loan_ids"][0], today))
        phone.queue("agreement.sign", **args)
        signed.append({**args, "borrower_name": borrower["name"]})
    phone.sync()
    for args in signed:
        assert phone.local[("agreement", args["agreement_id"])]["data"]["status"] == (
            "pending_approval"
        )
    assert me["username"] == "officer1"
    return phone, signed


def test_approve_and_decline_agreements(
    desk: BrowserContext, console_server: Server, screenshots: Path
) -> None:
    phone, (approve, decline) = sign_two(console_server)
    try:
        check_in_console(desk, phone, approve, decline, screenshots)
    finally:
        phone.client.close()


def check_in_console(
    desk: BrowserContext,
    phone: Any,
    approve: dict[str, Any],
    decline: dict[str, Any],
    screenshots: Path,
) -> None:
    page = desk.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, *MANAGER)
    expect(page.get_by_test_id("console")).to_be_visible()
    badge = page.get_by_test_id("review-badge")
    expect(badge).to_be_visible()
    waiting = int(badge.inner_text())
    assert waiting >= 2
    page.get_by_test_id("nav-review").click()
    pending = page.get_by_test_id("pending-agreement")
    row = pending.filter(has_text=approve["borrower_name"])
    expect(row).to_contain_text("¥18,900.00")
    expect(row).to_contain_text("18")
    shot(page, screenshots, "20-review-agreements")

    # Open it: terms, both signatures, the verify result, the PDF.
    row.get_by_test_id("open-agreement").click()
    dialog = page.get_by_test_id("agreement-dialog")
    expect(dialog.get_by_test_id("agreement-status")).to_have_text("待审批")
    expect(dialog).to_contain_text("需要审批的原因")
    expect(dialog.locator(".c-sigs img")).to_have_count(2)
    expect(dialog.locator("tbody tr")).to_have_count(18)
    expect(dialog.get_by_test_id("verify")).to_have_attribute("data-valid", "1")
    shot(page, screenshots, "21-agreement-terms")
    with page.expect_response(lambda r: ".pdf" in r.url) as pdf:
        dialog.get_by_test_id("tab-pdf").click()
    assert pdf.value.status == 200
    assert pdf.value.headers["content-type"] == "application/pdf"
    frame = dialog.get_by_test_id("pdf-frame")
    expect(frame).to_be_visible()
    assert (frame.get_attribute("src") or "").startswith("blob:")
    shot(page, screenshots, "22-agreement-pdf")

    # Approve (a note is optional).
    dialog.get_by_test_id("agreement-approve").click()
    confirm = page.get_by_test_id("confirm")
    confirm.locator("textarea[name=reason]").fill("首付偏低，但借款人收入已恢复，同意。")
    confirm.locator("[data-confirm=yes]").click()
    expect(dialog.get_by_test_id("agreement-status")).to_have_text("生效中")
    page.keyboard.press("Escape")
    expect(pending.filter(has_text=approve["borrower_name"])).to_have_count(0)

    # Decline the other: the reason is required and goes to the phone.
    other = pending.filter(has_text=decline["borrower_name"])
    other.get_by_test_id("open-agreement").click()
    dialog.get_by_test_id("agreement-decline").click()
    expect(confirm.locator("[data-confirm=yes]")).to_be_disabled()
    reason = "分18期超过支行上限，请与借款人重新商定12期以内的方案。"
    confirm.locator("textarea[name=reason]").fill(reason)
    confirm.locator("[data-confirm=yes]").click()
    expect(dialog.get_by_test_id("agreement-status")).to_have_text("未获批准")
    page.keyboard.press("Escape")
    if waiting > 2:
        expect(badge).to_have_text(str(waiting - 2), timeout=30_000)
    else:
        expect(badge).to_have_count(0, timeout=30_000)

    # Both decisions on the phone at its next pull.
    phone.pull()
    approved = phone.local[("agreement", approve["agreement_id"])]["data"]
    declined = phone.local[("agreement", decline["agreement_id"])]["data"]
    assert approved["status"] == "active"
    assert declined["status"] == "declined"
    assert declined["decision_reason"] == reason

    # The branch's agreements, filtered and exported by the API (CSV).
    page.get_by_test_id("nav-agreements").click()
    rows = page.get_by_test_id("agreement-row")
    expect(rows.first).to_be_visible()
    page.locator("select[name=status]").select_option("active")
    expect(rows.filter(has_text=approve["borrower_name"])).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_test_id("agreements-list").get_by_test_id("export-csv").click()
    saved = download.value.path()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(saved).read_text(encoding="utf-8-sig")
    assert approve["borrower_name"] in text
    shot(page, screenshots, "23-agreements-list")
    assert errors == []
