"""Base map and addresses in a real browser against `gridgov demo` + `gridgov serve` (#11 done-when):
- a map with an offline tile archive configured (the demo's DATA_DIR/tiles/demo-offline.mbtiles) shows its
  tiles, loaded from /tiles/… on our own server — nothing is fetched from the internet;
- the address search box finds a building and centres the map on it;
- a tap on the residents' report map fills the address field with the nearest address."""

import json
import urllib.parse
import urllib.request

from playwright.sync_api import expect

from .conftest import ARTIFACTS

SLOW = 20_000


def _public(server, path):
    base, _ = server
    with urllib.request.urlopen(base + path) as r:
        return json.load(r)


def _watch(page, base):
    outside, errors = [], []
    local = (base, "data:", "blob:" + base)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(local) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return outside, errors


def _sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _tiles_loaded(page, prefix: str) -> int:
    return page.evaluate("""(prefix) => [...document.querySelectorAll('img.leaflet-tile')]
        .filter((i) => new URL(i.src).pathname.startsWith(prefix) && i.complete && i.naturalWidth > 0).length""",
                         prefix)


def test_offline_tiles_and_address_search_on_the_grid_map(server, browser):
    base, printed = server
    assert "离线底图" in printed  # the demo built its archive
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "basemap-demo.txt").write_text(
        "\n".join(line for line in printed.splitlines() if line.startswith(("地址", "离线底图"))), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    outside, errors = _watch(page, base)
    _sign_in(page, base, "admin")
    page.goto(base + "/map/")
    expect(page.locator("#map")).to_have_attribute("data-basemap", "demo-offline", timeout=SLOW)
    page.wait_for_function("""() => [...document.querySelectorAll('img.leaflet-tile')]
        .some((i) => i.src.includes('/tiles/demo-offline/') && i.complete && i.naturalWidth > 0)""", timeout=SLOW)
    assert _tiles_loaded(page, "/tiles/demo-offline/") >= 1
    # the layer switcher offers our own data as a base too
    assert page.locator(".leaflet-control-layers-base label", has_text="辖区底图").count() == 1

    # a building of the demo, found by a part of its address
    item = _public(server, "/addresses/search.json?q=" + urllib.parse.quote("号"))["items"][0]
    box = page.get_by_test_id("address-search")
    box.fill(item["text"])
    expect(page.locator(".bm-search-results button").first).to_be_visible(timeout=SLOW)
    box.press("Enter")
    expect(page.locator("#map")).to_have_attribute("data-found", item["code"], timeout=SLOW)
    centre = page.evaluate("(() => { const c = window.gridgovMap.getCenter(); return [c.lng, c.lat]; })()")
    assert abs(centre[0] - item["lon"]) < 1e-6 and abs(centre[1] - item["lat"]) < 1e-6
    assert page.evaluate("window.gridgovMap.getZoom()") >= 17
    # beyond the archive's last zoom (15) its tiles are drawn enlarged, with our names over them
    page.wait_for_function("""() => [...document.querySelectorAll('img.leaflet-tile')]
        .some((i) => i.src.includes('/tiles/demo-offline/15/') && i.complete && i.naturalWidth > 0)""", timeout=SLOW)
    expect(page.locator(".bm-label").first).to_be_attached(timeout=SLOW)
    page.screenshot(path=str(ARTIFACTS / "basemap-grid-map.png"))
    context.close()
    assert outside == [], "nothing is fetched from the internet"
    assert errors == [], f"script errors: {errors}"


def test_a_tap_fills_the_nearest_address_on_the_residents_report(server, browser):
    base, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="zh-CN", has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    outside, errors = _watch(page, base)
    item = _public(server, "/addresses/search.json?q=" + urllib.parse.quote("号"))["items"][1]
    page.goto(base + "/r/report/")
    expect(page.locator("#report-map")).to_have_attribute("data-ready", "1", timeout=SLOW)
    page.evaluate("([lat, lon]) => window.gridgovReportMap.setView([lat, lon], 18, { animate: false })",
                  [item["lat"], item["lon"]])
    x, y = page.evaluate("""([lat, lon]) => { const p = window.gridgovReportMap.latLngToContainerPoint([lat, lon]);
        const r = document.getElementById('report-map').getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }""",
                         [item["lat"], item["lon"]])
    page.mouse.click(x, y)
    expect(page.locator("#id_address")).to_have_value(item["text"], timeout=SLOW)
    # a typed address is the person's own: another tap does not overwrite it
    page.locator("#id_address").fill("我自己写的地址")
    lon_before = page.locator("input[name=lon]").input_value()
    page.locator("#report-map").scroll_into_view_if_needed()  # filling the field scrolled the page: measure again
    x, y = page.evaluate("""([lat, lon]) => { const p = window.gridgovReportMap.latLngToContainerPoint([lat, lon]);
        const r = document.getElementById('report-map').getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }""",
                         [item["lat"], item["lon"]])
    page.mouse.click(x + 40, y + 20)
    expect(page.locator("input[name=lon]")).not_to_have_value(lon_before, timeout=SLOW)
    expect(page.locator("#id_address")).to_have_value("我自己写的地址")
    page.screenshot(path=str(ARTIFACTS / "basemap-resident-report.png"))
    context.close()
    assert outside == [], "nothing is fetched from the internet"
    assert errors == [], f"script errors: {errors}"
