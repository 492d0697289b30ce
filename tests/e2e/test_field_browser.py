"""The grid worker's phone in a real browser at 360×740 (Debian's Chromium, headless) against a real `gridgov demo`
+ `gridgov serve`: sign in and land on 我的任务, report with a tap on the map and a photo (resized on the phone
before upload), find the matter by pinyin initials; then report with no network: the report waits on the phone
(待发送), nothing reaches the server, and when the network is back it is sent — exactly one case."""

import io
import json
import re
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from shapely.geometry import shape

from .conftest import ARTIFACTS

PHONE = {"width": 360, "height": 740}
SLOW = 20_000  # ms: resizing a photo or filing a report on a busy machine can take longer than expect's 5 s


def api_token(server, username: str) -> str:
    """An API token of a demo account, to look at the server from outside the browser."""
    base, _ = server
    req = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                 data=json.dumps({"username": username, "password": "gridgov-demo"}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["token"]


@pytest.fixture(scope="module")
def token(server):
    return api_token(server, "gridworker")


def api(server, token, path):
    base, _ = server
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as r:
        body = r.read()
        return json.loads(body) if r.headers.get_content_type() == "application/json" else body


def cases_described(server, token, text) -> list[dict]:
    return api(server, token, "/api/v1/cases?limit=50&q=" + urllib.parse.quote(text))["items"]


@contextmanager
def signed_in_phone(server, browser, username: str):
    """A phone-sized browser context signed in as a demo field account (lands on 我的任务); fails on any request
    off the machine and on any script error."""
    base, _ = server
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    page = context.new_page()
    outside, errors = [], []
    local = (base, "blob:" + base, "data:")  # blob: the thumbnails of photos resized on the phone
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(local) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/cases/field/")
    yield context, page
    context.close()
    assert outside == [], "nothing is fetched from the internet"
    assert errors == [], f"script errors: {errors}"


@pytest.fixture
def phone(server, browser):
    with signed_in_phone(server, browser, "gridworker") as p:
        yield p


def fits(page, name: str) -> None:
    """No horizontal scrolling; a full-page screenshot to look at."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: horizontal scroll"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def big_photo(width=3000, height=2000) -> bytes:
    """A camera-sized JPEG with some detail (so that size, not only dimensions, has to come down)."""
    img = Image.new("RGB", (width, height), (120, 140, 160))
    d = ImageDraw.Draw(img)
    for i in range(0, width, 37):
        d.line([(i, 0), (width - i, height)], fill=((i * 7) % 256, (i * 3) % 256, (i * 11) % 256), width=5)
    for j in range(0, height, 53):
        d.rectangle([(j, j // 2), (j + 90, j // 2 + 60)], outline=(255, 255 - j % 256, 0), width=4)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def tap_inside_my_grid(page) -> None:
    """Tap the map at an inner point of the grid worker's management grid (drawn from the page's own data)."""
    data = json.loads(page.locator("#map-data").text_content())
    assert data["grids"]["features"], "the grid worker's grid is on the map"
    p = shape(data["grids"]["features"][0]["geometry"]).representative_point()
    page.wait_for_function("() => window.gridgovReportMap !== undefined")
    xy = page.evaluate(f"(() => {{ const p = window.gridgovReportMap.latLngToContainerPoint([{p.y}, {p.x}]); "
                       f"return [p.x, p.y]; }})()")
    box = page.locator("#report-map").bounding_box()
    page.touchscreen.tap(box["x"] + xy[0], box["y"] + xy[1])


def test_grid_worker_reports_with_a_map_tap_and_a_photo(server, phone, token):
    base, _ = server
    context, page = phone
    expect(page.get_by_role("heading", name="我的任务", exact=True)).to_be_visible()
    page.get_by_role("link", name="上报问题").first.click()
    page.wait_for_url(base + "/cases/field/report/")

    # keyboard: Enter on the focused map takes its centre
    page.wait_for_function("() => window.gridgovReportMap !== undefined")
    page.locator("#report-map").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[name=lon]")).not_to_have_value("")

    # position: a tap on the map, located to my grid and shown back
    tap_inside_my_grid(page)
    lon, lat = float(page.locator("[name=lon]").input_value()), float(page.locator("[name=lat]").input_value())
    expected = api(server, token, f"/api/v1/locate?lon={lon}&lat={lat}")
    assert expected["management_grid"] == "110101001001W001"
    expect(page.locator("#where")).to_contain_text(f"网格 {expected['unit_grid']}", timeout=SLOW)
    expect(page.locator("#where")).to_contain_text(expected["community"]["name"])

    # a 3000×2000 photo is resized on the phone before it is sent
    original = big_photo()
    page.locator("#id_photos").set_input_files(files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": original}])
    expect(page.locator("#thumbs li")).to_have_count(1, timeout=SLOW)
    expect(page.locator("#thumbs .fd-thumb-info")).to_contain_text("1600×1067", timeout=SLOW)
    # a file that is not an image is refused next to the field, and the good photo stays
    page.locator("#id_photos").set_input_files(files=[{"name": "坏的.jpg", "mimeType": "image/jpeg",
                                                       "buffer": b"not an image at all"}])
    expect(page.locator('[data-field="photos"] .fd-error')).to_contain_text("「坏的.jpg」不是可以读取的图片", timeout=SLOW)
    expect(page.locator("#thumbs li")).to_have_count(1, timeout=SLOW)

    # matter by pinyin initials
    page.get_by_label("搜索：名称或拼音首字母").fill("blj")
    choice = page.locator("#matter-results").get_by_label(re.compile("暴露垃圾"))
    expect(choice).to_be_visible(timeout=SLOW)
    choice.check()
    page.get_by_label("紧急", exact=True).check()
    text = f"路口有一堆暴露垃圾（浏览器测试 {uuid.uuid4().hex[:8]}）"
    page.get_by_label("问题描述").fill(text)
    page.get_by_label("地址（选填）").fill("多福巷 3 号门前")
    fits(page, "field-report-360")

    # a position outside every district (as a far-off GPS fix would give): refused next to the position by the
    # server, and nothing typed or photographed is lost
    page.evaluate("document.querySelector('[name=lon]').value = '121.4737';"
                  "document.querySelector('[name=lat]').value = '31.2304'")
    page.get_by_role("button", name="提交上报").click()
    expect(page.locator('[data-field="position"] .fd-error')).to_contain_text("不在辖区范围内", timeout=SLOW)
    expect(page.locator("#form-errors")).to_contain_text("上报未提交")
    expect(page.locator("#thumbs li")).to_have_count(1, timeout=SLOW)
    expect(page.get_by_label("问题描述")).to_have_value(text)
    fits(page, "field-report-error-360")
    assert cases_described(server, token, text) == []
    tap_inside_my_grid(page)
    expect(page.locator("#where")).to_contain_text(f"网格 {expected['unit_grid']}", timeout=SLOW)

    page.get_by_role("button", name="提交上报").click()
    page.wait_for_url(re.compile(r"/cases/field/report/\d{6}-\d{8}-\d{4,6}/$"))
    number = page.get_by_test_id("case-number").inner_text().strip()
    expect(page.get_by_test_id("photo-count")).to_have_text("1 张")
    expect(page.get_by_role("link", name="自行处置")).to_be_visible()
    fits(page, "field-report-done-360")

    # on the server: one case, in my grid, with the resized photo
    case = api(server, token, f"/api/v1/cases/{number}")
    assert case["description"] == text and case["unit_grid"] == expected["unit_grid"]
    assert case["matter"]["code"] == "06010" and case["urgency"] == "urgent" and case["source"] == "grid_worker"
    assert len(case["photos"]) == 1
    stored = api(server, token, case["photos"][0]["url"])
    with Image.open(io.BytesIO(stored)) as img:
        assert max(img.size) <= 1600 and img.size == (1600, 1067), img.size
    assert len(stored) <= 500 * 1024 < len(original)
    assert len(cases_described(server, token, text)) == 1

    # 我的任务 lists it under my recent reports (it can be handled on the spot: a task too)
    page.get_by_role("link", name="回到我的任务").click()
    page.wait_for_url(base + "/cases/field/")
    expect(page.locator('[data-list="reported"]')).to_contain_text(number)
    expect(page.locator('[data-list="todo"]')).to_contain_text("自行处置")
    fits(page, "field-tasks-360")
    page.set_viewport_size({"width": 1366, "height": 800})
    fits(page, "field-tasks-1366")
    page.set_viewport_size(PHONE)

    # the next report offers the matter just used (remembered on this phone)
    page.get_by_role("link", name="上报问题").first.click()
    expect(page.locator("#matter-recent").get_by_label(re.compile("暴露垃圾"))).to_be_visible()


def test_a_report_made_offline_is_kept_and_sent_once_when_back_online(server, phone, token):
    base, _ = server
    context, page = phone
    page.goto(base + "/cases/field/report/")
    # the service worker takes the page under its wing (it keeps the page and its assets for offline use)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # a page that loaded before its worker was active may stay uncontrolled (clients.claim() races the load on a
    # busy machine); any load after activation is controlled — as on a phone, from the second visit on
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)

    context.set_offline(True)
    response = page.reload()  # served by the service worker: the form is there without a network
    assert response.from_service_worker and response.headers.get("x-gridgov-offline") == "1"
    expect(page.get_by_role("heading", name="上报问题")).to_be_visible()
    # position from the phone's location (「定位」)
    data = json.loads(page.locator("#map-data").text_content())
    p = shape(data["grids"]["features"][0]["geometry"]).representative_point()
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": p.y, "longitude": p.x, "accuracy": 10})
    page.get_by_role("button", name="定位").click()
    expect(page.locator("#where")).to_contain_text("离线")
    assert abs(float(page.locator("[name=lon]").input_value()) - p.x) < 1e-6
    text = f"离线上报：井盖松动有响声（{uuid.uuid4().hex[:8]}）"
    page.get_by_label("问题描述").fill(text)
    page.locator("#id_photos").set_input_files(files=[{"name": "井盖.jpg", "mimeType": "image/jpeg",
                                                       "buffer": big_photo(1200, 900)}])
    expect(page.locator("#thumbs li")).to_have_count(1, timeout=SLOW)
    page.get_by_role("button", name="提交上报").click()

    expect(page.locator("#outbox")).to_be_visible(timeout=SLOW)
    expect(page.locator("#outbox h2")).to_have_text("待发送（1）")
    expect(page.locator("#outbox-list")).to_contain_text("井盖松动")
    expect(page.get_by_label("问题描述")).to_have_value("")  # ready for the next report
    fits(page, "field-offline-360")
    assert cases_described(server, token, text) == [], "nothing reached the server"

    context.set_offline(False)  # the `online` event sends it
    expect(page.get_by_test_id("sent")).to_contain_text("已发送 1 件", timeout=SLOW)
    expect(page.locator("#outbox")).to_be_hidden()
    found = cases_described(server, token, text)
    assert len(found) == 1
    case = api(server, token, f"/api/v1/cases/{found[0]['number']}")
    assert case["unit_grid"] and len(case["photos"]) == 1

    # another page load sends nothing more: still exactly one case
    page.goto(base + "/cases/field/")
    expect(page.locator("#outbox")).to_be_hidden()
    assert len(cases_described(server, token, text)) == 1
