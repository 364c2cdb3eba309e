"""Effectiveness in the console: after an officer's visits (sent through the sync API as the
phone sends them), the KPIs for the period by officer, bucket and segment, side by side;
one chart per question with its numbers and its table; the hardship reasons; the API's
CSV/XLSX exports; and the console in English."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Server, api_phone, sign_in

pytestmark = pytest.mark.e2e

MANAGER = ("manager", "demo-manager")


def shot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"console-{name}.png"))


def two_visits_done(server: Server) -> str:
    """officer3 completes the last two visits of the route: met, a hardship reason, a promise."""
    phone = api_phone(server, "officer3")
    try:
        me = next(vid for (kind, vid) in phone.local if kind == "officer")
        visits = sorted(
            (
                (vid, row["data"])
                for (kind, vid), row in phone.local.items()
                if kind == "visit" and row["data"]["status"] == "planned"
            ),
            key=lambda v: v[1]["route_position"] or 0,
        )[-2:]
        now = datetime.now(UTC)
        for vid, visit in visits:
            borrower = phone.local[("borrower", visit["borrower_id"])]["data"]
            here: dict[str, Any] = {
                "lat": borrower["lat"],
                "lon": borrower["lon"],
                "accuracy_m": 10,
            }
            others = [o for o in visit["officer_ids"] if o != me]
            phone.queue(
                "visit.check_in", visit_id=vid, at=now, location=here, co_visitor_ids=others
            )
            phone.queue(
                "visit.record_outcome",
                outcome_id=str(uuid.uuid4()),
                visit_id=vid,
                contact="borrower",
                hardship_reasons=["illness"],
                hardship_detail="",
                next_action="await_payment",
                at=now,
            )
            phone.queue(
                "promise.create",
                promise_id=str(uuid.uuid4()),
                visit_id=vid,
                loan_id=visit["loan_ids"][0],
                amount_fen=50_000,
                due_date=(now + timedelta(days=7)).date().isoformat(),
                at=now,
            )
            phone.queue("visit.check_out", visit_id=vid, at=now, location=here)
        phone.sync()
        assert all(s in ("applied", "flagged") for s in phone.results.values()), phone.results
        return me
    finally:
        phone.client.close()


def test_read_the_report(desk: BrowserContext, console_server: Server, screenshots: Path) -> None:
    officer_id = two_visits_done(console_server)
    page = desk.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, *MANAGER)
    expect(page.get_by_test_id("console")).to_be_visible()
    page.get_by_test_id("nav-reports").click()

    # By officer (the default): every KPI side by side, in name order (no ranking).
    row = page.locator(f"[data-testid=kpi-row][data-group='{officer_id}']")
    expect(row).to_contain_text("杨兰英")
    cells = row.locator("td").all_inner_texts()
    assert int(cells[2]) >= 2  # visits completed
    assert cells[3] == "100.0%"  # contact rate: both met
    assert cells[4] == "100.0%"  # PTP rate: both promised
    headers = page.locator("[data-testid=kpi-table] thead th").all_inner_texts()
    for name in (
        "接触率",
        "承诺率",
        "承诺兑现率",
        "30天回收率",
        "30天恢复率",
        "每次走访公里",
        "回收金额",
    ):
        assert any(name in h for h in headers), (name, headers)
    names = page.locator("[data-testid=kpi-row] td:first-child").all_inner_texts()
    assert names == sorted(names, key=lambda n: n.encode("gb18030"))  # pinyin-ish, not by value

    # One chart per question, the numbers written on it and its table one click away.
    charts = page.get_by_test_id("chart")
    expect(charts).to_have_count(8)  # seven KPI questions and the hardship reasons
    contact = page.locator("[data-chart=contact_rate]")
    expect(contact.locator("h3")).to_have_text("完成的走访中，有多少见到了借款人本人？")
    expect(contact.get_by_test_id("chart-values")).to_contain_text("杨兰英 100.0%")
    shot(page, screenshots, "30-reports-officers")
    contact.get_by_test_id("chart-toggle").click()
    table = contact.get_by_test_id("chart-table")
    expect(table).to_contain_text("杨兰英")
    expect(table).to_contain_text("100.0%")
    hardship = page.locator("[data-chart=hardship]")
    expect(hardship.get_by_test_id("chart-values")).to_contain_text("疾病")
    expect(page.get_by_test_id("hardship-table")).to_contain_text("100.0%")
    expect(page.get_by_test_id("compliance")).to_be_visible()

    # The API's exports of what is shown: CSV (Excel reads the BOM) and XLSX.
    kpis = page.get_by_test_id("kpi-table")
    with page.expect_download() as csv_file:
        kpis.get_by_test_id("export-csv").click()
    assert csv_file.value.suggested_filename.startswith("kpis-officer-")
    text = Path(csv_file.value.path()).read_text(encoding="utf-8-sig")
    assert "接触率" in text and "杨兰英" in text
    with page.expect_download() as xlsx_file:
        kpis.get_by_test_id("export-xlsx").click()
    assert xlsx_file.value.suggested_filename.endswith(".xlsx")
    assert Path(xlsx_file.value.path()).read_bytes()[:2] == b"PK"

    # By DPD bucket and by segment; the whole branch as figures.
    page.get_by_test_id("group-bucket").click()
    expect(page.get_by_test_id("kpi-row").first).to_contain_text("M")
    page.get_by_test_id("group-segment").click()
    expect(page.get_by_test_id("kpi-table")).to_contain_text("农户")
    shot(page, screenshots, "31-reports-segments")
    page.get_by_test_id("group-all").click()
    expect(page.get_by_test_id("kpi-tiles")).to_be_visible()

    # English is complete: the navigation and the report in English.
    page.get_by_test_id("nav-settings").click()
    page.get_by_role("radio", name="English").click()
    expect(page.get_by_test_id("nav-reports")).to_contain_text("Reports")
    page.get_by_test_id("nav-reports").click()
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    expect(page.locator("[data-chart=contact_rate] h3")).to_have_text(
        "How often did a completed visit meet the borrower?"
    )
    shot(page, screenshots, "32-reports-en")
    page.get_by_test_id("nav-settings").click()
    page.get_by_role("radio", name="中文").click()
    expect(page.get_by_test_id("nav-reports")).to_contain_text("效果报表")
    assert errors == []
