"""The grid worker's phone pages in a real browser at 360×740 (Debian's Chromium, headless) against a real
`gridgov demo` + `gridgov serve`: sign in, 我的网格, a building, add a resident (a wrong ID first), record a
visit, edit a dwelling, search as you type — no horizontal scrolling, nothing fetched from the internet."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from gridgov.basedata.logic import ids

from .conftest import ARTIFACTS

PHONE = {"width": 360, "height": 740}
PLAIN_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def phone(server, browser):
    """A phone-sized page signed in as the demo grid worker, on 我的网格; fails on any request off the machine."""
    base, _ = server
    page = browser.new_page(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(base + "/basedata/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("gridworker")
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/basedata/")
    yield page
    page.close()
    assert outside == [], "nothing is fetched from the internet"


def fits(page, name: str) -> None:
    """No horizontal scrolling at 360 px; a full-page screenshot to look at."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name}: horizontal scroll"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"basedata-{name}.png"), full_page=True)


def small_targets(page) -> list[str]:
    """Buttons and button-like links lower than 40 px (too small for a finger)."""
    return page.evaluate("""[...document.querySelectorAll('.bd .bd-btn, .bd .bd-tile, .bd .bd-link, .bd button')]
        .filter(e => e.getBoundingClientRect().height < 40).map(e => e.textContent.trim())""")


def synthetic_id(seq: int) -> str:
    return ids.make_id("110101", dt.date(1931, 7, 1), seq)  # nobody in the demo was born that day


def test_grid_worker_adds_a_resident_and_records_a_visit(phone):
    page = phone
    expect(page.get_by_role("heading", name="我的网格")).to_be_visible()
    for tile in ["新增居民", "登记走访", "六必访待办"]:
        expect(page.locator(".bd-tiles").get_by_role("link", name=re.compile(tile))).to_be_visible()
    assert small_targets(page) == []
    fits(page, "home-360")

    # a building with people
    page.locator("#results .bd-list a").first.click()
    page.wait_for_url(re.compile(r"/basedata/buildings/\d+/$"))
    assert not PLAIN_ID.search(page.inner_text("main")), "ID numbers are shown masked only"
    assert small_targets(page) == []
    fits(page, "building-360")
    household = page.locator(".bd-household").first
    household_title = household.locator(".hh-title").inner_text()
    household.get_by_role("link", name="新增成员").click()
    page.wait_for_url(re.compile(r"/basedata/residents/new/\?household=\d+$"))

    # a wrong check digit: said next to the field, the number not echoed back
    good = synthetic_id(17)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    page.get_by_label("姓名").fill("测试居民")
    page.get_by_label("身份证号").fill(bad)
    page.get_by_label("手机号").fill("17000001111")
    page.get_by_label("人口类型").select_option(label="流动")
    page.get_by_label("与户主关系").select_option(label="子女")
    page.get_by_role("button", name="保存居民").click()
    field = page.locator('[data-field="id_number"]')
    expect(field.locator(".error")).to_have_text(re.compile("身份证号校验位错误"))
    assert bad not in page.content() and page.get_by_label("身份证号").input_value() == ""
    assert page.get_by_label("姓名").input_value() == "测试居民"
    fits(page, "resident-error-360")

    # the right number: back on the building, masked
    page.get_by_label("身份证号").fill(good)
    page.get_by_label("手机号").fill("17000001111")
    page.get_by_role("button", name="保存居民").click()
    page.wait_for_url(re.compile(r"/basedata/buildings/\d+/#d\d+$"))
    masked = ids.mask_id(good)
    expect(page.locator(".bd-msg")).to_have_text(f"已新增居民 测试居民（{masked}）")
    card = page.locator(".bd-household", has_text=household_title.split(" · ")[0])
    person = card.locator(".bd-person", has_text="测试居民")
    expect(person).to_contain_text(masked)
    expect(person).to_contain_text("170****1111")
    assert good not in page.content() and "17000001111" not in page.content()
    fits(page, "building-added-360")

    # a visit to that household
    card.get_by_role("link", name="登记走访").click()
    page.wait_for_url(re.compile(r"/basedata/visits/new/\?household=\d+$"))
    assert page.get_by_label("走访时间").input_value() != "", "the time defaults to now"
    page.get_by_label("走访对象").select_option(label="测试居民（子女）")
    page.get_by_label("反映问题").fill("反映楼道照明损坏")
    page.get_by_label("跟进情况").fill("已报物业维修")
    fits(page, "visit-360")
    page.get_by_role("button", name="保存走访记录").click()
    page.wait_for_url(re.compile(r"/basedata/buildings/\d+/#d\d+$"))
    expect(page.locator(".bd-msg")).to_have_text("已登记走访：测试居民")
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    expect(page.locator(".bd-household", has_text=household_title.split(" · ")[0])).to_contain_text(f"上次走访 {today}")


def test_grid_worker_searches_edits_a_dwelling_and_sees_the_due_list(phone):
    page = phone
    first = page.locator("#results .bd-list a strong").first.inner_text()
    # search as you type (htmx): the list narrows without leaving the page
    page.get_by_label("搜索楼栋或居民姓名").press_sequentially(first, delay=20)
    expect(page.locator("#results .bd-intro")).to_contain_text(f"“{first}”")
    assert page.url.endswith("/basedata/")
    expect(page.locator("#results .bd-list a strong").first).to_have_text(first)
    fits(page, "search-360")

    page.locator("#results .bd-list a").first.click()
    card = page.locator(".bd-card").first
    room = card.locator("h2").inner_text()
    card.get_by_role("link", name="修改").first.click()
    page.wait_for_url(re.compile(r"/basedata/dwellings/\d+/edit/$"))
    page.get_by_label("楼层").fill("500")
    page.get_by_label("出租").check()
    page.get_by_label("建筑面积（平方米）").fill("72.5")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator('[data-field="floor"] .error')).to_have_text(re.compile("楼层不能高于 200"))
    assert small_targets(page) == []
    fits(page, "dwelling-error-360")
    page.get_by_label("楼层").fill("2")
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_url(re.compile(r"/basedata/buildings/\d+/#d\d+$"))
    expect(page.locator(".bd-msg")).to_contain_text("房屋信息")
    target = page.locator(".bd-card:target")
    expect(target.locator("h2")).to_have_text(room)
    expect(target).to_contain_text("2 层")
    expect(target).to_contain_text("出租")
    expect(target).to_contain_text("72.50 ㎡")

    page.goto(page.url.split("/basedata/")[0] + "/basedata/due/")
    expect(page.get_by_role("heading", name="六必访待办")).to_be_visible()
    expect(page.locator(".bd-due").first.get_by_role("link", name="登记走访")).to_be_visible()
    fits(page, "due-360")
