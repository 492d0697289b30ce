"""Households in a real browser: the 网格长 opens 走访覆盖 for their community, drills down to a grid, sees the
households not yet visited this year, opens one household's file (一户一档), then writes a 民情日记 entry."""

import re

from playwright.sync_api import expect

SLOW = 20_000


def test_coverage_to_the_households_left_then_a_diary_entry(server, browser):
    base, _ = server
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill("gridleader")
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(base + "/basedata/coverage/")
    expect(page.get_by_role("heading", name=re.compile("网格长年度走访覆盖"))).to_be_visible(timeout=SLOW)
    expect(page.locator("#coverage-total")).to_contain_text("覆盖率")
    grid_row = page.locator('#coverage-rows tr[data-node="110101001001W001"]')
    expect(grid_row).to_be_visible()
    grid_row.get_by_role("link").click()

    expect(page.get_by_role("heading", name=re.compile("未走访的户"))).to_be_visible(timeout=SLOW)
    left = page.locator("#left tbody tr")
    expect(left.first).to_be_visible()
    assert left.count() >= 1
    number = left.first.locator("td").first.inner_text().strip()
    left.first.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=f"一户一档 · {number}")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("heading", name=re.compile("本户案件"))).to_be_visible()

    page.locator(".fd-nav").get_by_role("link", name="民情日记").click()
    expect(page.get_by_role("heading", name="民情日记")).to_be_visible(timeout=SLOW)
    text = f"走访 {number} 未遇，下周再访（浏览器测试）"
    page.get_by_label("内容").fill(text)
    page.get_by_role("button", name="记录日记").click()
    expect(page.get_by_text("已记录")).to_be_visible(timeout=SLOW)
    expect(page.locator("#diary tbody tr").first).to_contain_text(text)
    context.close()
    assert errors == []
