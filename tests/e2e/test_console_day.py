"""Checked by: a manager's day in the console next to an officer's phone, both in real
Chromium. The phone's check-in and SOS appear in the console without a reload (it polls);
a change request made on the phone reaches the Review list; the manager declines it with a
reason, and the reason reaches the phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

MANAGER = ("manager", "demo-manager")
OFFICER = ("officer5", "demo-officer")
# The console polls every 12 s; the brief allows 30 s.
LIVE = 30_000


def shot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"console-{name}.png"))


def test_the_day_live_next_to_a_phone(
    desk: BrowserContext, console_phone: BrowserContext, screenshots: Path
) -> None:
    console = desk.new_page()
    errors: list[str] = []
    console.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(console, *MANAGER)
    expect(console.get_by_test_id("console")).to_be_visible()
    console.get_by_test_id("nav-today").click()
    expect(console.get_by_test_id("day-route")).to_have_count(3)
    expect(console.get_by_test_id("day-map")).to_have_attribute("data-routes", "3")
    # The demo's one late check-out is open; no SOS.
    late = console.locator("[data-testid=alert][data-kind=overdue_checkout]")
    expect(late).to_have_count(1)
    expect(console.get_by_test_id("sos-banner")).to_have_count(0)
    shot(console, screenshots, "10-today-morning")

    # The officer's phone: today's route is the one the console shows for their team.
    phone = console_phone.new_page()
    sign_in(phone, *OFFICER)
    cards = phone.get_by_test_id("visit-card")
    expect(cards.first).to_be_visible()
    visit_ids: list[str] = cards.evaluate_all("els => els.map(e => e.dataset.visitId)")
    first, second = visit_ids[:2]
    row = console.locator(f"[data-testid=day-visit][data-visit-id='{first}']")
    expect(row).to_have_attribute("data-status", "planned")

    # Check-in on the phone -> "checked in" in the console, with the time and the place.
    cards.first.click()
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checkin-location")).to_contain_text("米")
    phone.get_by_test_id("checkin-confirm").click()
    expect(phone.get_by_test_id("visit-status")).to_have_text("已签到")
    expect(phone.get_by_test_id("pending")).to_have_attribute("data-count", "0", timeout=LIVE)
    expect(row).to_have_attribute("data-status", "checked_in", timeout=LIVE)
    expect(row).to_contain_text("距地址")

    # SOS on the phone -> a red alert in the console, with the message and the place.
    phone.get_by_test_id("sos").click()
    phone.fill("input[name=message]", "家属情绪激动，请求支援")
    phone.get_by_test_id("sos-send").click()
    expect(phone.get_by_test_id("sos-state")).to_have_attribute("data-queued", "0", timeout=LIVE)
    sos = console.locator("[data-testid=alert][data-kind=sos]")
    expect(sos).to_be_visible(timeout=LIVE)
    expect(sos).to_contain_text("家属情绪激动，请求支援")
    expect(sos).to_contain_text("武玉华")
    expect(sos).to_have_attribute("role", "alert")
    expect(console.get_by_test_id("sos-banner")).to_be_visible()
    color = sos.locator(".c-alert-kind").evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(179, 38, 30)"  # the danger red, used for nothing else
    expect(console.locator("[data-testid=day-map] [data-point-kind=sos]")).to_have_count(1)
    shot(console, screenshots, "11-today-sos")
    ack = sos.get_by_test_id("ack")
    if ack.count():  # POST /safety/alerts/{id}/acknowledge is on this server
        ack.click()
        expect(sos).to_have_attribute("data-acknowledged", "1", timeout=LIVE)
        expect(console.get_by_test_id("sos-banner")).to_have_count(0)

    # A change request from the phone -> the Review badge and list; declined with a reason.
    phone.go_back()
    phone.go_back()
    phone.locator(f"[data-testid=visit-card][data-visit-id='{second}']").click()
    phone.get_by_test_id("request-change").click()
    phone.locator("[data-value=reschedule]").click()
    phone.fill("textarea[name=reason]", "借款人下周才回村")
    phone.get_by_test_id("save").click()
    expect(phone.get_by_test_id("visit")).to_be_visible()
    expect(phone.get_by_test_id("pending")).to_have_attribute("data-count", "0", timeout=LIVE)
    expect(console.get_by_test_id("review-badge")).to_be_visible(timeout=LIVE)
    console.get_by_test_id("nav-review").click()
    request = console.locator(f"[data-testid=change-request][data-visit-id='{second}']")
    expect(request).to_contain_text("改期")
    expect(request).to_contain_text("借款人下周才回村")
    expect(request).to_contain_text("武玉华")
    shot(console, screenshots, "12-review-change-request")
    request.get_by_test_id("decline-request").click()
    dialog = console.get_by_test_id("confirm")
    expect(dialog.locator("[data-confirm=yes]")).to_be_disabled()  # a reason is required
    dialog.locator("textarea[name=reason]").fill("本周必须完成走访，请按计划前往")
    dialog.locator("[data-confirm=yes]").click()
    expect(request).to_have_count(0)

    # The decision and its reason reach the phone at its next sync (it syncs on start).
    phone.reload()
    decision = phone.get_by_test_id("change-decision")
    expect(decision).to_have_attribute("data-status", "declined", timeout=LIVE)
    expect(decision).to_contain_text("本周必须完成走访，请按计划前往")
    phone.screenshot(path=str(screenshots / "console-13-decision-on-phone.png"))

    # Back on Today: the first visit finished on the phone shows as done.
    phone.go_back()
    phone.locator(f"[data-testid=visit-card][data-visit-id='{first}']").click()
    phone.get_by_test_id("check-out").click()
    phone.locator("[data-confirm=yes]").click()
    console.get_by_test_id("nav-today").click()
    expect(console.locator(f"[data-testid=day-visit][data-visit-id='{first}']")).to_have_attribute(
        "data-status", "done", timeout=LIVE
    )
    shot(console, screenshots, "14-today-afternoon")
    assert errors == []
