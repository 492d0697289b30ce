"""人员网格 in a real browser (issue #17 item 6, seed 003 篇4): the 网格员 opens the demo nursing class, sends a notice
to its four dormitories with the page's form and records three confirmations — the notice page shows 4号寝室 as the
one missing; the 寝室长 of 4号寝室 (the demo resident's account, on a phone) opens 我的网格, confirms for the
dormitory and reports a broken lamp, which becomes a case; the notice is then confirmed by all four. The holiday's
return check shows the demo's late member."""

import re
import uuid

from playwright.sync_api import expect

from .test_dashboard_browser import shot, sign_in

SCHOOL = "演示医学院 13级护理班"


def test_a_notice_to_four_dormitories_is_confirmed_by_three_then_by_the_fourth_cadre(server, browser):
    base, _ = server
    title = f"关于期中考试安排的通知（浏览器测试 {uuid.uuid4().hex[:6]}）"
    page, outside = sign_in(browser, base, "gridworker", 1366)
    page.goto(base + "/groups/")
    expect(page.get_by_role("heading", name="人员网格")).to_be_visible()
    page.get_by_role("link", name=SCHOOL).click()
    expect(page.get_by_role("heading", name=SCHOOL)).to_be_visible()
    groups = [r.locator("td").first.inner_text().strip("　└ ") for r in page.locator("#groups tbody tr").all()]
    assert groups == ["13级护理班", "1号寝室", "2号寝室", "3号寝室", "4号寝室"]
    # the demo's own notice: three of four confirmed, 4号寝室 missing
    demo = page.locator("#notices tr", has_text="关于按时办理落户手续的通知")
    expect(demo.locator("td").nth(2)).to_have_text("3 / 4")
    expect(demo.locator("td").nth(3)).to_have_text("4号寝室")
    # a new notice to 「all groups」: the four dormitories
    form = page.locator('form[action$="/notice/"]')
    form.get_by_label("标题").fill(title)
    form.get_by_label("内容").fill("请各寝室长通知到每位同学。")
    form.get_by_role("button", name="发出").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("已发出通知")).to_be_visible()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    for dorm in ("1号寝室", "2号寝室", "3号寝室"):
        page.locator("#missing tr", has_text=dorm).get_by_role("button", name="登记已确认").click()
        page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="未确认（1）")).to_be_visible()
    assert [r.locator("td").first.inner_text() for r in page.locator("#missing tbody tr").all()] == ["4号寝室"]
    assert [r.locator("td").first.inner_text() for r in page.locator("#confirmed tbody tr").all()] == [
        "1号寝室", "2号寝室", "3号寝室"]
    expect(page.get_by_text("已确认 3 / 4")).to_be_visible()
    notice_url = page.url
    shot(page, "groups-notice-missing")

    # the 寝室长 of 4号寝室, on a phone: 我的网格 → the dormitory → confirm, and report a problem
    phone, outside_phone = sign_in(browser, base, "resident", 360)
    phone.goto(base + "/groups/")
    expect(phone.get_by_role("heading", name="我的网格")).to_be_visible()
    phone.get_by_role("link", name=f"{SCHOOL} · 4号寝室").click()
    expect(phone.get_by_role("heading", name=f"{SCHOOL} · 4号寝室")).to_be_visible()
    phone.locator("#receipts tr", has_text=title).get_by_role("button", name="确认收到（代表本网格）").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_text("已确认", exact=True)).to_be_visible()
    expect(phone.locator("#receipts tr", has_text=title)).to_contain_text("已确认")
    phone.get_by_label("问题描述").fill("学生公寓 3 号楼门前的路灯又不亮了（浏览器测试）")
    phone.get_by_role("button", name="上报").click()
    phone.wait_for_load_state("networkidle")
    message = phone.get_by_role("status").filter(has_text="已上报").inner_text()
    number = re.search(r"案件编号 (\S+)", message).group(1)
    expect(phone.locator("#reports")).to_contain_text(number)
    shot(phone, "groups-cadre-phone")

    # back at the notice: every dormitory has confirmed
    page.goto(notice_url)
    expect(page.get_by_role("heading", name="未确认（0）")).to_be_visible()
    expect(page.get_by_text("全部网格已确认")).to_be_visible()
    expect(page.locator("#confirmed tr", has_text="4号寝室")).to_contain_text("卫演示")
    # the case from the dormitory is in the worker's scope, marked with its source
    page.goto(f"{base}/cases/{number}/")
    expect(page.get_by_text("【人员网格·演示医学院 13级护理班·4号寝室】").first).to_be_visible()
    # the holiday's return check names the demo's late member
    page.goto(base + "/groups/")
    page.get_by_role("link", name=SCHOOL).click()
    page.get_by_role("link", name="国庆假期").click()
    expect(page.locator("#overdue")).to_contain_text("韩测试（4号寝室）逾期返回")
    assert outside == [] and outside_phone == []
    page.close()
    phone.close()
