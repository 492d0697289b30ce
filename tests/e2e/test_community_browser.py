"""The grid's public face in a real browser (Done-when of issue #17 item 1): the 网格长 opens a grid's 公示牌 and
downloads it (A4 PDF); pypdf reads the grid's name and the QR code's address printed under it; a phone (no account)
opens that address, the report page is already placed in the grid, the person files a report — and the case is in
that grid. On the phone, too: the community's directory and the clear page of a grid retired by the demo's grid
change."""

import io
import re

import pypdf
from playwright.sync_api import expect

from .test_dashboard_browser import shot, sign_in
from .test_public_browser import MOBILE, Staff, fits, wait_for_map

GRID = "110101001001W001"  # the demo 网格长's community, the demo grid worker's grid


def test_board_qr_code_opens_the_report_page_in_its_grid(server, browser):
    base, demo_output = server
    page, outside = sign_in(browser, base, "gridleader", 1366)
    page.goto(base + "/community/")
    expect(page.get_by_role("heading", name="网格公示牌与温馨提示卡")).to_be_visible()
    page.locator(f'a[href="/community/board/{GRID}/"]').click()
    expect(page.locator(".cm-board h2")).to_have_text("网格公示牌")
    shot(page, "community-board-preview")
    with page.expect_download() as dl:
        page.locator("#board-a4").click()
    text = pypdf.PdfReader(io.BytesIO(open(dl.value.path(), "rb").read())).pages[0].extract_text()
    staff = Staff(base)
    name = staff.call("GET", f"/api/v1/community/boards/{GRID}", who="gridleader")["name"]
    assert name in text and GRID in text and "多福巷社区" in text
    expect(page.locator(".cm-board header p")).to_contain_text(name)
    urls = re.findall(r"http://127\.0\.0\.1:\d+/community/q/[^\s/]+/", text)
    assert urls == [f"{base}/community/q/{GRID}/"]
    assert outside == []

    # a phone, no account: the QR code's address
    phone = browser.new_context(**MOBILE).new_page()
    phone.goto(urls[0])
    assert "/r/report/" in phone.url and "/accounts/login/" not in phone.url
    expect(phone.locator("#from-grid")).to_contain_text("多福巷社区")
    wait_for_map(phone)
    # the position is already there: the page asks where it lies (the first look-up may build the index)
    expect(phone.locator("#position-status")).to_contain_text("多福巷社区", timeout=60_000)
    phone.get_by_label("手机号").fill("13912345679")
    phone.get_by_label("问题描述").fill("单元门口的路灯不亮，晚上看不清台阶")
    fits(phone, "community-qr-report-360")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url(re.compile(r".*/r/report/[\d-]+/done/$"))
    number = phone.url.rstrip("/").split("/")[-2]
    case = staff.call("GET", f"/api/v1/cases/{number}", who="gridleader")
    assert case["management_grid"] == GRID

    # the community's directory and a retired grid's QR code, on the phone
    phone.goto(f"{base}/community/110101001001/")
    expect(phone.locator(f"#grid-{GRID}")).to_contain_text("网格长")
    fits(phone, "community-directory-360")
    retired = re.search(r"已调整网格的二维码 (/community/q/[^\s/]+/)", demo_output)
    assert retired, "the demo names a retired grid's QR page"
    phone.goto(base + retired.group(1))
    expect(phone.get_by_role("heading", name="这个网格已经调整")).to_be_visible()
    expect(phone.get_by_role("link", name="直接反映问题")).to_be_visible()
    fits(phone, "community-retired-360")
