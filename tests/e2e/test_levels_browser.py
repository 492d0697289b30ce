"""The tiered path through the pages (issue #10 item 2, case (b)): a 网格员 reports a 消防隐患 on the phone; it lands
with the 网格长 (not in the centre's queue), who 受理s it and sends it up to the community, 受理s it there and sends it
up to the street; the 督导员 受理s it at the 分中心 and sends it to the district; the dispatcher dispatches it, the
department handles it, the 监督员 inspects it and the 受理员 closes it. Each person signs in and clicks their action,
and sees exactly the actions of their level (the small forms on 我的任务, the forms on the case page)."""

import json
import re

from playwright.sync_api import expect
from shapely.geometry import shape

from .test_loop_browser import PHONE, act, actions_offered, person

SLOW = 15_000


def level_forms(page, number) -> set[str]:
    return set(page.locator(f'.fd-level-forms[data-case="{number}"] form').evaluate_all(
        "els => els.map(e => e.dataset.action)"))


def level_act(page, number, action, **fields):
    """Click a level action on 我的任务 (filling its one field) and come back to 我的任务."""
    form = page.locator(f'.fd-level-forms[data-case="{number}"] form[data-action="{action}"]')
    for name, value in fields.items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/cases/field/"), page.url


def test_a_fire_hazard_climbs_the_levels_through_the_pages(server, browser):
    base, _ = server
    # 1. the grid worker reports a 消防隐患 in his grid on the phone
    worker = person(browser, base, "gridworker", PHONE)
    worker.goto(base + "/cases/field/report/")
    data = json.loads(worker.locator("#map-data").text_content())
    p = shape(data["grids"]["features"][0]["geometry"]).representative_point()
    worker.wait_for_function("() => window.gridgovReportMap !== undefined")
    xy = worker.evaluate(f"(() => {{ const p = window.gridgovReportMap.latLngToContainerPoint([{p.y}, {p.x}]); "
                         f"return [p.x, p.y]; }})()")
    box = worker.locator("#report-map").bounding_box()
    worker.touchscreen.tap(box["x"] + xy[0], box["y"] + xy[1])
    expect(worker.locator("#where")).to_contain_text("网格", timeout=SLOW)
    worker.get_by_label("搜索：名称或拼音首字母").fill("消防隐患")
    choice = worker.locator("#matter-results").get_by_label(re.compile("消防隐患"))
    expect(choice).to_be_visible(timeout=SLOW)
    choice.check()
    worker.get_by_label("问题描述").fill("层级测试：三号楼楼道堆放杂物，堵塞消防通道")
    worker.get_by_role("button", name="提交上报").click()
    worker.wait_for_url(re.compile(r"/cases/field/report/\d{6}-\d{8}-\d{4,6}/$"))
    number = worker.get_by_test_id("case-number").inner_text().strip()
    case_url = f"{base}/cases/{number}/"

    # not in the centre's 待受理: the intake clerk has nothing to do on it
    intake = person(browser, base, "intake")
    intake.goto(case_url)
    assert actions_offered(intake) == set()

    # 2. the 网格长: the report waits on 我的任务 with 受理; then 自行处置 / 上报上级 / 下派
    leader = person(browser, base, "gridleader", PHONE)
    assert leader.url == base + "/cases/field/"
    assert level_forms(leader, number) == {"receive"}
    level_act(leader, number, "receive")
    assert level_forms(leader, number) == {"handle", "escalate", "delegate"}
    level_act(leader, number, "escalate", reason="网格内无法解决，上报社区")
    # 3. the community (its 网格长): 受理, then up to the street
    assert level_forms(leader, number) == {"receive", "escalate", "delegate"}
    level_act(leader, number, "receive")
    level_act(leader, number, "escalate", reason="涉及多家单位，上报街道分中心")
    assert level_forms(leader, number) == set()

    # 4. the street's 督导员 (分中心): 受理, then up to the district
    supervisor = person(browser, base, "supervisor", PHONE)
    assert level_forms(supervisor, number) == {"receive", "escalate", "delegate"}
    level_act(supervisor, number, "receive")
    assert level_forms(supervisor, number) == {"handle", "escalate", "delegate"}
    level_act(supervisor, number, "escalate", reason="需区级专业部门处置")

    # 5. the district's dispatcher dispatches it to a department
    dispatcher = person(browser, base, "dispatcher")
    dispatcher.goto(case_url)
    assert actions_offered(dispatcher) == {"dispatch", "delegate", "escalate"}
    act(dispatcher, "dispatch", department="110101-HW")
    assert actions_offered(dispatcher) == set()

    # 6. the department accepts and handles it
    handler = person(browser, base, "handler")
    handler.goto(case_url)
    assert actions_offered(handler) == {"accept", "contest", "return"}  # contest: 责任争议 (the city block)
    act(handler, "accept")
    assert actions_offered(handler) == {"handle", "request_extension", "request_suspension"}
    act(handler, "handle", feedback="已清理楼道杂物，消防通道畅通")

    # 7. the 监督员 inspects it, 8. the 受理员 closes it
    inspector = person(browser, base, "inspector")
    inspector.goto(case_url)
    assert actions_offered(inspector) == {"inspect_pass", "inspect_fail"}
    act(inspector, "inspect_pass")
    intake.goto(case_url)
    assert actions_offered(intake) == {"close"}
    act(intake, "close")
    expect(intake.locator("body")).to_contain_text("已结案")
    for page in (worker, intake, leader, supervisor, dispatcher, handler, inspector):
        page.context.close()
