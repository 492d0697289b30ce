"""A resident with no account, on a phone (360×740, Debian's Chromium, headless) against a real `gridgov demo` +
`gridgov serve`: reports with a tap on the map and a photo (resized in the browser), notes the number, follows
it; the staff take the case round the loop through the JSON API; the resident rates it 5 and sees the thanks.
A second case (position from 「使用我的位置」) is reopened with 「问题没有解决」."""

import io
import json
import re
import urllib.request

from PIL import Image
from playwright.sync_api import expect
from shapely.geometry import shape

from .conftest import ARTIFACTS

PHONE = {"width": 360, "height": 740}
MOBILE = {"viewport": PHONE, "locale": "zh-CN", "has_touch": True, "is_mobile": True}
PHONE_NUMBER = "13912345678"


class Staff:
    """The command centre, the inspector and the department, through the JSON API with tokens."""

    def __init__(self, base):
        self.base = base
        self.tokens = {}

    def call(self, method, path, body=None, who=None):
        headers = {"Content-Type": "application/json"}
        if who:
            if who not in self.tokens:
                self.tokens[who] = self.call("POST", "/api/v1/auth/token",
                                             {"username": who, "password": "gridgov-demo"})["token"]
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        req = urllib.request.Request(self.base + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read()) if r.headers.get("Content-Type", "").startswith("application/json") else r.read()

    def act(self, who, number, action, **data):
        version = self.call("GET", f"/api/v1/cases/{number}", who=who)["version"]
        return self.call("POST", f"/api/v1/cases/{number}/actions/{action}", {**data, "version": version}, who=who)

    def close(self, number):
        self.act("intake", number, "assign_verify")
        self.act("inspector", number, "confirm")
        self.act("intake", number, "register", matter="06010")
        self.act("dispatcher", number, "dispatch", department="110101-HW")
        self.act("handler", number, "accept")
        self.act("handler", number, "handle", feedback="已清运，垃圾桶已清洗")
        self.act("inspector", number, "inspect_pass")
        return self.act("intake", number, "close")


def inside_point(base) -> tuple[float, float]:
    """A point in 东华门街道, from the map's own data."""
    fc = json.loads(urllib.request.urlopen(base + "/r/area.json", timeout=30).read())
    street = next(f for f in fc["features"] if f["properties"]["name"] == "东华门街道")
    p = shape(street["geometry"]).representative_point()
    return p.x, p.y


def fits(page, name: str) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: horizontal scroll"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def small_targets(page) -> list[str]:
    return page.evaluate("""[...document.querySelectorAll('.pub .pub-btn, .pub .pub-tile, .pub button, .pub-choice')]
        .filter(e => e.offsetParent && e.getBoundingClientRect().height < 40).map(e => e.textContent.trim())""")


def wait_for_map(page):
    page.wait_for_function("() => document.getElementById('report-map').dataset.ready === '1'")


