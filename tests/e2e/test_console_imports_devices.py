"""Imports and devices in the console: a payments file with one bad row gives the row-by-row
report and the counts; a wrong file names the missing columns; a lost phone is revoked (the
console asks once, in plain words) and erases itself at its next connection."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, FilePayload, Page, expect

from tests.e2e.conftest import Server, api_phone, sign_in

pytestmark = pytest.mark.e2e

MANAGER = ("manager", "demo-manager")


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


def test_imports_and_devices(
    desk: BrowserContext, console_server: Server, screenshots: Path
) -> None:
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

    # A phone of officer6 is lost: revoke it; it erases itself at its next connection.
    phone = api_phone(console_server, "officer6")
    try:
        page.get_by_test_id("nav-devices").click()
        row = page.locator(f"[data-testid=device-row][data-device-id='{phone.device_id}']")
        expect(row).to_have_attribute("data-status", "active")
        expect(row).to_contain_text("梁建华")
        row.get_by_test_id("revoke").click()
        confirm = page.get_by_test_id("confirm")
        expect(confirm).to_contain_text("清除所有数据")
        shot(page, screenshots, "41-devices-revoke")
        confirm.locator("[data-confirm=yes]").click()
        expect(row).to_have_count(0)  # only active devices are listed by default
        page.get_by_text("显示已停用和已更换的设备").click()
        expect(row).to_have_attribute("data-status", "revoked")
        phone.pull()
        assert phone.wiped
    finally:
        phone.client.close()
    assert errors == []
