"""部门待办 (/cases/inbox/): each tab holds exactly the department's (or the node's) cases in that state, the
rework tab says the inspector's reason, 签收 is offered only where the table allows it, other posts get the 403
page, and the number of queries does not grow with the number of cases."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.cases.models import Case
from gridgov.cases.services import intake, transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users):
    """Cases of 110101-HW in every inbox state, plus one of another department and one delegated to a community."""
    from gridgov.geo.models import Grid

    g = Grid.objects.filter(layer__code="unit", community__code="110101001001").order_by("code").first()
    p = g.shape.representative_point()
    u = users

    def new(dept="110101-HW", *steps):
        n = intake(u["gridworker"], source="grid_worker", lon=p.x, lat=p.y, description="路边有暴露垃圾",
                   matter="06010", find_duplicates=False).case.number
        transition(u["intake"], n, "register")
        if dept.startswith("110101-"):
            transition(u["dispatcher"], n, "dispatch", {"department": dept})
        else:
            transition(u["dispatcher"], n, "delegate", {"node": dept})
        for who, action, data in steps:
            transition(u[who], n, action, data)
        return n

    holder = "handler"
    accept = (holder, "accept", {})
    handle = (holder, "handle", {"feedback": "已清理"})
    return {
        "pending": new(),
        "doing": new("110101-HW", accept),
        "rework": new("110101-HW", accept, handle, ("inspector", "inspect_fail", {"reason": "墙角仍有垃圾袋未清走"})),
        "requests": new("110101-HW", accept, (holder, "request_extension", {"reason": "需要调车", "amount": 2})),
        "suspended": new("110101-HW", accept, (holder, "request_suspension", {"reason": "产权不清"}),
                         ("shift", "approve_suspension", {})),
        "handled": new("110101-HW", accept, handle),
        "reworked_then_handled": new("110101-HW", accept, handle, ("inspector", "inspect_fail", {"reason": "x"}),
                                     (holder, "handle", {"feedback": "已返工"})),
        "other_department": new("110101-ZF"),
        "delegated": new("110101001001"),
    }


def numbers(html: str) -> set[str]:
    return set(re.findall(r'data-number="([^"]+)"', html))


def tab(client, key: str) -> str:
    r = client.get(f"/cases/inbox/?tab={key}")
    assert r.status_code == 200
    return r.content.decode()


def expected(key: str, dept_id: int) -> set[str]:
    """Computed independently of the page: the department's cases in that state (rework: a failed inspection
    after the last acceptance, from the timeline)."""
    from gridgov.cases.models import CaseEvent

    mine = Case.objects.filter(assignee_department_id=dept_id)
    status = {"pending": "dispatched", "doing": "accepted", "rework": "accepted", "requests": "accepted",
              "suspended": "suspended", "handled": "handled"}[key]
    out = set()
    for c in mine.filter(status=status):
        failed = status == "accepted" and CaseEvent.objects.filter(case=c, action="inspect_fail",
                                                                   at__gte=c.accepted_at).exists()
        if key == "rework" and not failed or key == "doing" and failed or key == "requests" and not c.pending_request:
            continue
        out.add(c.number)
    return out


def test_each_tab_shows_exactly_the_departments_cases_in_that_state(world, users, client_for):
    c = client_for("handler")
    dept = users["handler"].department_id
    for key in ["pending", "doing", "rework", "requests", "suspended", "handled"]:
        html = tab(c, key)
        shown = numbers(html)
        assert shown == expected(key, dept), key
        assert world[key] in shown, key
        assert world["other_department"] not in shown and world["delegated"] not in shown
        assert f'data-count="{key}">{len(shown)}<' in html, "the tab's count is the number of its rows"
    assert world["reworked_then_handled"] in numbers(tab(c, "handled"))
    assert world["reworked_then_handled"] not in numbers(tab(c, "rework"))
    assert world["requests"] in numbers(tab(c, "doing")), "a case with a pending request is still being handled"


def test_rework_tab_shows_the_inspectors_reason_and_rows_link_to_the_case(world, client_for):
    html = tab(client_for("handler"), "rework")
    row = html[html.index(f'data-number="{world["rework"]}"'):]
    row = row[:row.index("</li>")]
    assert "返工原因：墙角仍有垃圾袋未清走" in row
    assert f'href="/cases/{world["rework"]}/"' in row
    assert "暴露垃圾" in row, "the matter"
    html = tab(client_for("handler"), "requests")
    row = html[html.index(f'data-number="{world["requests"]}"'):]
    assert "延期申请 2" in row[:row.index("</li>")] and "申请理由：需要调车" in row[:row.index("</li>")]


def test_quick_accept_only_where_the_table_allows_it_and_it_works(world, client_for):
    c = client_for("handler")
    html = tab(c, "pending")
    assert f'action="/cases/{world["pending"]}/act/accept/"' in html
    assert "/act/accept/" not in tab(c, "doing"), "no 签收 button where 签收 is not possible"
    version = Case.objects.get(number=world["pending"]).version
    r = c.post(f"/cases/{world['pending']}/act/accept/", {"version": version, "next": "/cases/inbox/?tab=pending"})
    assert r.status_code == 302 and r["Location"] == "/cases/inbox/?tab=pending"
    assert Case.objects.get(number=world["pending"]).status == "accepted"
    html = c.get(r["Location"]).content.decode()
    assert world["pending"] not in numbers(html) and f"已签收：{world['pending']}" in html
    assert world["pending"] in numbers(tab(c, "doing"))


def test_a_node_holder_sees_what_was_delegated_to_the_node(world, client_for):
    html = tab(client_for("gridleader"), "pending")
    assert numbers(html) >= {world["delegated"]}
    assert world["pending"] not in numbers(html), "a department's case is not the community's"
    assert f'action="/cases/{world["delegated"]}/act/accept/"' in html


def test_handler_lands_on_the_inbox_and_other_posts_get_the_403_page(client_for):
    r = client_for("handler").get("/")
    assert r.status_code == 302 and r["Location"] == "/cases/inbox/"
    for who in ["leader", "inspector", "resident", "intake"]:
        r = client_for(who).get("/cases/inbox/")
        assert r.status_code == 403, who
        assert "无权访问" in r.content.decode()
    r = client_for(None).get("/cases/inbox/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_a_refused_quick_accept_writes_nothing(world, client_for):
    """Someone else's department posting 签收 is refused by the one action endpoint and nothing changes."""
    other = Case.objects.get(number=world["other_department"])
    before = (other.status, other.version)
    r = client_for("handler").post(f"/cases/{other.number}/act/accept/", {"version": other.version})
    assert r.status_code == 404, "another department's case is outside the handler's scope"
    other.refresh_from_db()
    assert (other.status, other.version) == before


