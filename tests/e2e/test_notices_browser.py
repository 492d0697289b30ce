"""通知公告 in a real browser (issue #17 item 2, Done-when "a notice with read receipts"): the community's 网格长
publishes a 工作通知 to the 网格员 of 多福巷社区 on the page; the demo 网格员 opens it from the list in their own
browser; the author's page then shows that one person as read (with the post) and one fewer unread."""

import re
import secrets

from playwright.sync_api import expect

from .test_dashboard_browser import shot, sign_in


def test_a_staff_notice_is_published_read_by_another_post_and_the_author_sees_the_receipt(server, browser):
    base, _ = server
    title = f"浏览器测试：雨雪天气加密巡查 {secrets.token_hex(3)}"
    author, outside = sign_in(browser, base, "gridleader", 1366)
    author.goto(base + "/notices/new/?kind=staff")
    expect(author.get_by_role("heading", name="发布通知")).to_be_visible()
    author.locator("#kind").select_option("staff")
    author.locator("#scope").select_option("110101001001")
    author.locator("#title").fill(title)
    author.locator("#body").fill("雨雪天气期间请加密巡查，重点查看积雪路段。")
    author.get_by_label("网格员", exact=True).check()
    author.get_by_role("button", name="发布").click()
    author.wait_for_load_state("networkidle")
    assert re.search(r"/notices/\d+/$", author.url)
    notice_url = author.url
    expect(author.locator("#read-count")).to_have_text("0")
    unread_before = int(author.locator("#unread-count").inner_text())
    assert unread_before >= 1

    reader, outside_r = sign_in(browser, base, "gridworker", 360)
    reader.goto(base + "/notices/")
    row = reader.locator("#staff-notices tr", has_text=title)
    expect(row).to_contain_text("未读")
    row.get_by_role("link", name=title).click()
    reader.wait_for_load_state("networkidle")
    expect(reader.get_by_text("雨雪天气期间请加密巡查，重点查看积雪路段。")).to_be_visible()
    assert reader.locator("#unread").count() == 0  # an addressee does not see the receipts
    shot(reader, "notices-read-by-worker")

    author.goto(notice_url)
    expect(author.locator("#read-count")).to_have_text("1")
    expect(author.locator("#unread-count")).to_have_text(str(unread_before - 1))
    expect(author.locator("#read tbody tr")).to_have_count(1)
    expect(author.locator("#read tbody tr").first).to_contain_text("网格员")
    shot(author, "notices-receipts")
    assert outside == [] and outside_r == []
    author.close()
    reader.close()
