"""The command centre in a real browser (Debian's Chromium, headless) against a real `gridgov demo` + `gridgov serve`:
the intake clerk watches the queue, a grid worker reports through the API, the new case appears without a reload,
the keyboard opens it, the clerk registers it; the dispatcher dispatches it to the suggested department; the
clerk ticks two rows of the queue and registers both at once (批量操作).
Screenshots of the queue and the case page at 1366 and 360 px go to test-artifacts/."""

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS

WIDE, PHONE = {"width": 1366, "height": 860}, {"width": 360, "height": 740}


@pytest.fixture
def sign_in(server, browser):
    """sign_in(username, path, viewport) → a page signed in and on ``path``; nothing may come from off the machine."""
    base, _ = server
    opened = []

    def make(username, path="/cases/", viewport=WIDE):
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
        page = context.new_page()
        page.outside = []
        page.on("request", lambda r: page.outside.append(r.url) if not r.url.startswith(base) else None)
        page.goto(f"{base}/accounts/login/?next={path}")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("gridgov-demo")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(base + path)
        opened.append(context)
        return page

    yield make
    for context in opened:
        assert all(p.outside == [] for p in context.pages), "nothing is fetched from the internet"
        context.close()


def shot(page, name, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def api_report(page, description):
    """Report a case as the signed-in grid worker through the JSON API (session + CSRF), in the worker's community."""
    return page.evaluate("""async (description) => {
        const fc = await (await fetch('/api/v1/grids?layer=unit&community=110101001001')).json();
        const ring = fc.features[0].geometry.coordinates[0];
        const lon = ring.slice(0, -1).reduce((s, p) => s + p[0], 0) / (ring.length - 1);
        const lat = ring.slice(0, -1).reduce((s, p) => s + p[1], 0) / (ring.length - 1);
        const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
        const r = await fetch('/api/v1/cases', {method: 'POST', headers: {'Content-Type': 'application/json',
            'X-CSRFToken': csrf}, body: JSON.stringify({source: 'grid_worker', lon, lat, description, matter: '06010',
            address: '东华门大街 8 号'})});
        return {status: r.status, body: await r.json()};
    }""", description)


def test_intake_sees_a_new_report_arrive_opens_it_by_keyboard_and_registers_it(sign_in):
    intake = sign_in("intake")
    expect(intake.get_by_role("heading", name="案件受理")).to_be_visible()
    expect(intake.locator(".cs-tabs a[aria-current=page]")).to_have_text("待受理")
    expect(intake.locator(".cs-keys")).to_contain_text("Enter")
    intake.evaluate("window.__sameDocument = true")
    waiting = int(intake.inner_text("#cs-total"))

    worker = sign_in("gridworker", "/map/")
    r = api_report(worker, "浏览器测试：胡同口堆放的垃圾袋")
    assert r["status"] == 201, r
    number = r["body"]["case"]["number"]

    row = intake.locator(f'tr[data-href="/cases/{number}/"]')
    expect(row).to_be_visible(timeout=30_000)  # the poll (every 10 s) brings it in
    assert intake.evaluate("window.__sameDocument") is True, "no reload"
    assert intake.locator("#cs-rows tr").first.get_attribute("data-href") == f"/cases/{number}/", "newest on top"
    expect(row).to_contain_text("东华门")
    expect(row.locator(".cs-light")).to_have_text(re.compile("正常|预警|超期"))
    expect(intake.locator(".cs-empty-row")).to_be_hidden()
    expect(intake.locator("#cs-total")).to_have_text(str(waiting + 1))

    intake.keyboard.press("/")
    assert intake.evaluate("document.activeElement.id") == "f-q"
    intake.keyboard.press("Escape")
    intake.keyboard.press("j")
    expect(row).to_have_class(re.compile("cs-selected"))
    intake.keyboard.press("Enter")
    intake.wait_for_url(f"**/cases/{number}/")

    expect(intake.get_by_role("heading", name=f"案件 {number}")).to_be_visible()
    expect(intake.locator(".cs-status")).to_have_text("已上报")
    expect(intake.locator(".cs-desc")).to_have_text("浏览器测试：胡同口堆放的垃圾袋")
    actions = intake.locator("details.cs-act")
    assert sorted(actions.evaluate_all("els => els.map(e => e.dataset.action)")) == \
        ["assign_verify", "decline", "merge", "register"]
    intake.wait_for_function("() => document.querySelectorAll('#casemap .leaflet-interactive').length >= 2")  # point + grid
    shot(intake, "case-page-1366")
    register = intake.locator('details[data-action="register"]')
    register.get_by_label("紧急程度").select_option("urgent")
    register.get_by_role("button", name="立案").click()
    intake.wait_for_url(f"**/cases/{number}/")
    expect(intake.locator(".cs-status")).to_have_text("已立案")
    expect(intake.locator(".cs-msg")).to_contain_text(f"已立案：{number}")
    expect(intake.locator(".cs-timeline")).to_contain_text("立案")
    assert intake.locator('details[data-action="register"]').count() == 0, "no button for what is no longer allowed"

    # the dispatcher: 待派遣 lists it; the suggested department is preselected and labelled 推荐
    dispatcher = sign_in("dispatcher")
    expect(dispatcher.locator(".cs-tabs a[aria-current=page]")).to_have_text("待派遣")
    dispatcher.locator(f'a.cs-num:text("{number}")').click()
    dispatcher.wait_for_url(f"**/cases/{number}/")
    form = dispatcher.locator('details[data-action="dispatch"]')
    expect(form).to_have_attribute("open", "")
    select = form.get_by_label("主办部门")
    assert select.evaluate("s => s.options[s.selectedIndex].text") == "区环境卫生服务中心（推荐）"
    form.get_by_role("button", name="派遣").click()
    dispatcher.wait_for_url(f"**/cases/{number}/")
    expect(dispatcher.locator(".cs-status")).to_have_text("已派遣")
    expect(dispatcher.locator(".cs-dl")).to_contain_text("区环境卫生服务中心")

    # the same case on a phone (the department handler's view) and the queue at 360 px
    handler = sign_in("handler", f"/cases/{number}/", PHONE)
    expect(handler.locator('details[data-action="accept"] button')).to_have_text("签收")
    handler.wait_for_function("() => document.querySelectorAll('#casemap .leaflet-interactive').length >= 1")
    no_horizontal_scroll(handler)
    shot(handler, "case-page-360")
    phone_queue = sign_in("intake", "/cases/?all=1", PHONE)
    expect(phone_queue.locator(f'tr[data-href="/cases/{number}/"]')).to_be_visible()
    no_horizontal_scroll(phone_queue)
    shot(phone_queue, "centre-queue-360", full_page=False)  # the first screen (the whole page is 50 cards long)
    wide_queue = sign_in("shift", "/cases/?all=1")
    expect(wide_queue.locator(f'tr[data-href="/cases/{number}/"]')).to_be_visible()
    shot(wide_queue, "centre-queue-1366", full_page=False)
    wide_queue.get_by_role("link", name="超期督办").click()
    expect(wide_queue.get_by_role("heading", name="超期督办")).to_be_visible()
    shot(wide_queue, "centre-overdue-1366", full_page=False)


def test_a_refused_action_is_explained_next_to_the_field(sign_in, server):
    base, _ = server
    worker = sign_in("gridworker", "/map/")
    number = api_report(worker, "浏览器测试：需要说明原因")["body"]["case"]["number"]
    page = sign_in("intake", f"/cases/{number}/")
    decline = page.locator('details[data-action="decline"]')
    decline.locator("summary").click()
    decline.get_by_role("button", name="不予立案").click()
    field = decline.locator('[data-field="reason"]')
    expect(field.locator(".error")).to_have_text("请填写不予立案的原因")
    expect(field.locator("textarea")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".cs-status")).to_have_text("已上报")
    case = json.loads(page.evaluate(f"fetch('/api/v1/cases/{number}').then(r => r.text())"))
    assert case["status"] == "reported", "nothing written"


