"""A 帮扶对子 visit recorded in a real browser: the 网格长 of 多福巷社区 opens 党建引领 from the menu, finds the demo's one
帮扶对子 not visited for 120 days (超期未走访), opens its page, records today's visit with the page's form, and sees it
listed and the pair no longer flagged — on its page and in the list."""

from playwright.sync_api import expect


def test_the_grid_leader_records_a_visit_of_an_overdue_pair(server, browser):
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

    # 党建引领 sits in the menu 「社区服务」 (a section of several pages is a menu that opens on a click)
    menu = page.locator("nav.mainnav details:has(a[href='/party/'])")
    if menu.count():
        menu.first.locator("summary").click()
    page.locator("nav.mainnav a[href='/party/']").click()
    page.wait_for_url("**/party/")
    expect(page.get_by_role("heading", name="超期未走访的帮扶对子")).to_be_visible()
    overdue = page.locator("#overdue tbody tr")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("天")
    overdue.get_by_role("link").click()
    page.wait_for_url("**/party/pairs/*/")
    expect(page.locator("#pair-status")).to_contain_text("超期未走访")
    before = page.locator("#visits tbody tr").count()

    form = page.locator('[data-form="pair_visit"]')
    form.get_by_label("帮扶内容").fill("陪同老人到社区卫生服务站体检（浏览器测试）")
    form.get_by_label("帮扶结果").fill("体检正常，已预约下次随访")
    form.get_by_role("button", name="登记走访").click()

    expect(page.get_by_text("已登记帮扶走访")).to_be_visible()
    rows = page.locator("#visits tbody tr")
    expect(rows).to_have_count(before + 1)
    expect(rows.first).to_contain_text("陪同老人到社区卫生服务站体检（浏览器测试）")
    expect(rows.first).to_contain_text("体检正常，已预约下次随访")
    expect(page.locator("#pair-status")).to_contain_text("正常（距上次走访 0 天）")

    page.goto(base + "/party/pairs/?overdue=1")
    expect(page.get_by_text("没有帮扶对子。")).to_be_visible()
    assert errors == []
    context.close()
