"""The tiered path 网格 → 社区 → 街道 → 区 → 市 over the API (issue #10 item 2; seeds 001 篇4, 003 篇8).

Expected action lists are written out by hand per post and step, from the brief and the seeds: a 网格员's report of
a social-governance matter lands with the 网格长 of its community (受理第一人), not in the district's queue; each
level 受理s, settles (处置), sends down (下派) or exactly one level up (上报上级 — to the level that sent it down where
there is one); the level that settled it is recorded.
"""

import json

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.cases.models import Case

pytestmark = pytest.mark.django_db

ROOT = "/api/v1/cases"
GRID, COMMUNITY, STREET = "110101001001W001", "110101001001", "110101001"
POSTS = ["admin", "leader", "intake", "clerk", "shift", "dispatcher", "supervisor", "inspector", "gridleader",
         "gridworker", "handler", "resident"]


def report(client_for, point, matter, who="gridworker", source="grid_worker"):
    r = client_for(who).post(ROOT, {"source": source, "lon": point[0], "lat": point[1], "matter": matter,
                                    "description": "楼上漏水引发邻里纠纷"}, content_type="application/json")
    assert r.status_code == 201, r.content
    return r.json()["case"]["number"]


def act(client_for, who, number, action, **data):
    r = client_for(who).post(f"{ROOT}/{number}/actions/{action}", json.dumps(data), content_type="application/json")
    assert r.status_code == 200, (who, action, r.content.decode())
    return r.json()


def actions_of(client_for, number) -> dict[str, object]:
    """What each post may do on the case now: its action codes (sorted), or the status when it cannot see it."""
    out = {}
    for post in POSTS:
        r = client_for(post).get(f"{ROOT}/{number}")
        out[post] = sorted(a["action"] for a in r.json()["actions"]) if r.status_code == 200 else r.status_code
    return out


def none_but(**posts) -> dict[str, object]:
    """Every staff post sees the case and may do nothing — except those named; the department and the resident
    do not see a case that was never sent to them or reported by them (404)."""
    want: dict[str, object] = {p: [] for p in POSTS}
    want["handler"] = want["resident"] = 404
    for post, actions in posts.items():
        want[post] = sorted(actions.split()) if isinstance(actions, str) else actions
    return want


def case(number) -> Case:
    return Case.objects.get(number=number)


# ---------------------------------------------------------------------------------------------- (a) settled in the grid


def test_a_neighbour_dispute_is_received_and_settled_in_the_grid(client_for, point):
    number = report(client_for, point, "50001")  # 邻里纠纷
    c = case(number)
    assert (c.status, c.assignee_node, c.assignee_department_id) == ("reported", GRID, None)
    # with the 网格长 (and the grid's 网格员, who may settle his own report on the spot); not in the centre's queue
    assert actions_of(client_for, number) == none_but(shift="void urge", gridleader="receive",
                                                      gridworker="receive self_handle")
    intake_queue = client_for("intake").get(f"{ROOT}?status=reported&level=district&limit=500").json()["items"]
    assert number not in [i["number"] for i in intake_queue]
    grid_queue = client_for("gridleader").get(f"{ROOT}?status=reported&level=grid&limit=500").json()["items"]
    assert number in [i["number"] for i in grid_queue]

    out = act(client_for, "gridleader", number, "receive")
    assert (out["status"], out["level"], out["first_contact"] is not None) == ("accepted", "grid", True)
    holder = "delegate escalate handle request_extension request_suspension"
    assert actions_of(client_for, number) == none_but(shift="urge", gridleader=holder, gridworker=holder)

    out = act(client_for, "gridleader", number, "handle", feedback="双方当面调解，达成谅解")
    assert (out["status"], out["settled_level"]) == ("handled", "grid")
    assert actions_of(client_for, number) == none_but(shift="urge", inspector="inspect_fail inspect_pass")

    act(client_for, "inspector", number, "inspect_pass")
    assert actions_of(client_for, number) == none_but(intake="close", shift="close urge")
    out = act(client_for, "intake", number, "close")
    assert (out["status"], out["settled_level"]) == ("closed", "grid")
    assert case(number).settled_level == "grid"


# ---------------------------------------------------------------------------------------------- (b) one level at a time


