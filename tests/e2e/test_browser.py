"""The grid map in a real browser (Debian's Chromium, headless), as a grid leader and as a district admin."""

import json
import urllib.request

import pytest

from .conftest import ARTIFACTS


def login(browser, base, username, width=1366, height=800):
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    page.goto(base + "/map/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/map/")
    page.wait_for_function("() => document.getElementById('status').dataset.count !== undefined")
    return page


def api(page, path):
    return page.evaluate(f"fetch({json.dumps(path)}).then(r => r.json())")


def test_demo_prints_every_account(server):
    _, out = server
    for username in ["admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader",
                     "gridworker", "handler", "resident"]:
        assert username in out


def test_grid_leader_sees_own_community_and_clicks_a_grid(server, browser):
    base, _ = server
    page = login(browser, base, "gridleader")
    assert "管辖范围：多福巷社区居委会" in page.inner_text("header")
    fc = api(page, "/api/v1/grids?layer=unit")
    n = len(fc["features"])
    assert n > 0 and {f["properties"]["community_code"] for f in fc["features"]} == {"110101001001"}
    assert page.inner_text("#status") == f"共 {n} 个网格"
    # click the middle of one grid on the canvas and read the panel
    target = max(fc["features"], key=lambda f: f["properties"]["area_m2"])
    ring = target["geometry"]["coordinates"][0]
    lon = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
    lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
    expected = api(page, f"/api/v1/locate?lon={lon}&lat={lat}")["unit_grid"]
    xy = page.evaluate(f"(() => {{ const p = window.gridgovMap.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.wait_for_selector("[data-testid=grid-code]")
    assert page.inner_text("[data-testid=grid-code]") == expected
    info = page.inner_text("#info")
    assert "多福巷社区居委会" in info and "网格类别" in info and "五定人员" in info and "专职网格员" in info
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-gridleader-1366.png"))
    # switch layers
    page.get_by_label("管理网格").check()
    page.wait_for_function(f"() => document.getElementById('status').dataset.count != '{n}'")
    m = len(api(page, "/api/v1/grids?layer=management")["features"])
    assert page.inner_text("#status") == f"共 {m} 个网格" and 0 < m < n
    page.close()


def test_admin_sees_the_whole_district_on_a_phone(server, browser):
    base, _ = server
    page = login(browser, base, "admin", width=360, height=740)
    n = int(page.locator("#status").get_attribute("data-count"))
    assert 3500 < n < 6000
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no horizontal scrolling at 360 px"
    # (not full_page: that stretches the 60vh map while Leaflet is drawing, a screenshot artefact)
    page.screenshot(path=str(ARTIFACTS / "map-admin-360.png"))
    page.close()


def test_no_request_leaves_the_machine(server, browser):
    base, _ = server
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/dashboard/")  # the leader's home: ECharts and Leaflet, both served from here
    page.wait_for_load_state("networkidle")
    page.goto(base + "/map/")
    page.wait_for_function("() => document.getElementById('status').dataset.count !== undefined")
    assert outside == []
    page.close()


def test_wrong_password_is_said_in_chinese(server, browser):
    base, _ = server
    page = browser.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("nope")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码错误" in page.inner_text("[role=alert]")
    page.close()
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(base + "/api/v1/tree")
    assert e.value.code == 401
