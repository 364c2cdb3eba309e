"""Issue 15, the borrower file in the browser: the manager opens a borrower's file from the
Borrowers screen (1440 px) and reads header, loans, arrangement, next step and timeline; the
officer's phone (360 px) shows the History section on the Borrower screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_manager_reads_a_borrower_file(desk: BrowserContext, screenshots: Path) -> None:
    page = desk.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, "manager", "demo-manager")
    page.get_by_test_id("nav-borrowers").click()
    page.get_by_test_id("borrower-row").first.get_by_test_id("open-file").click()
    file = page.get_by_test_id("borrower-file")
    expect(file).to_be_visible()
    expect(file.get_by_test_id("file-header")).to_contain_text("*")
    expect(file.get_by_test_id("file-loans")).to_be_visible()
    expect(file.get_by_test_id("file-arrangement")).not_to_be_empty()
    expect(file.get_by_test_id("file-next-step")).not_to_be_empty()
    expect(file.get_by_text("走访记录")).to_be_visible()
    expect(file.locator("[data-testid=history], .c-muted").first).to_be_visible()
    expect(file.locator(".c-error")).to_have_count(0)
    page.screenshot(path=str(screenshots / "issue15-borrower-file-1440.png"), full_page=True)
    assert errors == []


def test_phone_shows_the_history_section(console_phone: BrowserContext, screenshots: Path) -> None:
    page = console_phone.new_page()
    sign_in(page, "officer1", "demo-officer")
    page.locator("a[href^='#/visit/']").first.click()
    page.get_by_test_id("borrower-details").click()
    section = page.get_by_test_id("history-section")
    expect(section).to_contain_text("走访记录")
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "issue15-phone-history-360.png"))