def test_a_fire_hazard_climbs_one_level_at_a_time_to_the_district(client_for, point):
    number = report(client_for, point, "52001")  # 消防隐患
    assert case(number).assignee_node == GRID
    assert actions_of(client_for, number) == none_but(shift="void urge", gridleader="receive",
                                                      gridworker="receive self_handle")
    holder = "delegate escalate handle request_extension request_suspension"

    act(client_for, "gridleader", number, "receive")  # 网格长 受理
    assert actions_of(client_for, number) == none_but(shift="urge", gridleader=holder, gridworker=holder)

    out = act(client_for, "gridleader", number, "escalate", reason="网格内无法协调，需社区处理")
    assert (out["status"], out["assignee_node"], out["level"]) == ("registered", COMMUNITY, "community")
    # at the community: its 网格长 (community staff) 受理s it, sends it down or up; the grid worker no longer holds it
    assert actions_of(client_for, number) == none_but(shift="urge void", gridleader="delegate escalate receive")

    act(client_for, "gridleader", number, "receive")  # 社区 受理
    assert actions_of(client_for, number) == none_but(shift="urge", gridleader=holder)
    out = act(client_for, "gridleader", number, "escalate", reason="涉及多个单位，需街道协调")
    assert (out["status"], out["assignee_node"], out["level"]) == ("registered", STREET, "street")
    assert actions_of(client_for, number) == none_but(shift="urge void", supervisor="delegate escalate receive")

    act(client_for, "supervisor", number, "receive")  # 街道分中心 受理
    assert actions_of(client_for, number) == none_but(shift="urge", supervisor=holder)
    out = act(client_for, "supervisor", number, "escalate", reason="需区消防部门处置")
    assert (out["status"], out["assignee_node"], out["level"]) == ("registered", "", "district")
    # at the district centre: dispatch to a department, send down, or up to the city (北京市 is above 东城区)
    assert actions_of(client_for, number) == none_but(
        intake="merge", shift="delegate dispatch escalate merge urge void", dispatcher="delegate dispatch escalate")

    act(client_for, "dispatcher", number, "dispatch", department="110101-HW")
    want = none_but(shift="urge", handler="accept contest return")  # 责任争议: the city block
    assert actions_of(client_for, number) == want
    act(client_for, "handler", number, "accept")
    assert actions_of(client_for, number) == none_but(
        shift="urge", handler="handle request_extension request_suspension")
    out = act(client_for, "handler", number, "handle", feedback="已清理楼道堆物，恢复消防通道")
    assert (out["status"], out["settled_level"]) == ("handled", "department")
    assert actions_of(client_for, number) == none_but(shift="urge", inspector="inspect_fail inspect_pass",
                                                      handler=[])
    act(client_for, "inspector", number, "inspect_pass")
    assert actions_of(client_for, number) == none_but(intake="close", shift="close urge", handler=[])
    out = act(client_for, "intake", number, "close")
    assert (out["status"], out["settled_level"]) == ("closed", "department")
    path = [(e.action, e.data.get("to")) for e in case(number).events.order_by("at", "id") if e.action == "escalate"]
    assert path == [("escalate", COMMUNITY), ("escalate", STREET), ("escalate", "")]


# ---------------------------------------------------------------------------------------------- (c) back to the sender


def test_escalating_a_delegated_case_goes_back_to_the_level_that_sent_it(client_for, point):
    number = report(client_for, point, "06010")  # 暴露垃圾: 数字城管, enters at the centre
    assert case(number).assignee_node == ""
    act(client_for, "intake", number, "register")
    act(client_for, "dispatcher", number, "delegate", node=STREET)  # district → street
    act(client_for, "supervisor", number, "accept")
    act(client_for, "supervisor", number, "delegate", node=COMMUNITY)  # street → community
    assert case(number).sent_down_from == ["", STREET]
    act(client_for, "gridleader", number, "accept")
    out = act(client_for, "gridleader", number, "escalate", reason="社区无力处置")
    assert (out["assignee_node"], out["level"]) == (STREET, "street")  # the street that sent it, not the district
    assert case(number).sent_down_from == [""]
    act(client_for, "supervisor", number, "receive")
    out = act(client_for, "supervisor", number, "escalate", reason="需区级部门")
    assert (out["assignee_node"], out["level"]) == ("", "district")
    # sent straight from the district to a community, it goes back to the district (the level that sent it)
    act(client_for, "dispatcher", number, "delegate", node=COMMUNITY)
    act(client_for, "gridleader", number, "accept")
    out = act(client_for, "gridleader", number, "escalate", reason="需区级协调")
    assert (out["assignee_node"], out["level"]) == ("", "district")


