"""The leader dashboard and the department inbox in a real browser (Debian's Chromium, headless) against a real
`gridgov demo` + `gridgov serve`: each post lands on its page after signing in, the ECharts trend is drawn on its
canvas, the map shows the open cases, tables sort, phones (360 px) scroll only vertically; screenshots."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS


def sign_in(browser, base, username, width):
    """Open the site's root, sign in, and follow the redirect to the post's home; fail on any outside request."""
    page = browser.new_page(viewport={"width": width, "height": 800 if width > 500 else 740}, locale="zh-CN")
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(base + "/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    return page, outside


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "horizontal scroll"


@pytest.mark.parametrize("width", [1366, 360])
def test_leader_lands_on_the_dashboard_with_trend_and_map(server, browser, width):
    base, _ = server
    page, outside = sign_in(browser, base, "leader", width)
    assert page.url == base + "/dashboard/"
    expect(page.get_by_role("heading", name="领导看板")).to_be_visible()
    page.wait_for_function("() => document.getElementById('trend').dataset.drawn === '1'")
    # the trend is drawn: ECharts' canvas has a size and is not blank
    canvas = page.locator("#trend canvas").first
    expect(canvas).to_be_visible()
    painted = page.evaluate("""() => { const c = document.querySelector('#trend canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return [c.width, c.height, n]; }""")
    assert painted[0] > 200 and painted[1] > 150 and painted[2] > 1000, painted
    # the map: a circle marker for every management grid with open cases, drawn on Leaflet's canvas
    markers = int(page.locator("#dbmap").get_attribute("data-markers"))
    sent = page.evaluate("JSON.parse(document.getElementById('grid-data').textContent).length")
    assert markers == sent > 0
    expect(page.locator("#dbmap .leaflet-overlay-pane canvas")).to_be_visible()
    assert page.evaluate("Object.keys(window.gridgovDashboardMap._layers).length") > markers
    # headline numbers are there
    for label in ["上报", "立案", "结案", "按期结案率", "返工率", "超期在办"]:
        expect(page.locator(".db-card dt", has_text=label).first).to_be_visible()
    if width == 1366:
        # sort the streets by 结案, most first
        page.locator("#by-street").get_by_role("button", name="结案", exact=True).click()
        values = [int(v) for v in page.locator("#by-street tbody td[data-k=closed]").all_inner_texts()]
        assert values == sorted(values, reverse=True) and len(values) == 17
        expect(page.locator("#by-street thead th[aria-sort=descending]")).to_have_text("结案")
    else:
        no_horizontal_scroll(page)
    page.locator("#trend").scroll_into_view_if_needed()
    shot(page, f"dashboard-{width}")
    page.close()
    assert outside == [], "nothing is fetched from the internet"


@pytest.mark.parametrize("width", [1366, 360])
def test_handler_lands_on_the_inbox(server, browser, width):
    base, _ = server
    page, outside = sign_in(browser, base, "handler", width)
    assert page.url == base + "/cases/inbox/"
    expect(page.get_by_role("heading", name=re.compile("部门待办"))).to_be_visible()
    for label in ["待签收", "办理中", "返工", "待审批申请", "挂账中", "已处置待核查"]:
        expect(page.locator(".ib-tabs a", has_text=label)).to_be_visible()
    # the tab with the most cases, its rows linking to the case page
    counts = {t: int(n) for t, n in zip(
        page.locator(".ib-tabs a").evaluate_all("els => els.map(e => e.dataset.tab)"),
        page.locator(".ib-tabs .n").all_inner_texts(), strict=True)}
    busiest = max(counts, key=counts.get)
    assert counts[busiest] > 0, "the demo gives the handler's department some cases"
    page.locator(f'.ib-tabs a[data-tab="{busiest}"]').click()
    page.wait_for_url(f"**/cases/inbox/?tab={busiest}")
    rows = page.locator("#inbox-rows > li")
    assert rows.count() == min(counts[busiest], 100)
    first = rows.first.locator(".ib-main a").first
    number = first.inner_text()
    if width == 360:
        no_horizontal_scroll(page)
    shot(page, f"inbox-{width}")
    first.click()
    page.wait_for_url(f"**/cases/{number}/")
    page.close()
    assert outside == []
