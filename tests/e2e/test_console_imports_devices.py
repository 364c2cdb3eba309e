"""Imports and devices in the console: a payments file with one bad row gives the row-by-row
report and the counts; a wrong file names the missing columns; a lost phone is revoked (the
console asks once, in plain words, and says the officer is blocked from new phones), erases
itself at its next connection, and the officer may register a new phone only after the
manager re-enables it from the console."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, FilePayload, Page, expect

from tests.e2e.conftest import Server, api_phone, sign_in
from tests.phone import Phone

pytestmark = pytest.mark.e2e

MANAGER = ("manager", "demo-manager")
OFFICER = ("officer6", "demo-officer")


def shot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"console-{name}.png"))


def an_account(server: Server) -> str:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": MANAGER[0], "password": MANAGER[1]}
        ).json()["access_token"]
        page = client.get(
            "/api/v1/candidates",
            params={"limit": 1},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    return str(page["items"][0]["account_numbers"][0])


def test_imports(desk: BrowserContext, console_server: Server, screenshots: Path) -> None:
    account = an_account(console_server)
    page = desk.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, *MANAGER)
    expect(page.get_by_test_id("console")).to_be_visible()
    page.get_by_test_id("nav-imports").click()

    # Payments: one good row, one with an amount that is not a number.
    card = page.get_by_test_id("import-payments")
    content = "\n".join(
        [
            "账号,交易流水号,还款日期,还款金额",
            f"{account},E2E-0001,2026-11-20,500.00",
            f"{account},E2E-0002,2026-11-21,abc",
        ]
    )
    card.locator("input[type=file]").set_input_files(
        files=[FilePayload(name="payments.csv", mimeType="text/csv", buffer=content.encode())]
    )
    card.get_by_test_id("upload").click()
    report = card.get_by_test_id("import-report")
    expect(report.locator("[data-count-of=rows]")).to_have_attribute("data-count", "2")
    expect(report.locator("[data-count-of=created]")).to_have_attribute("data-count", "1")
    expect(report.locator("[data-count-of=failed]")).to_have_attribute("data-count", "1")
    bad = card.get_by_test_id("import-errors").locator("tbody tr")
    expect(bad).to_have_count(1)
    cells = bad.first.locator("td").all_inner_texts()
    assert cells[0] == "3"  # the header is row 1
    assert "还款金额" in cells[1] or "amount" in cells[1]

    # A file that is not a loans export: the missing columns, named.
    loans = page.get_by_test_id("import-loans")
    loans.locator("input[type=file]").set_input_files(
        files=[FilePayload(name="wrong.csv", mimeType="text/csv", buffer=b"foo,bar\n1,2\n")]
    )
    loans.get_by_test_id("upload").click()
    expect(loans.get_by_test_id("import-error")).to_contain_text("缺少的列")
    expect(loans.get_by_test_id("import-error")).to_contain_text("account_number")
    shot(page, screenshots, "40-imports")

    assert errors == []


def officer_token_status(server: Server) -> tuple[int, str]:
    """What signing in without a device answers the officer (status, error code)."""
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        response = client.post(
            "/api/v1/auth/token", data={"username": OFFICER[0], "password": OFFICER[1]}
        )
    body = response.json()
    return response.status_code, str(body.get("error", ""))


def test_revoke_blocks_new_phones_until_reenabled(
    desk: BrowserContext, console_server: Server, screenshots: Path
) -> None:
    page = desk.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, *MANAGER)
    expect(page.get_by_test_id("console")).to_be_visible()

    # A phone of officer6 is lost: revoke it; the dialog says the officer will be blocked.
    phone = api_phone(console_server, *OFFICER)
    try:
        page.get_by_test_id("nav-devices").click()
        row = page.locator(f"[data-testid=device-row][data-device-id='{phone.device_id}']")
        expect(row).to_have_attribute("data-status", "active")
        expect(row).to_contain_text("梁建华")
        expect(row.get_by_test_id("enable-phone")).to_have_count(0)
        row.get_by_test_id("revoke").click()
        confirm = page.get_by_test_id("confirm")
        expect(confirm).to_contain_text("清除所有数据")
        expect(confirm).to_contain_text("不能在任何新手机上登录")
        expect(confirm).to_contain_text("重新启用手机")
        shot(page, screenshots, "41-devices-revoke")
        confirm.locator("[data-confirm=yes]").click()
        expect(confirm).to_have_count(0)
        expect(row).to_have_count(0)  # only active devices are listed by default

        # The officer keeps a row that says they are blocked, since when, with the way out.
        person = page.locator("[data-testid=device-row][data-username=officer6]")
        expect(person).to_have_count(1)
        expect(person).to_have_attribute("data-phone-blocked", "yes")
        blocked = person.get_by_test_id("phone-blocked")
        expect(blocked).to_contain_text("手机已锁定")
        expect(blocked).to_contain_text("起，不能在新手机上登录")
        expect(person.get_by_test_id("enable-phone")).to_have_text("重新启用手机")
        # And the notice above the table names them, whatever the table's scroll.
        notice = page.get_by_test_id("phone-blocks").locator("li[data-username=officer6]")
        expect(notice).to_contain_text("梁建华")
        expect(notice).to_contain_text("起，不能在新手机上登录")
        shot(page, screenshots, "42-devices-blocked")

        # The lost phone erases itself; the officer cannot sign in to register another.
        phone.pull()
        assert phone.wiped
        assert officer_token_status(console_server) == (403, "PhoneBlocked")

        # With old devices shown, the revoked phone's row carries the block too.
        page.get_by_text("显示已停用和已更换的设备").click()
        expect(row).to_have_attribute("data-status", "revoked")
        expect(row).to_have_attribute("data-phone-blocked", "yes")
        page.get_by_text("显示已停用和已更换的设备").click()
    finally:
        phone.client.close()

    # Re-enable from the notice: asked once, then the list no longer shows the block.
    notice.get_by_test_id("enable-phone").click()
    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_contain_text("让梁建华重新在新手机上登录")
    shot(page, screenshots, "43-devices-reenable")
    confirm.locator("[data-confirm=yes]").click()
    expect(confirm).to_have_count(0)
    expect(person).not_to_have_attribute("data-phone-blocked", "yes")
    expect(person.get_by_test_id("phone-blocked")).to_have_count(0)
    expect(person.get_by_test_id("enable-phone")).to_have_count(0)
    expect(page.locator("[data-testid=device-row][data-phone-blocked]")).to_have_count(0)
    expect(page.get_by_test_id("phone-blocks")).to_have_count(0)
    shot(page, screenshots, "44-devices-reenabled")

    # The officer registers a new phone and syncs on it.
    with httpx.Client(base_url=console_server.base_url, timeout=60) as client:
        new_phone = Phone(client, *OFFICER).sign_in()
        new_phone.pull()
        assert not new_phone.wiped
    page.get_by_test_id("devices-screen").get_by_role("button", name="刷新", exact=True).click()
    new_row = page.locator(f"[data-testid=device-row][data-device-id='{new_phone.device_id}']")
    expect(new_row).to_have_attribute("data-status", "active")
    assert errors == []
