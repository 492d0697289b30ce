"""A department's handler sends a case back (退回) in the browser (issue #11, Done when): the case leaves the
department's sight, so the handler lands on the inbox — not on a 404 for the case just returned — and the page says
「已退回：<number>」; the case is no longer in 待签收."""

from playwright.sync_api import expect

from .test_loop_browser import act, person


def test_a_handlers_return_ends_on_the_inbox_saying_returned(server, browser):
    base, _ = server
    page = person(browser, base, "handler")
    page.goto(base + "/cases/inbox/?tab=pending")
    row = page.locator("#inbox-rows li.ib-row").first
    expect(row).to_be_visible()
    number = row.get_attribute("data-number")
    row.locator(".ib-main a").first.click()
    page.wait_for_load_state()
    expect(page.locator("h1 .cs-number")).to_have_text(number)
    act(page, "return", reason="不属于本部门职责，请重新派遣")
    assert page.url == base + "/cases/inbox/", page.url
    expect(page.get_by_text(f"已退回：{number}")).to_be_visible()
    page.goto(base + "/cases/inbox/?tab=pending")
    expect(page.locator(f'#inbox-rows li[data-number="{number}"]')).to_have_count(0)
    assert page.goto(base + f"/cases/{number}/").status == 404
    page.context.close()
