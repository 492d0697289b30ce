"""The whole loop through the web pages, as the people who do it (Debian's Chromium, headless, against the real
`gridgov demo` + `gridgov serve`): a resident with no account reports a problem on a phone; the intake clerk
sends it to be verified; an inspector verifies it on site with a photo; the clerk registers it; the dispatcher
dispatches it to the suggested department; the department's handler accepts it and reports back with a photo;
another visit by the inspector passes it; the clerk closes it; the resident rates it. At each step the test
checks what that person sees: the case in their list, exactly the buttons they may press, and nothing more.
No step uses the JSON API."""

import re

from PIL import Image
from playwright.sync_api import expect

from .conftest import ARTIFACTS
from .test_public_browser import inside_point

WIDE = {"width": 1366, "height": 860}
PHONE = {"width": 360, "height": 740}
RESIDENT_PHONE = "13812340000"


def person(browser, base, username=None, viewport=WIDE):
    """A browser of one person (signed in as ``username``, or a resident without an account)."""
    mobile = viewport is PHONE
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  is_mobile=mobile, has_touch=mobile)
    page = context.new_page()
    page.outside = []
    page.on("request", lambda r: page.outside.append(r.url) if not r.url.startswith((base, "blob:", "data:")) else None)
    if username:
        page.goto(base + "/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("gridgov-demo")
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
    return page


def actions_offered(page) -> set[str]:
    return set(page.locator("#actions details[data-action]").evaluate_all("els => els.map(e => e.dataset.action)"))


def act(page, action, photo=None, **fields):
    """Open the action's form on the case page, fill it in, submit it and land on the case page again."""
    form = page.locator(f'#actions details[data-action="{action}"]')
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    for name, value in fields.items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if photo:
        form.locator('input[type="file"]').set_input_files(str(photo))
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    expect(page.locator(".cs-form-error")).to_have_count(0)


def test_five_people_take_a_case_round_the_loop(server, browser, tmp_path):
    base, _ = server
    photo = tmp_path / "scene.jpg"
    Image.new("RGB", (1200, 900), (90, 120, 60)).save(photo, "JPEG")
    people = []

    # 1. a resident, no account, on a phone: reports with a tap on the map and a photo
    resident = person(browser, base, viewport=PHONE)
    people.append(resident)
    resident.goto(base + "/r/report/")
    resident.wait_for_function("() => document.getElementById('report-map').dataset.ready === '1'")
    resident.get_by_label("手机号").fill(RESIDENT_PHONE)
    resident.get_by_label("问题描述").fill("五人闭环：胡同口堆放的建筑垃圾挡住了路")
    resident.get_by_label("问题类别（选填）").select_option("06010")  # 暴露垃圾
    lon, lat = inside_point(base)
    the_map = resident.locator("#report-map")
    the_map.scroll_into_view_if_needed()
    resident.evaluate(f"gridgovReportMap.setView([{lat}, {lon}], 16, {{animate: false}})")
    x, y = resident.evaluate(f"(() => {{ const p = gridgovReportMap.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()")
    box = the_map.bounding_box()
    resident.touchscreen.tap(box["x"] + x, box["y"] + y)
    expect(resident.locator("#position-status")).to_have_text(re.compile("已选位置：东城区"))
    resident.locator("#id_photos").set_input_files(str(photo))
    resident.wait_for_function("() => document.getElementById('id_photos').dataset.resized === '1'")
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url(re.compile(r"/r/report/[\d-]+/done/$"))
    number = resident.locator("#case-number").inner_text().strip()
    assert re.fullmatch(r"110101-\d{8}-\d{4}", number)
    resident.get_by_role("link", name="查看办理进度").click()
    expect(resident.locator("#status-label")).to_have_text("已收到")
    case_url = f"{base}/cases/{number}/"

    # 2. the intake clerk: the report is in 待受理; a resident's report must be verified before 立案
    intake = person(browser, base, "intake")
    people.append(intake)
    assert intake.url == base + "/cases/"
    intake.wait_for_function("() => document.querySelector('#cs-rows') !== null")
    expect(intake.locator("#cs-rows").get_by_role("link", name=number)).to_be_visible()
    intake.locator("#cs-rows").get_by_role("link", name=number).click()
    intake.wait_for_url(case_url)
    offered = actions_offered(intake)
    assert "assign_verify" in offered and "dispatch" not in offered and "accept" not in offered
    expect(intake.get_by_text("138****0000").first).to_be_visible()  # the reporter's phone, masked
    assert RESIDENT_PHONE not in intake.content()
    act(intake, "assign_verify")
    assert actions_offered(intake) & {"assign_verify", "register"} == set()

    # 3. the inspector on a phone: a 核实 task; verifies it on site with a photo
    inspector = person(browser, base, "inspector", viewport=PHONE)
    people.append(inspector)
    assert inspector.url == base + "/cases/field/"
    verify_tasks = inspector.locator('ul[data-list="verify"]')
    expect(verify_tasks.get_by_text(number)).to_be_visible()
    inspector.goto(case_url)
    assert {"confirm", "refute"} <= actions_offered(inspector)
    act(inspector, "confirm", photo=photo)
    assert actions_offered(inspector) == set()

    # 4. the clerk registers it
    intake.goto(case_url)
    assert "register" in actions_offered(intake)
    act(intake, "register")
    assert "register" not in actions_offered(intake)

    # 5. the dispatcher: the case is in 待派遣, the suggested department is preselected
    dispatcher = person(browser, base, "dispatcher")
    people.append(dispatcher)
    expect(dispatcher.locator("#cs-rows").get_by_role("link", name=number)).to_be_visible()
    dispatcher.goto(case_url)
    assert "dispatch" in actions_offered(dispatcher) and "register" not in actions_offered(dispatcher)
    dispatch = dispatcher.locator('#actions details[data-action="dispatch"]')
    if dispatch.get_attribute("open") is None:
        dispatch.locator("summary").click()
    chosen = dispatch.locator('select[name="department"] option:checked')
    expect(chosen).to_have_text(re.compile("区环境卫生服务中心（推荐）"))
    act(dispatcher, "dispatch")

    # 6. the department's handler on a phone: 待签收 → 签收 → 处置反馈 with a photo
    handler = person(browser, base, "handler", viewport=PHONE)
    people.append(handler)
    assert handler.url == base + "/cases/inbox/"
    expect(handler.locator(f'li.ib-row[data-number="{number}"]')).to_be_visible()
    handler.goto(case_url)
    assert actions_offered(handler) == {"accept", "contest", "return"}  # contest: 责任争议 (the city block)
    act(handler, "accept")
    assert {"handle", "request_extension", "request_suspension"} <= actions_offered(handler)
    act(handler, "handle", photo=photo, feedback="建筑垃圾已全部清运，路面已冲洗")
    assert actions_offered(handler) == set()

    # 7. the inspector again: a 核查 task (he neither reported nor handled it); passes it
    inspector.goto(base + "/cases/field/")
    expect(inspector.locator('ul[data-list="inspect"]').get_by_text(number)).to_be_visible()
    inspector.goto(case_url)
    assert {"inspect_pass", "inspect_fail"} <= actions_offered(inspector)
    act(inspector, "inspect_pass", photo=photo)

    # 8. the clerk closes it; the timeline holds every step, with three kinds of photo
    intake.goto(case_url)
    assert "close" in actions_offered(intake)
    act(intake, "close")
    timeline = intake.locator("body").inner_text()
    for step in ("上报", "派核实", "核实属实", "立案", "派遣", "签收", "处置反馈", "核查通过", "结案"):
        assert step in timeline, step

    # 9. the resident sees it done, with what was done, and rates it; no staff name or department is shown
    resident.reload()
    expect(resident.locator("#status-label")).to_have_text("已办结")
    expect(resident.get_by_text("建筑垃圾已全部清运，路面已冲洗")).to_be_visible()
    html = resident.content()
    assert "区环境卫生服务中心" not in html and RESIDENT_PHONE not in html
    resident.get_by_role("radio", name="非常满意（5 分）").check()
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.locator("#rated")).to_contain_text("感谢您的评价")

    # the clerk sees the rating; the case can now only be archived (by the shift leader) — not by the clerk
    intake.goto(case_url)
    assert "follow_up" not in actions_offered(intake) and "archive" not in actions_offered(intake)
    expect(intake.locator("dt", has_text="满意度").locator("xpath=following-sibling::dd[1]")).to_have_text("5 分")
    intake.screenshot(path=str(ARTIFACTS / "loop-case-closed-1366.png"), full_page=True)
    for p in people:
        assert p.outside == [], "nothing is fetched from the internet"
        p.context.close()