def test_bulk_register_by_ticking_two_rows(sign_in):
    worker = sign_in("gridworker", "/map/")
    cases = [api_report(worker, f"浏览器测试：批量立案 {i}")["body"]["case"]["number"] for i in range(2)]
    page = sign_in("intake")
    page.evaluate("window.__sameDocument = true")
    go = page.locator("#bulk-go")
    expect(page.locator("#cs-check-all")).to_be_visible()
    expect(go).to_be_disabled()
    first, second = (page.locator(f'tr[data-href="/cases/{n}/"]') for n in cases)
    first.get_by_label(f"选择案件 {cases[0]}").check()  # the box itself
    second.locator("td.cs-col-check").click()  # anywhere in its cell (the cell is the box's label)
    expect(second.get_by_label(f"选择案件 {cases[1]}")).to_be_checked()
    expect(page.locator("#cs-bulk-count")).to_have_text("已选 2 件，请选择操作")
    assert page.evaluate("window.__sameDocument") is True, "ticking a row does not open the case"
    page.keyboard.press("j")  # the focus is on a checkbox: the keys still move through the list
    expect(page.locator("#cs-rows tr.cs-selected")).to_have_count(1)
    page.get_by_label("操作", exact=True).select_option("register")
    expect(go).to_have_text("立案 2 件")
    go.click()
    page.wait_for_url("**/cases/?view=&status=reported&status=verified&level=district")
    expect(page.locator(".cs-msg-success")).to_have_text("已立案 2 件")
    for n in cases:
        case = json.loads(page.evaluate(f"fetch('/api/v1/cases/{n}').then(r => r.text())"))
        assert case["status"] == "registered"
        expect(page.locator(f'tr[data-href="/cases/{n}/"]')).to_have_count(0)  # no longer 待受理


def test_a_photo_on_the_case_page_form_is_resized_before_it_goes_up(sign_in, server):
    """The 核实/处置/核查 forms of the case page resize photos in the browser like the report forms (they used to send
    the camera's full size): a 3000×2000 photo chosen for 自行处置 is stored as 1600×1067."""
    import io

    from PIL import Image

    from .test_field_browser import big_photo

    page = sign_in("gridworker", "/map/")
    number = api_report(page, "浏览器测试：案件页照片压缩")["body"]["case"]["number"]
    page.goto(page.url.split("/map/")[0] + f"/cases/{number}/")
    form = page.locator('details[data-action="self_handle"]')
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    form.locator("textarea[name=feedback]").fill("已现场清理")
    original = big_photo()
    form.locator("input[name=photos]").set_input_files(
        files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": original}])
    page.wait_for_function("() => document.querySelector('details[data-action=self_handle] input[name=photos]')"
                           ".dataset.resized === '1'", timeout=20_000)
    form.get_by_role("button", name="自行处置").click()
    page.wait_for_load_state("load")
    case = json.loads(page.evaluate(f"fetch('/api/v1/cases/{number}').then(r => r.text())"))
    assert case["status"] == "handled" and len(case["photos"]) == 1
    stored = page.evaluate("""async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer()))""",
                           case["photos"][0]["url"])
    with Image.open(io.BytesIO(bytes(stored))) as img:
        assert img.size == (1600, 1067), img.size
    assert len(stored) <= 500 * 1024 < len(original)
