"""Issue 15, instalment reminders in the console (1440 px): an agreement signed on a phone
(through the sync API) has an instalment due in two days; the manager opens Agreements ->
Reminders, reads the row with the branch's SMS text, marks it sent (recorded once, as a
message in the borrower's file), and reads the same in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Server, api_phone, sign_in
from tests.phone import Phone, agreement_args

pytestmark = pytest.mark.e2e

MANAGER = ("manager", "demo-manager")
PRINCIPAL_FEN = 300_000


def _sign_one_due_soon(server: Server) -> dict[str, Any]:
    """officer1 signs an agreement within the branch limits, first instalment in 2 days, on a
    visit mid-route (other console tests use the route's start and end)."""
    phone = api_phone(server, "officer1")
    try:
        return _sign(phone)
    finally:
        phone.client.close()  # else the open socket warns at garbage collection


def _sign(phone: Phone) -> dict[str, Any]:
    visits = [
        row["data"] | {"id": vid}
        for (kind, vid), row in phone.local.items()
        if kind == "visit" and row["data"]["status"] == "planned"
    ]
    visits.sort(key=lambda v: v["route_position"] or 0)
    visit = visits[len(visits) // 2]
    borrower = phone.local[("borrower", visit["borrower_id"])]["data"]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    args = agreement_args(visit_id=visit["id"], loan_id=visit["loan_ids"][0])
    args["terms"]["schedule"] = [
        {"due_date": (today + timedelta(days=d)).isoformat(), "amount_fen": PRINCIPAL_FEN // 3}
        for d in (2, 33)
    ]
    args["signed_at"] = datetime.now(UTC).isoformat()
    args = phone.rendered(args)
    phone.queue("agreement.sign", **args)
    phone.sync()
    status = phone.local[("agreement", args["agreement_id"])]["data"]["status"]
    assert status in ("signed", "active"), status
    return {"borrower_id": visit["borrower_id"], "name": borrower["name"]}


def _sms_in_file(server: Server, borrower_id: str) -> list[dict[str, Any]]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": MANAGER[0], "password": MANAGER[1]}
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        page = client.get(f"/api/v1/borrowers/{borrower_id}/history", headers=headers)
        assert page.status_code == 200, page.text
        return [i for i in page.json()["items"] if i["kind"] == "sms"]


def _reminders(page: Page) -> Any:
    page.get_by_test_id("nav-agreements").click()
    section = page.get_by_test_id("reminders")
    expect(section).to_be_visible()
    return section


def test_manager_marks_a_reminder_sent(
    desk: BrowserContext, console_server: Server, screenshots: Path
) -> None:
    signed = _sign_one_due_soon(console_server)
    page = desk.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, *MANAGER)
    section = _reminders(page)
    expect(section.get_by_role("heading", name="还款提醒")).to_be_visible()
    row = section.get_by_test_id("reminder-row").filter(has_text=signed["name"])
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-sent", "no")
    # The branch's template, filled: the borrower's name and the amount in the text.
    expect(row.locator(".c-sms")).to_contain_text(signed["name"])
    # "Mark sent" is on screen, not past the right edge behind the long SMS text.
    button = row.get_by_test_id("mark-sent").bounding_box()
    assert button is not None and button["x"] + button["width"] <= 1440
    page.screenshot(path=str(screenshots / "issue15-reminders-1440.png"))
    row.get_by_test_id("mark-sent").click()
    expect(row).to_have_attribute("data-sent", "yes")
    expect(row.get_by_test_id("mark-sent")).to_have_count(0)
    assert len(_sms_in_file(console_server, signed["borrower_id"])) == 1

    # English: the same list, the row already sent.
    page.get_by_test_id("nav-settings").click()
    page.get_by_role("radio", name="English").click()
    section = _reminders(page)
    expect(section.get_by_role("heading", name="Reminders")).to_be_visible()
    expect(section.get_by_role("columnheader", name="SMS text")).to_be_visible()
    row = section.get_by_test_id("reminder-row").filter(has_text=signed["name"])
    expect(row).to_have_attribute("data-sent", "yes")
    page.screenshot(path=str(screenshots / "issue15-reminders-1440-en.png"))
    page.get_by_test_id("nav-settings").click()
    page.get_by_role("radio", name="中文").click()
    assert errors == []
