"""A 邻里纠纷 mediated on its case page in a real browser: the 网格员 reports a 50001 case (through the API), the 网格长
opens its case page and records the mediation — two parties (one picked from the demo residents), a session and
the agreement — with the page's own forms; the record is then read back through the API."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect
from shapely.geometry import shape

SLOW = 20_000


def call(base, token, path, body=None):
    req = urllib.request.Request(base + path, method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def token_of(base, username):
    req = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                 data=json.dumps({"username": username, "password": "gridgov-demo"}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)["token"]


@pytest.fixture
def dispute(server):
    base, _ = server
    worker = token_of(base, "gridworker")
    grid = call(base, worker, "/api/v1/grids/management/110101001001W001")
    p = shape(grid["geometry"]).representative_point()
    r = call(base, worker, "/api/v1/cases", {"source": "grid_worker", "lon": p.x, "lat": p.y, "matter": "50001",
                                             "description": "楼上住户深夜装修，楼下住户上门争吵（浏览器测试）"})
    return r["case"]["number"]


def test_the_grid_leader_records_a_mediation_with_two_parties_and_an_agreement(server, browser, dispute):
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
    page.goto(f"{base}/cases/{dispute}/")
    panel = page.locator("#governance")
    expect(panel.get_by_role("heading", name="矛盾纠纷调解")).to_be_visible()

    opening = panel.locator('[data-form="mediation_open"]')
    opening.get_by_label("纠纷概要").fill("深夜装修噪音")
    first = opening.locator('select[name="p1_resident_id"] option').nth(1)
    resident_label = first.text_content()
    opening.locator('select[name="p1_resident_id"]').select_option(index=1)  # a demo resident of the grid
    opening.locator('input[name="p2_name"]').fill("李建国")
    opening.locator('input[name="p2_phone"]').fill("13912345678")
    opening.get_by_role("button", name="受理").click()
    expect(page.get_by_text("已受理调解")).to_be_visible(timeout=SLOW)
    parties = page.locator("#governance .gv-parties li")
    expect(parties).to_have_count(2)
    expect(parties.nth(0)).to_contain_text(resident_label.split("（")[0])
    expect(parties.nth(1)).to_contain_text("李建国")

    session = page.locator('#governance [data-form="mediation_session"]')
    session.get_by_label("地点").fill("多福巷社区调解室")
    session.get_by_label("调解员").fill("赵调解员")
    session.get_by_label("调解情况").fill("双方陈述，释法说理")
    session.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记调解")).to_be_visible(timeout=SLOW)
    expect(page.locator("#governance h2")).to_contain_text("调解中")

    outcome = page.locator('#governance [data-form="mediation_outcome"]')
    outcome.get_by_label("协议内容 / 调解不成原因").fill("晚十点后不再施工，装修时间提前告知邻居")
    outcome.get_by_role("button", name="登记结果").click()
    expect(page.get_by_text("已登记调解结果")).to_be_visible(timeout=SLOW)
    expect(page.locator("#governance .gv-agreement")).to_contain_text("晚十点后不再施工")
    context.close()
    assert errors == []

    record = call(base, token_of(base, "gridleader"), f"/api/v1/governance/cases/{dispute}/mediation")
    assert record["status"] == "agreed"
    assert [p["resident_id"] is not None for p in record["parties"]] == [True, False]
    assert [(s["place"], s["mediator"]) for s in record["sessions"]] == [("多福巷社区调解室", "赵调解员")]
