"""#11 Done-when: after `gridgov demo` every post's first screen has work on it. Signs in as each demo account on
the shared demo site, opens its home page, checks the rows of its own list (the selector per post, typed by hand)
and saves a full-page screenshot of it as a test artifact (``ARTIFACTS``/first-screens/<account>.png)."""

import pytest

from .conftest import ARTIFACTS

# account → (its home page, the rows of the list that is its work)
FIRST_SCREENS = {
    "admin": ("/cases/", "#cs-rows tr[data-href]"),
    "leader": ("/dashboard/", "#by-level tbody tr"),
    "intake": ("/cases/", "#cs-rows tr[data-href]"),  # 待受理
    "shift": ("/cases/", "#cs-rows tr[data-href]"),  # 待审批（延期/挂账）
    "dispatcher": ("/cases/", "#cs-rows tr[data-href]"),  # 待派遣
    "supervisor": ("/cases/field/", "[data-list=todo] li.fd-task, [data-list=open] li.fd-task"),
    "inspector": ("/cases/field/", "[data-list=verify] li.fd-task, [data-list=inspect] li.fd-task"),
    "gridleader": ("/cases/field/", "[data-list=todo] li.fd-task"),  # 待我办理
    "gridworker": ("/cases/field/", "[data-list=open] li.fd-task"),  # 本网格在办案件
    "handler": ("/cases/inbox/", "#inbox-rows li.ib-row"),  # 待签收
    "resident": ("/r/", "ul.pub-list li"),  # 我反映的问题
    "clerk": ("/cases/", "#cs-rows tr[data-href]"),
    "city_shift": ("/cases/", "#cs-rows tr[data-href]"),
    "city_dispatcher": ("/cases/", "#cs-rows tr[data-href]"),
    "city_leader": ("/dashboard/", "#by-level tbody tr"),
    # a city department gets no district's dispatches (a dispatch goes to the case's own district's departments):
    # its work is the 督办通知书 the city sends it
    "city_handler": ("/oversight/", "#inbox tbody tr"),
}


@pytest.mark.parametrize("username", list(FIRST_SCREENS))
def test_each_posts_first_screen_has_work_and_is_saved(server, browser, username):
    base, _ = server
    home, rows = FIRST_SCREENS[username]
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("gridgov-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    page.goto(base + home)
    page.wait_for_load_state("networkidle")
    n = page.locator(rows).count()
    folder = ARTIFACTS / "first-screens"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{username}.png"), full_page=True)
    page.close()
    assert n > 0, f"{username}: no rows ({rows}) on {home}"