def test_the_community_settles_what_the_street_sent_down(client_for, point):
    before = client_for("leader").get(f"{ROOT}/levels/settled").json()
    number = report(client_for, point, "06010")
    act(client_for, "intake", number, "register")
    act(client_for, "dispatcher", number, "delegate", node=STREET)
    act(client_for, "supervisor", number, "accept")
    act(client_for, "supervisor", number, "delegate", node=COMMUNITY)
    act(client_for, "gridleader", number, "accept")
    out = act(client_for, "gridleader", number, "handle", feedback="社区组织清运")
    assert out["settled_level"] == "community"
    r = client_for("leader").get(f"{ROOT}/levels/settled").json()
    assert (r["community"] - before["community"], r["total"] - before["total"]) == (1, 1)


# ---------------------------------------------------------------------------------------------- bad input


def refused(client, number, action, status, code, **data):
    before = (AuditRecord.objects.count(), case(number).version, case(number).events.count())
    r = client.post(f"{ROOT}/{number}/actions/{action}", json.dumps(data), content_type="application/json")
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r.json()["message"]
    assert (AuditRecord.objects.count(), case(number).version, case(number).events.count()) == before  # nothing


def test_escalating_from_the_top_is_refused_and_writes_nothing(client_for, point, users):
    from gridgov.accounts.models import User

    number = report(client_for, point, "06010")
    act(client_for, "intake", number, "register")
    out = act(client_for, "shift", number, "escalate", reason="需市级协调")  # district → city (北京市 1101)
    assert (out["assignee_node"], out["level"]) == ("1101", "city")
    User.objects.create(username="city-dispatcher", role="dispatcher", node_key="1101")
    city = client_for("city-dispatcher")
    refused(city, number, "escalate", 409, "no_upper_level", reason="再往上报")
    # the centre no longer holds it: it may not dispatch nor escalate it again
    refused(client_for("dispatcher"), number, "dispatch", 403, "guard_failed", department="110101-HW")


def test_escalating_from_a_district_without_a_city_is_refused(client_for, point):
    from gridgov.geo.models import Jurisdiction

    number = report(client_for, point, "06010")
    act(client_for, "intake", number, "register")
    Jurisdiction.objects.filter(code="110101").update(parent=None)
    refused(client_for("shift"), number, "escalate", 409, "no_upper_level", reason="需市级协调")
    assert "市级" in client_for("shift").post(f"{ROOT}/{number}/actions/escalate", {"reason": "x"},
                                              content_type="application/json").json()["message"]


def test_delegating_to_a_level_that_is_not_below_or_does_not_exist_is_refused(client_for, point):
    number = report(client_for, point, "52001")
    act(client_for, "gridleader", number, "receive")
    act(client_for, "gridleader", number, "escalate", reason="上报社区")
    act(client_for, "gridleader", number, "receive")
    act(client_for, "gridleader", number, "escalate", reason="上报街道")
    act(client_for, "supervisor", number, "receive")
    supervisor = client_for("supervisor")
    refused(supervisor, number, "delegate", 400, "not_below", node="110101002")  # another street
    refused(supervisor, number, "delegate", 400, "not_below", node=STREET)  # its own level
    refused(supervisor, number, "delegate", 400, "not_containing", node="110101001002")  # not where the case is
    refused(supervisor, number, "delegate", 404, "unknown_node", node="110101001001W999")  # no such grid
    refused(client_for("gridleader"), number, "escalate", 403, "guard_failed", reason="不是本层级的案件")
    out = act(client_for, "supervisor", number, "delegate", node=GRID)  # street → grid: two levels down is fine
    assert (out["level"], case(number).sent_down_from) == ("grid", [STREET])


def test_the_centre_may_not_register_what_entered_at_the_grid(client_for, point):
    number = report(client_for, point, "50001")
    refused(client_for("intake"), number, "register", 403, "guard_failed")
    refused(client_for("clerk"), number, "assign_verify", 403, "guard_failed")


