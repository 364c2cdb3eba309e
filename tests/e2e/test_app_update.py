"""A new version of the app is offered, never forced: no banner while a form is open, and
entries made offline survive the update."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


def test_update_waits_for_the_officer(
    phone: BrowserContext, server: Server, screenshots: Path
) -> None:
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    page.fill("input[name=username]", "officer3")
    page.fill("input[name=password]", "demo-officer")
    page.locator("button[type=submit]").click()
    expect(page.get_by_test_id("visit-card").first).to_be_visible()
    page.wait_for_function(
        "navigator.serviceWorker.controller?.state === 'activated'", timeout=30_000
    )

    sw = server.dist / "sw.js"
    original = sw.read_text()
    try:
        # Publish a new version while the officer fills in a form.
        sw.write_text(original + "\n// next release\n")
        page.locator("[data-testid=visit-card][data-status=planned]").first.click()
        page.get_by_test_id("request-change").click()
        expect(page.get_by_test_id("change-form")).to_be_visible()
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        page.wait_for_function(
            "navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)", timeout=20_000
        )
        expect(page.get_by_test_id("update-banner")).to_have_count(0)

        # Back on a screen without a form: offered. Meanwhile an entry is made offline.
        page.go_back()
        expect(page.get_by_test_id("update-banner")).to_be_visible()
        phone.set_offline(True)
        page.get_by_test_id("check-in").click()
        page.get_by_test_id("checkin-confirm").click()
        expect(page.get_by_test_id("visit-status")).to_have_text("已签到")
        expect(page.get_by_test_id("pending")).to_have_attribute("data-count", "1")
        page.screenshot(path=str(screenshots / "30-update-offered.png"))

        with page.expect_navigation(timeout=20_000):
            page.get_by_test_id("update-banner").get_by_role("button").click()
        expect(page.get_by_test_id("visit")).to_be_visible()
        expect(page.get_by_test_id("update-banner")).to_have_count(0)
        expect(page.get_by_test_id("pending")).to_have_attribute("data-count", "1")
        expect(page.get_by_test_id("visit-status")).to_have_text("已签到")
        page.wait_for_function(
            "navigator.serviceWorker.getRegistration().then((r) => !r.waiting && !!r.active)"
        )
    finally:
        sw.write_text(original)
        phone.set_offline(False)
    assert errors == []
