"""An officer's day on the phone, offline, then one sync: nothing typed is lost.

Signs in online (the device registers and pulls its scope), waits for the service worker,
goes offline, reloads (the app shell comes from the service worker), completes three visits
(outcome, note, promise, a signed agreement drawn on both canvases, an SOS, a change request),
reloads offline again (nothing lost), goes online, syncs, and checks through the API that the
server holds exactly what was entered."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PHONE_POSITION, Server

pytestmark = pytest.mark.e2e

OFFICER = ("officer1", "demo-officer")
MANAGER = ("manager", "demo-manager")
# Every entry the scenario makes on the phone (see the three visits below).
EXPECTED_ENTRIES = 14


class Phone:
    """What the officer does, in the words of the screens."""

    def __init__(self, page: Page, shots: Path) -> None:
        self.page = page
        self.shots = shots

    def shot(self, name: str, *, top: bool = False) -> None:
        if top:
            self.page.evaluate("window.scrollTo(0, 0)")
        self.page.screenshot(path=str(self.shots / f"{name}.png"))

    def pending(self) -> int:
        return int(self.page.get_by_test_id("pending").get_attribute("data-count") or "-1")

    def wait_pending(self, count: int, timeout: float = 20_000) -> None:
        self.page.wait_for_function(
            "n => document.querySelector('[data-testid=pending]')?.dataset.count === String(n)",
            arg=count,
            timeout=timeout,
        )

    def expect_done(self, *visit_ids: str) -> None:
        for visit_id in visit_ids:
            card = self.page.locator(f"[data-testid=visit-card][data-visit-id='{visit_id}']")
            expect(card).to_have_attribute("data-status", "done")

    def open_visit(self, visit_id: str) -> None:
        self.page.locator(f"[data-testid=visit-card][data-visit-id='{visit_id}']").click()
        expect(self.page.get_by_test_id("visit")).to_be_visible()

    def status(self) -> Any:
        return expect(self.page.get_by_test_id("visit-status"))

    def check_in(self, shot: str | None = None) -> None:
        self.page.get_by_test_id("check-in").click()
        # Location granted: the sheet shows its accuracy before confirming.
        expect(self.page.get_by_test_id("checkin-location")).to_contain_text("米")
        if shot:
            self.shot(shot)
        self.page.get_by_test_id("checkin-confirm").click()
        self.status().to_have_text("已签到")

    def record_outcome(
        self, contact: str, *, detail: str = "", note: str = "", shot: str | None = None
    ) -> str | None:
        self.page.get_by_test_id("record-outcome").click()
        expect(self.page.get_by_test_id("outcome")).to_be_visible()
        self.page.locator(f"[data-testid=contact] [data-value={contact}]").click()
        reason = None
        if detail:
            chip = self.page.locator("[data-testid=hardship] .chip").first
            reason = chip.get_attribute("data-value")
            chip.click()
            self.page.fill("textarea[name=hardship_detail]", detail)
            self.page.locator("[data-testid=next-action] [data-value=await_payment]").click()
        if note:
            self.page.fill("textarea[name=note]", note)
        if shot:
            self.shot(shot, top=True)
        self.page.get_by_test_id("save").click()
        expect(self.page.get_by_test_id("last-outcome")).to_be_visible()
        return reason

    def check_out(self, shot: str | None = None) -> None:
        self.page.get_by_test_id("check-out").click()
        if shot:
            self.shot(shot)
        self.page.locator("[data-confirm=yes]").click()
        expect(self.page.get_by_test_id("today")).to_be_visible()

    def draw(self, test_id: str, wobble: int) -> None:
        canvas = self.page.get_by_test_id(test_id)
        # Mid-screen, clear of the sticky action bar, then strokes with the mouse.
        canvas.evaluate("el => el.scrollIntoView({block: 'center'})")
        box = canvas.bounding_box()
        assert box is not None
        x, y, w, h = box["x"], box["y"], box["width"], box["height"]
        mouse = self.page.mouse
        mouse.move(x + w * 0.15, y + h * 0.6)
        mouse.down()
        for i in range(1, 13):
            mouse.move(
                x + w * (0.15 + 0.055 * i), y + h * (0.6 - 0.25 * ((i + wobble) % 2)), steps=3
            )
        mouse.up()
        mouse.move(x + w * 0.3, y + h * 0.8)
        mouse.down()
        mouse.move(x + w * 0.75, y + h * 0.75, steps=6)
        mouse.up()


def _sign_in(client: httpx.Client, username: str, password: str, **extra: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/auth/token", data={"username": username, "password": password, **extra}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _pull_everything(client: httpx.Client) -> dict[tuple[str, str], dict[str, Any]]:
    """What the server holds for officer1, as a fresh device of theirs pulls it."""
    token = _sign_in(client, *OFFICER)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    device = client.post(
        "/api/v1/devices", json={"name": "e2e check", "platform": "test"}, headers=headers
    )
    assert device.status_code == 201, device.text
    device_id = device.json()["device_id"]
    headers["X-Device-Id"] = device_id
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    cookie = None
    for _ in range(50):
        body = {"protocol": 1, "device_id": device_id, "cookie": cookie}
        page = client.post("/api/v1/sync/pull", json=body, headers=headers)
        assert page.status_code == 200, page.text
        data = page.json()
        for change in data["changes"]:
            key = (change["entity"], change["id"])
            if change["op"] == "put":
                rows[key] = change["data"]
            else:
                rows.pop(key, None)
        cookie = data["cookie"]
        if not data["has_more"]:
            return rows
    raise AssertionError("pull never finished")


def test_officer_day_offline(phone: BrowserContext, server: Server, screenshots: Path) -> None:
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    officer = Phone(page, screenshots)

    # --- Online: sign in (registers the device), first pull, service worker in control.
    page.goto("/")
    expect(page.get_by_test_id("signin")).to_be_visible()
    page.fill("input[name=username]", OFFICER[0])
    page.fill("input[name=password]", OFFICER[1])
    officer.shot("01-sign-in")
    page.locator("button[type=submit]").click()
    expect(page.get_by_test_id("today")).to_be_visible()
    cards = page.get_by_test_id("visit-card")
    expect(cards.first).to_be_visible()
    officer.wait_pending(0)
    expect(page.get_by_test_id("last-sync")).not_to_contain_text("尚未同步")
    page.wait_for_function(
        "navigator.serviceWorker.controller?.state === 'activated'", timeout=30_000
    )
    visit_ids: list[str] = cards.evaluate_all("els => els.map(e => e.dataset.visitId)")
    assert len(visit_ids) >= 4
    first, second, third = visit_ids[:3]
    expect(page.locator(".visit-card.next")).to_have_attribute("data-visit-id", first)
    officer.shot("02-today-online")

    # --- Offline from here on; the reload is answered by the service worker.
    phone.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("today")).to_be_visible()
    expect(page.get_by_test_id("net")).to_have_text("离线")
    expect(cards).to_have_count(len(visit_ids))
    officer.shot("03-today-offline")

    # Visit 1: check in, outcome with hardship reason and note, promise to pay, check out.
    officer.open_visit(first)
    officer.shot("04-visit-planned")
    officer.check_in(shot="05-check-in-sheet")
    officer.shot("06-visit-checked-in")
    page.get_by_test_id("borrower-details").click()
    expect(page.get_by_test_id("borrower")).to_be_visible()
    officer.shot("07-borrower")
    page.go_back()
    detail, note = "玉米减产，收入下降", "借款人说下月初卖粮后还款"
    reason = officer.record_outcome("borrower", detail=detail, note=note, shot="08-outcome-form")
    assert reason
    page.get_by_test_id("promise").click()
    expect(page.get_by_test_id("promise-form")).to_be_visible()
    expect(page.locator("input[name=amount]")).not_to_have_value("")
    expect(page.locator("input[name=amount]")).to_have_attribute("inputmode", "decimal")
    page.fill("input[name=amount]", "1,500.50")
    promise_date = page.input_value("input[name=due_date]")
    officer.shot("09-promise-form")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("visit-promise")).to_contain_text("¥1,500.50")
    officer.check_out(shot="10-check-out-confirm")

    # Visit 2: check in, outcome, an instalment agreement signed on both canvases.
    officer.open_visit(second)
    officer.check_in()
    officer.record_outcome("family")
    page.get_by_test_id("sign-agreement").click()
    expect(page.get_by_test_id("agreement-terms")).to_be_visible()
    expect(page.locator("input[name=amount]")).not_to_have_value("")  # the loan's overdue amount
    principal_fen = int(Decimal(page.input_value("input[name=amount]")) * 100)
    page.fill("input[name=down_payment]", "100")
    expect(page.get_by_test_id("schedule-total")).to_be_visible()
    officer.shot("11-agreement-terms")
    page.get_by_test_id("to-sign").click()
    expect(page.get_by_test_id("agreement-sign")).to_be_visible()
    expect(page.get_by_test_id("sign")).to_be_disabled()
    officer.shot("12-agreement-unsigned")
    officer.draw("sig-borrower", 0)
    officer.draw("sig-officer", 1)
    expect(page.get_by_test_id("sign")).to_be_enabled()
    page.get_by_test_id("sig-officer").scroll_into_view_if_needed()
    officer.shot("13-agreement-signed")
    page.get_by_test_id("sign").click()
    page.locator("[data-confirm=yes]").click()
    expect(page.get_by_test_id("agreement-view")).to_be_visible()
    expect(page.locator(".sig-img")).to_have_count(2)
    officer.shot("14-agreement-read-only")
    page.go_back()
    expect(page.get_by_test_id("visit-agreement")).to_be_visible()
    officer.check_out()

    # Visit 3: check in, SOS, a change request, outcome, check out.
    officer.open_visit(third)
    officer.check_in()
    page.get_by_test_id("sos").click()
    expect(page.get_by_test_id("sos-screen")).to_be_visible()
    page.fill("input[name=message]", "狗很凶，需要支援")
    page.get_by_test_id("sos-send").click()
    expect(page.get_by_test_id("sos-state")).to_have_attribute("data-queued", "1")
    expect(page.get_by_test_id("call-branch")).to_have_attribute("href", "tel:05348221234")
    officer.shot("15-sos-queued")
    page.go_back()
    page.get_by_test_id("request-change").click()
    expect(page.get_by_test_id("change-form")).to_be_visible()
    page.locator("[data-value=reschedule]").click()
    proposed_date = page.input_value("input[name=proposed_date]")
    page.fill("textarea[name=reason]", "借款人外出务工，下周回来")
    officer.shot("16-change-request")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("visit")).to_be_visible()
    officer.record_outcome("nobody")
    officer.check_out()

    # --- Still offline: everything is queued; a reload loses nothing.
    officer.wait_pending(EXPECTED_ENTRIES)
    officer.expect_done(first, second, third)
    officer.shot("17-today-after-three-visits")
    page.reload()
    expect(page.get_by_test_id("today")).to_be_visible()
    officer.wait_pending(EXPECTED_ENTRIES)
    assert officer.pending() == EXPECTED_ENTRIES
    officer.expect_done(first, second, third)
    page.get_by_role("button", name="设置").click()
    expect(page.get_by_test_id("holdings-pending")).to_have_text(str(EXPECTED_ENTRIES))
    officer.shot("18-settings-offline")
    page.go_back()

    # --- Signal again: sync and the queue drains.
    phone.set_offline(False)
    page.get_by_test_id("sync-now").click()
    officer.wait_pending(0, timeout=30_000)
    expect(page.get_by_test_id("net")).to_have_text("在线")
    expect(page.get_by_test_id("rejected-banner")).to_have_count(0)
    officer.shot("19-today-synced")

    # English is complete: the core controls carry their English names.
    page.get_by_role("button", name="设置").click()
    page.get_by_role("radio", name="English").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    officer.shot("20-settings-en")
    page.go_back()
    expect(page.get_by_role("button", name="Sync now")).to_be_visible()
    officer.shot("21-today-en")
    page.locator(f"[data-testid=visit-card][data-visit-id='{visit_ids[3]}']").click()
    expect(page.get_by_role("button", name="Check in")).to_be_visible()
    expect(page.get_by_test_id("sos")).to_have_text("SOS")
    officer.shot("22-visit-en")
    assert errors == []

    # --- The server holds exactly what was entered.
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        rows = _pull_everything(client)
        visits = {vid: rows[("visit", vid)] for vid in (first, second, third)}
        for visit in visits.values():
            assert visit["status"] == "done"
            assert visit["checked_in_at"] and visit["checked_out_at"]
        assert visits[first]["last_outcome"]["contact"] == "borrower"
        assert visits[second]["last_outcome"]["contact"] == "family"
        assert visits[third]["last_outcome"]["contact"] == "nobody"

        borrower = rows[("borrower", visits[first]["borrower_id"])]
        contacts = borrower["recent_contacts"]
        outcomes = [c for c in contacts if c["kind"] == "visit" and c["text"] == detail]
        assert len(outcomes) == 1 and outcomes[0]["hardship_reasons"] == [reason]
        assert [c["text"] for c in contacts if c["kind"] == "note"] == [note]

        promises = [p for (kind, _), p in rows.items() if kind == "promise"]
        assert [(p["visit_id"], p["amount_fen"], p["due_date"]) for p in promises] == [
            (first, 150_050, promise_date)
        ]
        assert promises[0]["loan_id"] in visits[first]["loan_ids"]

        agreements = [a for (kind, _), a in rows.items() if kind == "agreement"]
        assert len(agreements) == 1
        agreement = agreements[0]
        assert agreement["visit_id"] == second
        assert agreement["principal_fen"] == principal_fen
        assert agreement["down_payment_fen"] == 10_000
        assert len(agreement["schedule"]) == 3
        assert sum(line["amount_fen"] for line in agreement["schedule"]) == principal_fen - 10_000
        assert agreement["status"] in ("pending_approval", "signed", "active")

        manager = _sign_in(client, *MANAGER)
        review = client.get(
            "/api/v1/review", headers={"Authorization": f"Bearer {manager['access_token']}"}
        )
        assert review.status_code == 200, review.text
        requests = [r for r in review.json()["change_requests"] if r["visit_id"] == third]
        assert [(r["kind"], r["proposed"].get("date")) for r in requests] == [
            ("reschedule", proposed_date)
        ]
        rejected = [m for m in review.json()["mutations"] if m["status"] == "rejected"]
        assert rejected == []

        officer_token = _sign_in(client, *OFFICER)
        devices = client.get(
            "/api/v1/devices",
            headers={"Authorization": f"Bearer {officer_token['access_token']}"},
        )
        assert devices.status_code == 200, devices.text
        processed = sorted(d["last_mutation_id"] for d in devices.json())
        assert processed[-1] == EXPECTED_ENTRIES

    # No API lists SOS alerts yet: read the server's table directly (see pwa/README.md).
    engine = sa.create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            alerts = conn.execute(
                sa.text("SELECT visit_id, message, lat, lon FROM safety_alert WHERE kind = 'sos'")
            ).all()
    finally:
        engine.dispose()
    assert len(alerts) == 1
    visit_id, message, lat, lon = alerts[0]
    assert str(visit_id).replace("-", "") == third.replace("-", "")
    assert message == "狗很凶，需要支援"
    assert abs(lat - PHONE_POSITION["latitude"]) < 1e-4
    assert abs(lon - PHONE_POSITION["longitude"]) < 1e-4