def test_inbox_queries_do_not_grow_with_the_cases(world, users, client_for):
    c = client_for("handler")

    def count(key):
        with CaptureQueriesContext(connection) as ctx:
            tab(c, key)
        return len(ctx.captured_queries)

    before = {k: count(k) for k in ["pending", "rework", "requests"]}
    u = users
    for _ in range(4):
        n = intake(u["gridworker"], source="grid_worker", lon=Case.objects.get(number=world["pending"]).lon,
                   lat=Case.objects.get(number=world["pending"]).lat, description="垃圾", matter="06010",
                   find_duplicates=False).case.number
        transition(u["intake"], n, "register")
        transition(u["dispatcher"], n, "dispatch", {"department": "110101-HW"})
        transition(u["handler"], n, "accept")
        transition(u["handler"], n, "handle", {"feedback": "好"})
        transition(u["inspector"], n, "inspect_fail", {"reason": "没好"})
        transition(u["handler"], n, "request_suspension", {"reason": "等"})
    after = {k: count(k) for k in before}
    assert after == before
    assert len(numbers(tab(c, "rework"))) >= 5


def test_a_post_without_the_right_gets_403_and_nothing_is_written(world, client_for):
    """The quick 签收 posted by someone whose post may not accept (the leader sees the case but is read-only)."""
    case = Case.objects.get(number=world["pending"])
    before = (case.status, case.version, case.events.count())
    r = client_for("leader").post(f"/cases/{case.number}/act/accept/", {"version": case.version})
    assert r.status_code == 403
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count()) == before


def test_a_return_from_the_case_page_lands_on_the_inbox_saying_returned(world, client_for):
    """退回 from the case page: the case leaves the department's sight, so the handler lands on the inbox (not on a 404
    for the case they just sent back) with 「已退回：<number>」."""
    c = client_for("handler")
    n = world["pending"]
    version = Case.objects.get(number=n).version
    r = c.post(f"/cases/{n}/act/return/", {"version": version, "reason": "不属于本部门职责"})
    assert r.status_code == 302 and r["Location"] == "/cases/inbox/"
    html = c.get(r["Location"]).content.decode()
    assert f"已退回：{n}" in html
    assert Case.objects.get(number=n).status == "registered"
    assert c.get(f"/cases/{n}/").status_code == 404, "the case is no longer the department's"