def test_resident_reports_follows_rates_and_reopens(server, browser, tmp_path):
    base, _ = server
    staff = Staff(base)
    context = browser.new_context(**MOBILE)
    page = context.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "blob:", "data:")) else None)

    page.goto(base + "/r/")
    assert "/accounts/login/" not in page.url, "no account needed"
    assert small_targets(page) == []
    fits(page, "public-home-360")
    page.get_by_role("link", name=re.compile("我要反映问题")).first.click()
    page.wait_for_url(base + "/r/report/")
    wait_for_map(page)

    # a wrong phone and no position first: said next to the fields
    page.get_by_label("手机号").fill("12345")
    page.get_by_label("问题描述").fill("小区门口垃圾桶满溢，已两天没有清运")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    expect(page.locator('[data-field="phone"] .error')).to_have_text(re.compile("手机号应为 7～15 位数字"))
    expect(page.locator('[data-field="position"] .error')).to_have_text(re.compile("请选择问题的位置"))
    assert page.get_by_label("问题描述").input_value() == "小区门口垃圾桶满溢，已两天没有清运"
    wait_for_map(page)

    # typing in the field takes its error away; then a fresh form: the right phone, a tap on the map, a large
    # photo (resized in the browser before upload)
    page.get_by_label("手机号").fill(PHONE_NUMBER)
    expect(page.locator('[data-field="phone"] .error')).to_have_count(0)
    page.goto(base + "/r/report/")
    wait_for_map(page)
    page.get_by_label("手机号").fill(PHONE_NUMBER)
    page.get_by_label("问题描述").fill("小区门口垃圾桶满溢，已两天没有清运")
    lon, lat = inside_point(base)
    the_map = page.locator("#report-map")
    the_map.scroll_into_view_if_needed()
    page.evaluate(f"gridgovReportMap.setView([{lat}, {lon}], 16, {{animate: false}})")
    x, y = page.evaluate(f"(() => {{ const p = gridgovReportMap.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()")
    box = the_map.bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)
    expect(page.locator("#position-status")).to_have_text(re.compile("已选位置：东城区 东华门街道"))
    assert page.locator('input[name="lon"]').input_value() != ""
    big = tmp_path / "scene.jpg"
    Image.new("RGB", (3200, 2400), (180, 60, 40)).save(big, "JPEG", quality=95)
    page.locator("#id_photos").set_input_files(str(big))
    page.wait_for_function("() => document.getElementById('id_photos').dataset.resized === '1'")
    expect(page.locator("#photo-previews li")).to_have_count(1)
    page.get_by_label("问题类别（选填）").select_option(label="垃圾站（箱）满溢")
    assert small_targets(page) == []
    fits(page, "public-report-360")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/r/report/[\d-]+/done/$"))
    number = page.locator("#case-number").inner_text().strip()
    assert re.fullmatch(r"110101-\d{8}-\d{4}", number)
    expect(page.get_by_text("记下此编号")).to_be_visible()

    # the photo arrived resized to ≤ 1600 px, as a JPEG
    case = staff.call("GET", f"/api/v1/cases/{number}", who="intake")
    assert case["status"] == "reported" and case["reports"][0]["reporter_phone"] == "139****5678"
    photos = case["photos"]
    assert len(photos) == 1
    img = Image.open(io.BytesIO(staff.call("GET", photos[0]["url"], who="intake")))
    assert img.format == "JPEG" and max(img.size) == 1600

    # following it: from the done page, and later from another phone with the number and the phone
    page.get_by_role("link", name="查看办理进度").click()
    page.wait_for_url(base + f"/r/case/{number}/")
    expect(page.locator("#status-label")).to_have_text("已收到")
    other = browser.new_context(**MOBILE).new_page()
    other.goto(base + f"/r/case/{number}/")
    other.wait_for_url(re.compile(r"/r/track/"))
    other.get_by_label("案件编号").fill(number)
    other.get_by_label("手机号").fill("13900000000")
    other.get_by_role("button", name="查询").click()
    expect(other.locator('[data-field="number"] .error')).to_have_text(re.compile("编号或手机号不正确"))
    fits(other, "public-track-360")
    other.get_by_label("手机号").fill(PHONE_NUMBER)
    other.get_by_role("button", name="查询").click()
    other.wait_for_url(base + f"/r/case/{number}/")
    expect(other.locator("#status-label")).to_have_text("已收到")
    other.close()

    # the staff take it round the loop; the resident rates it 5, from the keyboard
    assert staff.close(number)["status"] == "closed"
    page.reload()
    expect(page.locator("#status-label")).to_have_text("已办结")
    expect(page.get_by_text("处理情况：已清运，垃圾桶已清洗")).to_be_visible()
    page.get_by_role("radio", name="非常满意（5 分）").focus()
    page.keyboard.press("Space")
    assert page.get_by_role("radio", name="非常满意（5 分）").is_checked()
    assert small_targets(page) == []
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url(base + f"/r/case/{number}/")
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")
    expect(page.locator("#rated")).to_contain_text("非常满意（5 分）")
    expect(page.locator('input[name="satisfaction"]')).to_have_count(0)
    html = page.content()
    assert PHONE_NUMBER not in html and "139****5678" not in html and "区环境卫生服务中心" not in html
    fits(page, "public-case-360")
    assert staff.call("GET", f"/api/v1/cases/{number}", who="intake")["satisfaction"] == 5

    # a second case, the position from 「使用我的位置」; reopened with 「问题没有解决」
    located = browser.new_context(**MOBILE, geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"])
    second = located.new_page()
    second.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "blob:", "data:")) else None)
    second.goto(base + "/r/report/")
    wait_for_map(second)
    second.get_by_label("手机号").fill("13811112222")
    second.get_by_role("button", name="使用我的位置").click()
    expect(second.locator("#position-status")).to_have_text(re.compile("已选位置：东城区 东华门街道"))
    second.get_by_label("问题描述").fill("路灯不亮")
    second.get_by_role("button", name="提交").click()
    second.wait_for_url(re.compile(r"/done/$"))
    number2 = second.locator("#case-number").inner_text().strip()
    assert number2 != number
    staff.close(number2)
    second.goto(base + f"/r/case/{number2}/")
    second.get_by_role("button", name="问题没有解决").click()
    expect(second.locator('[data-field="reason"] .error')).to_have_text(re.compile("请说明问题哪里没有解决"))
    second.get_by_label("哪里没有解决？").fill("晚上还是不亮")
    second.get_by_role("button", name="问题没有解决").click()
    expect(second.locator(".pub-msg")).to_have_text("已收到，问题将重新办理。")
    expect(second.locator("#status-label")).to_have_text("处理中")
    expect(second.get_by_text("说明：晚上还是不亮")).to_be_visible()
    assert staff.call("GET", f"/api/v1/cases/{number2}", who="intake")["status"] == "registered"
    located.close()
    context.close()
    assert outside == [], "nothing is fetched from the internet"


def test_report_page_on_a_desktop(server, browser):
    base, _ = server
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.goto(base + "/r/report/")
    wait_for_map(page)
    expect(page.get_by_role("button", name="使用我的位置")).to_be_visible()
    fits(page, "public-report-1366")
    page.close()
