"""A volunteer activity recorded in a real browser (issue #17 item 3): the 网格员 signs in, opens 便民服务, makes a
volunteer team for 多福巷社区 with two volunteers, records an activity with both of them (2 and 1.5 hours) on the
team page's own form, and finds it in the activity list and the month's hours ranking."""

import datetime as dt
import zoneinfo

from playwright.sync_api import expect

SLOW = 20_000


def test_a_grid_worker_records_a_volunteer_activity_and_sees_the_hours(server, browser):
    base, _ = server
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill("gridworker")
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    team = f"浏览器测试党员志愿者队{dt.datetime.now():%H%M%S%f}"  # a site reused while working keeps earlier runs' teams
    page.goto(base + "/services/")
    page.get_by_label("类型").select_option("party")
    page.get_by_label("名称").fill(team)
    page.get_by_role("button", name="新建队伍").click()
    expect(page.get_by_text("已新建志愿者队伍")).to_be_visible(timeout=SLOW)
    page.get_by_role("link", name=team).click()
    expect(page.get_by_role("heading", name=team)).to_be_visible(timeout=SLOW)

    for name, phone in [("赵志愿", "13811110001"), ("钱志愿", "13811110002")]:
        form = page.locator("form").filter(has=page.get_by_role("button", name="登记志愿者"))
        form.get_by_label("姓名").fill(name)
        form.get_by_label("电话").fill(phone)
        form.get_by_role("button", name="登记志愿者").click()
        expect(page.get_by_text("已登记志愿者")).to_be_visible(timeout=SLOW)

    today = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
    form = page.locator("#activity-form")
    form.get_by_label("日期").fill(today.isoformat())
    form.get_by_label("地点").fill("多福巷小区")
    form.get_by_label("内容").fill("楼道消防通道清理（浏览器测试）")
    boxes, hours = form.locator('input[name="volunteer"]'), form.locator('input[name^="hours_"]')
    expect(boxes).to_have_count(2)
    boxes.nth(0).check()
    hours.nth(0).fill("2")
    boxes.nth(1).check()
    hours.nth(1).fill("1.5")
    form.get_by_role("button", name="登记活动").click()
    expect(page.get_by_text("已登记志愿服务活动")).to_be_visible(timeout=SLOW)

    activities = page.locator("#activities")
    expect(activities).to_contain_text("楼道消防通道清理（浏览器测试）")
    expect(activities).to_contain_text(today.isoformat())
    month = page.locator("#hours-month td.hours")
    expect(month).to_have_text(["2.0", "1.5"])  # the ranking: most hours first
    expect(page.locator("#hours-year td.hours")).to_have_text(["2.0", "1.5"])
    assert errors == []
    context.close()
