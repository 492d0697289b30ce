"""A patrol in a real browser (Chromium, phone-sized) against a real `gridgov demo` + `gridgov serve`: the grid worker
checks in inside their grid, walks part of it (simulated positions), loses the network and walks on (the positions
wait on the phone, nothing reaches the server), the phone's position leaps across the grid once, the network comes
back (everything is sent, once), the worker checks out; the street's supervisor then sees the track, the unit grids
it covered and exactly one anomaly (the leap: 速度异常)."""

import json
import urllib.request

from playwright.sync_api import expect
from shapely.geometry import LineString, shape

from .conftest import ARTIFACTS

PHONE = {"width": 360, "height": 740}
SLOW = 20_000
STEP_M = 15  # a step between positions: more than the phone's 10 m, less than the 50 m a speed is judged over


def token_of(base, username):
    req = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                 data=json.dumps({"username": username, "password": "gridgov-demo"}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["token"]


def api(base, token, path):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()


def walk_line(grid_geometry) -> list[tuple[float, float]]:
    """Positions every ~STEP_M metres along the longest west→east chord through the grid's middle, inside it."""
    poly = shape(grid_geometry)
    c = poly.representative_point()
    minx, _, maxx, _ = poly.bounds
    chord = LineString([(minx - 0.001, c.y), (maxx + 0.001, c.y)]).intersection(poly.buffer(-0.00008))
    parts = list(getattr(chord, "geoms", [chord]))
    line = max(parts, key=lambda g: g.length)
    metres = line.length * 85_000  # a degree of longitude at 39.9° N ≈ 85 km
    n = max(12, int(metres // STEP_M))
    return [(p.x, p.y) for p in (line.interpolate(i / n, normalized=True) for i in range(n + 1))]


def test_a_patrol_with_the_network_lost_on_the_way(server, browser):
    base, _ = server
    worker_token = token_of(base, "gridworker")
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True,
                                  permissions=["geolocation"])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, "gridworker")
    page.wait_for_url(base + "/cases/field/")
    page.get_by_role("link", name="在岗巡查（签到、签退、轨迹、请假）").click()
    page.wait_for_url(base + "/cases/field/patrol/")
    config = json.loads(page.locator("#patrol-config").text_content())
    path = walk_line(config["grid"]["features"][0]["geometry"])
    assert len(path) >= 12
    context.set_geolocation({"longitude": path[0][0], "latitude": path[0][1], "accuracy": 8})

    page.get_by_role("button", name="上班签到").click()
    expect(page.get_by_test_id("duty-state")).to_contain_text("在岗中", timeout=SLOW)

    recorded = page.locator("#pt-recorded")
    waiting = page.get_by_test_id("waiting")
    # the watch's first position (where the worker checked in) is the track's first point
    page.wait_for_function("() => +document.getElementById('pt-recorded').textContent >= 1", timeout=SLOW)

    def go(points):
        for lon, lat in points:
            before = int(recorded.text_content())
            context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 8})
            page.wait_for_function(f"() => +document.getElementById('pt-recorded').textContent > {before}",
                                   timeout=SLOW)

    third = len(path) // 3
    go(path[1:third])  # online: sent as it goes
    expect(waiting).to_have_text("0", timeout=SLOW)
    shift = api(base, worker_token, "/api/v1/patrol/shifts?limit=1")["items"][0]
    sent_online = shift["points"]
    assert shift["ended_at"] is None and sent_online >= len(path[1:third]) + 1

    context.set_offline(True)
    go(path[third:2 * third])  # offline: kept on the phone
    go([path[0]])  # the position leaps back across the grid in no time
    go(path[1:4])
    kept = int(waiting.text_content())
    assert kept >= len(path[third:2 * third]) + 4  # (+ a timer's point if the 30 s interval passed meanwhile)
    expect(page.locator("#pt-offline")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "patrol-offline-360.png"), full_page=True)
    assert api(base, worker_token, "/api/v1/patrol/shifts?limit=1")["items"][0]["points"] == sent_online

    context.set_offline(False)  # the `online` event sends what waited
    expect(waiting).to_have_text("0", timeout=SLOW)
    total = int(recorded.text_content())
    assert api(base, worker_token, "/api/v1/patrol/shifts?limit=1")["items"][0]["points"] == total

    page.get_by_role("button", name="下班签退").click()
    page.wait_for_function("() => document.getElementById('duty-state').textContent.includes('已签退')"
                           " || !document.getElementById('pt-error').hidden", timeout=60_000)
    assert page.locator("#pt-error").is_hidden(), page.locator("#pt-error").text_content()
    expect(page.get_by_test_id("duty-state")).to_contain_text("已签退")
    done = api(base, worker_token, "/api/v1/patrol/shifts?limit=1")["items"][0]
    assert done["id"] == shift["id"] and done["ended_at"] and done["points"] >= total + 1  # + the check-out's
    assert done["units_visited"] >= 2
    assert errors == [], f"script errors: {errors}"
    context.close()

    # the street's supervisor: the shift on the first patrol screen, then its track, coverage and one anomaly
    desk = browser.new_context(locale="zh-CN")
    page = desk.new_page()
    desk_errors = []
    page.on("pageerror", lambda e: desk_errors.append(str(e)))
    page.on("console", lambda m: desk_errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "supervisor")
    page.goto(base + "/patrol/")
    expect(page.get_by_test_id("coverage")).to_contain_text("110101001001W001")
    page.locator(f'a[href="/patrol/shifts/{shift["id"]}/"]').first.click()
    page.wait_for_url(base + f"/patrol/shifts/{shift['id']}/")
    data = json.loads(page.locator("#track-data").text_content())
    assert len(data["track"]) == done["points"]
    assert sum(f["properties"]["visited"] for f in data["units"]["features"]) == done["units_visited"]
    expect(page.get_by_test_id("units-visited")).to_have_text(str(done["units_visited"]))
    expect(page.get_by_test_id("anomaly-count")).to_have_text("1")
    expect(page.get_by_test_id("anomalies")).to_contain_text("速度异常")
    page.wait_for_load_state("load")
    assert desk_errors == [], f"script errors on the track page: {desk_errors}"
    page.wait_for_function("() => window.gridgovTrackMap !== undefined")
    page.locator("#track-play").fill(str(total // 2))
    expect(page.locator("#track-time")).to_contain_text(f"第 {total // 2 + 1} / {done['points']} 个位置")
    page.screenshot(path=str(ARTIFACTS / "patrol-supervisor-track.png"), full_page=True)
    desk.close()
