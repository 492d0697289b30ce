"""统计分析 in a real browser against `gridgov demo` + `gridgov serve` (issue #16's Done-when): a leader picks last
quarter, drills into a street, and exports the table — the .xlsx (opened with openpyxl) holds the rows and the
numbers the page shows."""

import datetime as dt
import io
import re

import openpyxl
from playwright.sync_api import expect

from .test_dashboard_browser import shot, sign_in


def test_last_quarter_drill_into_a_street_and_export(server, browser):
    base, _ = server
    page, outside = sign_in(browser, base, "leader", 1366)
    page.goto(base + "/dashboard/figures/")
    expect(page.get_by_role("heading", name="统计分析")).to_be_visible()
    page.locator("#an-last-quarter").click()
    page.wait_for_load_state("networkidle")
    today = dt.date.today()
    q = (today.month - 1) // 3
    label = f"{today.year - (q == 0)}-Q{q or 4}"
    expect(page.locator("[data-k=period]")).to_have_text(label)
    page.locator('a[data-drill="110101001"]').click()  # 东华门街道
    page.wait_for_load_state("networkidle")
    assert "within=110101001" in page.url and "level=community" in page.url
    expect(page.locator("[data-k=period]")).to_have_text(label)
    expect(page.locator('a[data-crumb="110101001"]')).to_be_visible()
    codes = page.locator("#figures-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes and all(re.fullmatch(r"110101001\d{3}", c) for c in codes), codes
    shown = {c: page.locator(f'#figures-table tr[data-code="{c}"] td').evaluate_all(
        "cells => cells.slice(0, 6).map(td => Number(td.textContent))") for c in codes}
    page.wait_for_function("() => document.getElementById('trend').dataset.drawn === '1'")
    shot(page, "analytics-last-quarter-street")
    with page.expect_download() as d:
        page.locator("#an-export").click()
    wb = openpyxl.load_workbook(io.BytesIO(open(d.value.path(), "rb").read()))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("代码", "社区", "上报")
    sheet = {r[0]: list(r[2:8]) for r in rows[1:] if r and r[0] in shown}
    assert sheet == shown, "the sheet holds what the page shows"
    assert rows[-1][1] == "合计"
    assert outside == [], "no request left the site"
