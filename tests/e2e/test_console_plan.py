"""The manager plans a day in the console: candidates chosen by hand, two teams, the routes
on the map (no tiles) and as lists, a visit moved and pinned, re-optimised, published, and
the plan on the phone of the team that got the moved visit."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

MANAGER = ("manager", "demo-manager")


def shot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"console-{name}.png"))


def test_plan_a_day_with_two_teams(
    desk: BrowserContext, console_phone: BrowserContext, screenshots: Path
) -> None:
    page = desk.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, *MANAGER)
    expect(page.get_by_test_id("console")).to_be_visible()
    page.get_by_test_id("nav-plan").click()
    expect(page.get_by_test_id("plan-screen")).to_be_visible()

    # Candidates with scores and reasons; pick the first eight by hand.
    rows = page.get_by_test_id("candidate")
    expect(rows.first).to_be_visible()
    expect(rows.first.locator("[data-code=dpd]")).to_contain_text("逾期")
    scores = [int(s) for s in page.get_by_test_id("score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)  # highest priority first
    for i in range(8):
        rows.nth(i).get_by_test_id("select-row").check()
    expect(page.get_by_test_id("new-plan")).to_contain_text("已选 8 位借款人")

    # A filter narrows the list (server side) without losing the selection.
    page.locator("select[name=bucket]").select_option("M2")
    expect(rows.first.locator(".bucket")).to_have_text("M2")
    expect(page.get_by_test_id("new-plan")).to_contain_text("已选 8 位借款人")
    page.locator("select[name=bucket]").select_option("")

    # Two teams of two (the branch policy asks for two on every visit), lead first.
    team1 = page.locator("[data-testid=team][data-team='1']")
    team1.locator("[data-username=officer1]").click()
    team1.locator("[data-username=officer2]").click()
    page.get_by_test_id("add-team").click()
    team2 = page.locator("[data-testid=team][data-team='2']")
    team2.locator("[data-username=officer3]").click()
    team2.locator("[data-username=officer4]").click()
    expect(team2.locator("[data-username=officer1]")).to_be_disabled()
    page.fill("input[name=time_limit_s]", "1")
    shot(page, screenshots, "01-plan-candidates")
    page.get_by_test_id("create-plan").click()

    # The optimised routes: on the map (two coloured lines, no tiles) and as lists.
    plan = page.get_by_test_id("plan")
    expect(plan).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("plan-status")).to_have_text("草稿")
    the_map = page.get_by_test_id("route-map")
    expect(the_map).to_have_attribute("data-ready", "1")
    expect(the_map).to_have_attribute("data-routes", "2")
    expect(the_map).to_have_attribute("data-tiles", "0")
    expect(the_map.locator("path.route-line")).to_have_count(2)
    colours = set(
        the_map.locator("path.route-line").evaluate_all(
            "ps => ps.map(p => p.getAttribute('stroke'))"
        )
    )
    assert len(colours) == 2
    expect(the_map.locator(".m-branch")).to_have_count(1)
    routes = page.get_by_test_id("route")
    expect(routes).to_have_count(2)
    stops = page.get_by_test_id("stop")
    planned = set(stops.evaluate_all("els => els.map(e => e.dataset.visitId)"))
    left_out = page.get_by_test_id("left-out-row").count()
    assert len(planned) + left_out == 8
    expect(the_map.locator(".m-stop")).to_have_count(len(planned))
    for route in routes.all():
        expect(route.get_by_test_id("route-distance")).to_contain_text("公里")
        expect(route).to_contain_text("用时")
    expect(page.get_by_test_id("saved-km")).to_contain_text("公里")
    shot(page, screenshots, "02-plan-routes")

    # Move the first visit of team 1 to team 2 and pin it there.
    first_route = routes.nth(0)
    moved = first_route.get_by_test_id("stop").first.get_attribute("data-visit-id")
    first_route.get_by_test_id("stop").first.get_by_test_id("move").click()
    dialog = page.get_by_test_id("move-dialog")
    dialog.locator("input[type=radio]:not(:checked)").first.check()
    shot(page, screenshots, "03-plan-move")
    dialog.locator("[data-confirm=yes]").click()
    expect(dialog).to_have_count(0)
    moved_stop = page.locator(f"[data-testid=stop][data-visit-id='{moved}']")
    expect(moved_stop).to_have_attribute("data-pinned", "1")
    expect(routes.nth(1).locator(f"[data-visit-id='{moved}']")).to_have_count(1)

    # Re-optimise: the pinned visit stays with its new team.
    page.get_by_test_id("optimise").click()
    expect(page.locator(".toast")).to_contain_text("重新优化", timeout=60_000)
    team_of_moved = routes.filter(has=page.locator(f"[data-visit-id='{moved}']"))
    expect(team_of_moved).to_have_count(1)
    expect(team_of_moved).to_contain_text("杨兰英")

    # Publish (asks once).
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("发布")
    page.locator("[data-confirm=yes]").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("已发布")
    expect(page.get_by_test_id("publish")).to_be_disabled()
    expect(the_map.locator(".m-stop")).to_have_count(len(planned))
    expect(the_map.locator(".m-stop.pinned")).to_have_count(1)
    shot(page, screenshots, "04-plan-published")
    plan_date = page.input_value("input[name=plan_date]")
    team2_visits = set(
        team_of_moved.get_by_test_id("stop").evaluate_all("els => els.map(e => e.dataset.visitId)")
    )

    # The plan on the phone of team 2's lead: that day's visits are exactly the route's.
    phone = console_phone.new_page()
    sign_in(phone, "officer3", "demo-officer")
    expect(phone.get_by_test_id("today")).to_be_visible()
    expect(phone.get_by_test_id("visit-card").first).to_be_visible()
    phone.goto(f"/#/?date={plan_date}")
    cards = phone.get_by_test_id("visit-card")
    expect(cards).to_have_count(len(team2_visits))
    on_phone = set(cards.evaluate_all("els => els.map(e => e.dataset.visitId)"))
    assert on_phone == team2_visits
    assert moved in on_phone
    phone.screenshot(path=str(screenshots / "console-05-plan-on-phone.png"))
    assert errors == []