# ---------------------------------------------------------------------------------------------- where reports enter


@pytest.mark.parametrize("matter,who,source,node", [
    ("50001", "gridworker", "grid_worker", GRID),  # 邻里纠纷 from a grid worker: the grid
    ("50001", "gridleader", "grid_worker", GRID),  # … from the grid leader (source 网格员巡查): the grid
    ("52001", "resident", "resident", GRID),  # 消防隐患 from a resident: the grid
    ("55001", "gridworker", "grid_worker", GRID),  # 治安隐患: the grid
    ("50001", "intake", "hotline", ""),  # a 12345 call: the centre (no rule for the hotline)
    ("06010", "gridworker", "grid_worker", ""),  # 暴露垃圾 (GB/T 47678.5): the centre, as before
    ("06010", "resident", "resident", ""),
])
def test_where_a_report_enters(client_for, point, matter, who, source, node):
    assert case(report(client_for, point, matter, who, source)).assignee_node == node


def test_a_batch_enters_each_report_by_its_own_rule(client_for, point):
    body = {"reports": [{"source": "grid_worker", "lon": point[0], "lat": point[1], "matter": m,
                         "description": "巡查发现"} for m in ("50002", "06010")]}
    r = client_for("gridworker").post(f"{ROOT}/batch", body, content_type="application/json")
    assert r.status_code == 200, r.content
    numbers = [i["number"] for i in r.json()["results"]]
    assert [case(n).assignee_node for n in numbers] == [GRID, ""]


def test_a_district_changes_where_a_class_enters(client_for, point, users):
    from gridgov.cases.models import EntryRule
    from gridgov.cases.services import entry

    def audited():
        return list(AuditRecord.objects.filter(object_type="entry_rule").order_by("id").values_list("action", flat=True))

    before = audited()
    rule = entry.save_rule(users["admin"], {"major": "06", "source": "grid_worker", "level": "grid"})
    assert case(report(client_for, point, "06010")).assignee_node == GRID
    entry.save_rule(users["admin"], {"level": "centre"}, rule.pk)
    assert case(report(client_for, point, "06010")).assignee_node == ""
    entry.delete_rule(users["admin"], rule.pk)
    assert not EntryRule.objects.filter(pk=rule.pk).exists()
    assert audited() == [*before, "create", "update", "delete"]
    from gridgov.accounts.scope import NoRight

    with pytest.raises(NoRight):
        entry.save_rule(users["gridleader"], {"major": "06", "level": "grid"})


def test_the_settled_figures(client_for, point):
    """小事不出网格、大事不出社区: two settled in the grid, one in the community, one by a department."""
    def settle_in_grid():
        n = report(client_for, point, "50001")
        act(client_for, "gridleader", n, "receive")
        act(client_for, "gridleader", n, "handle", feedback="调解成功")

    before = client_for("admin").get(f"{ROOT}/levels/settled").json()
    settle_in_grid()
    settle_in_grid()
    n = report(client_for, point, "50003")
    act(client_for, "gridleader", n, "receive")
    act(client_for, "gridleader", n, "escalate", reason="物业纠纷需社区")
    act(client_for, "gridleader", n, "receive")
    act(client_for, "gridleader", n, "handle", feedback="社区约谈物业")
    n = report(client_for, point, "06010")
    act(client_for, "intake", n, "register")
    act(client_for, "dispatcher", n, "dispatch", department="110101-HW")
    act(client_for, "handler", n, "accept")
    act(client_for, "handler", n, "handle", feedback="已清运")
    after = client_for("admin").get(f"{ROOT}/levels/settled").json()
    assert {k: after[k] - before[k] for k in ("total", "grid", "community", "street", "above")} == {
        "total": 4, "grid": 2, "community": 1, "street": 0, "above": 1}
    if before["total"] == 0:
        assert (after["within_grid_pct"], after["within_community_pct"], after["above_pct"]) == (50.0, 75.0, 25.0)
    assert client_for("leader").get(f"{ROOT}/levels/settled?date_from=2026-12-02&date_to=2026-12-01").status_code \
        == 400
    assert client_for("resident").get(f"{ROOT}/levels/settled").status_code == 403
