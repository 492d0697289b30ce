"""人员网格 (issue #17 item 6; seed 003 篇4, seed 000): a school class of four dormitories run as grids over the pages —
a notice confirmed by three dormitories and the fourth shown as missing; the holiday's whereabouts and the return
check with a late and an overdue member; 例会 every two weeks with one missed; a member's report that becomes a case;
a dynamic group 「独居且 80 岁以上」 over hand-made residents; refusals (confirming twice, a return before the
departure) that write nothing; and who may do what, per post. Every expected value is typed by hand."""

import datetime as dt
import re

import pytest

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
GRID = "110101001001W001"
API = "/api/v1/groups"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def table(html: str, id_: str) -> str:
    m = re.search(rf'<table id="{id_}">(.*?)</table>', html, re.S)
    assert m, f"no table #{id_}"
    return m.group(1)


def cells(html: str, id_: str) -> list[list[str]]:
    """The rows of a table's body as lists of cell texts (tags removed)."""
    body = table(html, id_).split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def make_class(client) -> dict:
    """护理班 → 1–4号寝室, each with a 寝室长 (cadre) and one more member, made over the pages by the grid leader."""
    r = client.post("/groups/orgs/new/", {"name": "测试学院 护理一班", "kind": "school", "grid": GRID,
                                          "head": "班主任 林老师", "meeting_start": "2026-09-07"})
    assert r.status_code == 302, r.content
    from gridgov.groups.models import Group, Organisation

    org = Organisation.objects.get(name="测试学院 护理一班")
    assert r["Location"] == f"/groups/orgs/{org.pk}/"
    assert client.post(f"/groups/orgs/{org.pk}/group/", {"name": "护理一班"}).status_code == 302
    klass = Group.objects.get(organisation=org, name="护理一班")
    heads = {"1号寝室": "张晓梅", "2号寝室": "李雨晴", "3号寝室": "王思远", "4号寝室": "赵一凡"}
    others = {"1号寝室": "陈佳", "2号寝室": "刘畅", "3号寝室": "杨帆", "4号寝室": "黄蕾"}
    groups = {}
    for dorm in heads:
        client.post(f"/groups/orgs/{org.pk}/group/", {"name": dorm, "parent_id": klass.pk})
        groups[dorm] = Group.objects.get(organisation=org, name=dorm)
        client.post(f"/groups/orgs/{org.pk}/member/", {"group_id": groups[dorm].pk, "name": heads[dorm],
                                                        "title": "寝室长", "phone": "13912345678", "cadre": "on"})
        client.post(f"/groups/orgs/{org.pk}/member/", {"group_id": groups[dorm].pk, "name": others[dorm]})
    return {"org": org, "klass": klass, "groups": groups}


def test_a_class_of_four_dormitories_a_notice_confirmed_by_three_and_the_missing_one_shown(frozen, client_for):
    leader, worker = client_for("gridleader"), client_for("gridworker")
    made = make_class(leader)
    org, groups = made["org"], made["groups"]
    page = leader.get(f"/groups/orgs/{org.pk}/").content.decode()
    assert cells(page, "groups") == [["护理一班", "—", "0"], ["└ 1号寝室", "张晓梅", "2"], ["└ 2号寝室", "李雨晴", "2"],
                                     ["└ 3号寝室", "王思远", "2"], ["└ 4号寝室", "赵一凡", "2"]]
    # a notice to 「all groups」 goes to the four dormitories (the groups without sub-groups)
    r = leader.post(f"/groups/orgs/{org.pk}/notice/", {"title": "关于办理落户手续的通知", "body": "周五前提交材料"})
    assert r.status_code == 302
    from gridgov.groups.models import Notice

    notice = Notice.objects.get(organisation=org)
    for dorm in ("1号寝室", "2号寝室", "3号寝室"):
        r = worker.post(f"/groups/notices/{notice.pk}/confirm/", {"group_id": groups[dorm].pk})
        assert r.status_code == 302
    page = leader.get(f"/groups/notices/{notice.pk}/").content.decode()
    assert "已确认 3 / 4" in page
    assert [row[:2] for row in cells(page, "missing")] == [["4号寝室", "赵一凡"]]
    assert [row[:2] for row in cells(page, "confirmed")] == [["1号寝室", "张晓梅"], ["2号寝室", "李雨晴"],
                                                             ["3号寝室", "王思远"]]
    page = leader.get(f"/groups/orgs/{org.pk}/").content.decode()
    assert cells(page, "notices")[0][2:] == ["3 / 4", "4号寝室"]
    # confirming the same dormitory twice: refused with its message, the first confirmation stays
    first = notice.receipts.get(group=groups["1号寝室"]).confirmed_at
    before = AuditRecord.objects.count()
    r = worker.post(f"/groups/notices/{notice.pk}/confirm/", {"group_id": groups["1号寝室"].pk}, follow=True)
    assert "「1号寝室」已于 2026-11-02 09:00 确认，不能重复确认" in r.content.decode()
    r = post(worker, f"{API}/notices/{notice.pk}/confirm", {"group_id": groups["1号寝室"].pk})
    assert (r.status_code, r.json()["code"]) == (409, "already_confirmed")
    assert notice.receipts.get(group=groups["1号寝室"]).confirmed_at == first
    assert AuditRecord.objects.count() == before
    # the class itself was not addressed
    r = post(worker, f"{API}/notices/{notice.pk}/confirm", {"group_id": made["klass"].pk})
    assert (r.status_code, r.json()["code"]) == (400, "not_addressed")
    # the API says the same: three confirmed, 4号寝室 missing
    body = worker.get(f"{API}/notices/{notice.pk}").json()
    assert [x["group"] for x in body["confirmed"]] == ["1号寝室", "2号寝室", "3号寝室"]
    assert [(x["group"], x["cadre"]) for x in body["missing"]] == [("4号寝室", "赵一凡")]


def test_the_cadre_confirms_for_the_dormitory_from_its_page_with_a_linked_account(frozen, client_for, users):
    leader = client_for("gridleader")
    made = make_class(leader)
    org, dorm = made["org"], made["groups"]["4号寝室"]
    leader.post(f"/groups/orgs/{org.pk}/member/", {"group_id": dorm.pk, "name": "孙悦", "username": "resident",
                                                    "cadre": "on", "title": "寝室长"})
    leader.post(f"/groups/orgs/{org.pk}/notice/", {"title": "返校安全提醒"})
    me = client_for("resident")  # a resident account: no staff right, but the cadre of 4号寝室
    page = me.get(f"/groups/g/{dorm.pk}/").content.decode()
    assert "测试学院 护理一班 · 4号寝室" in page and "确认收到（代表本网格）" in page
    from gridgov.groups.models import Notice

    n = Notice.objects.get(organisation=org)
    r = me.post(f"/groups/notices/{n.pk}/confirm/", {"group_id": dorm.pk, "back": f"/groups/g/{dorm.pk}/"})
    assert r.status_code == 302 and r["Location"] == f"/groups/g/{dorm.pk}/"
    receipt = n.receipts.get(group=dorm)
    assert receipt.member.name == "孙悦" and receipt.confirmed_by == users["resident"]
    # the same account may not confirm for another dormitory, nor read the notice's page
    r = post(me, f"{API}/notices/{n.pk}/confirm", {"group_id": made["groups"]["1号寝室"].pk})
    assert r.status_code == 403
    assert me.get(f"/groups/notices/{n.pk}/").status_code == 403
    assert me.get(f"/groups/g/{made['groups']['1号寝室'].pk}/").status_code == 403


def test_the_return_check_lists_the_late_and_the_overdue_and_masks_places_for_readers(frozen, client_for, users):
    from gridgov.basedata.models import AccessLog
    from gridgov.groups.models import Member, Whereabouts

    leader = client_for("gridleader")
    org = make_class(leader)["org"]
    ids = dict(Member.objects.filter(organisation=org).values_list("name", "pk"))
    r = post(leader, f"{API}/orgs/{org.pk}/holidays", {"name": "国庆假期", "starts_on": "2026-10-01",
                                                       "ends_on": "2026-10-07", "return_due_on": "2026-10-08"})
    assert r.status_code == 201, r.content
    h = r.json()["id"]
    plans = [("张晓梅", "home", "江苏省南通市", "2026-10-01", "2026-10-07"),
             ("李雨晴", "home", "安徽省合肥市", "2026-09-30", "2026-10-07"),
             ("王思远", "stay", "", None, None),
             ("赵一凡", "travel", "云南省大理市", "2026-10-02", "2026-10-08")]
    for name, plan, place, leave, back in plans:
        r = post(leader, f"{API}/holidays/{h}/whereabouts", {"member_id": ids[name], "plan": plan, "place": place,
                                                             "leave_on": leave, "back_on": back})
        assert r.status_code == 200, r.content
    # one write, one audit record: the place named as a field, never its value
    n = AuditRecord.objects.count()
    assert post(leader, f"{API}/holidays/{h}/returns", {"member_id": ids["张晓梅"], "returned_on": "2026-10-08"}
                ).status_code == 200
    assert AuditRecord.objects.count() == n + 1
    record = AuditRecord.objects.filter(object_type="group_holiday", action="whereabouts").order_by("-id").first()
    assert record.after["fields"] == ["place"] and "云南" not in str(record.after)
    assert post(leader, f"{API}/holidays/{h}/returns", {"member_id": ids["李雨晴"], "returned_on": "2026-10-10"}
                ).status_code == 200
    # bad input: a return before the departure, a planned return before the departure, a second return
    before = (Whereabouts.objects.filter(holiday_id=h).values_list("member_id", "returned_on", "back_on")
              .order_by("member_id"))
    before = list(before)
    r = post(leader, f"{API}/holidays/{h}/returns", {"member_id": ids["赵一凡"], "returned_on": "2026-10-01"})
    assert (r.status_code, r.json()["code"]) == (400, "return_before_departure")
    assert r.json()["message"] == "返回日期 2026-10-01 早于离开日期 2026-10-02"
    r = leader.post(f"/groups/holidays/{h}/return/", {"member_id": ids["赵一凡"], "returned_on": "2026-10-01"},
                    follow=True)
    assert "返回日期 2026-10-01 早于离开日期 2026-10-02" in r.content.decode()
    r = post(leader, f"{API}/holidays/{h}/whereabouts", {"member_id": ids["赵一凡"], "plan": "home", "place": "大理",
                                                         "leave_on": "2026-10-05", "back_on": "2026-10-03"})
    assert (r.status_code, r.json()["code"]) == (400, "return_before_departure")
    r = post(leader, f"{API}/holidays/{h}/returns", {"member_id": ids["李雨晴"], "returned_on": "2026-10-09"})
    assert (r.status_code, r.json()["code"]) == (409, "already_returned")
    r = post(leader, f"{API}/holidays/{h}/returns", {"member_id": ids["王思远"], "returned_on": "2026-10-09"})
    assert (r.status_code, r.json()["code"]) == (400, "not_away")
    after = list(Whereabouts.objects.filter(holiday_id=h).values_list("member_id", "returned_on", "back_on")
                 .order_by("member_id"))
    assert after == before
    # the check on 2 November: 张 on time, 李 two days late, 王 stayed, 赵 not back (overdue), the rest unrecorded
    logged = AccessLog.objects.filter(target="group_whereabouts").count()
    body = leader.get(f"{API}/holidays/{h}").json()
    states = {row["name"]: (row["state_label"], row["place"]) for row in body["rows"]}
    assert states == {"张晓梅": ("按时返回", "江苏省南通市"), "李雨晴": ("逾期返回", "安徽省合肥市"), "王思远": ("未离开", ""),
                      "赵一凡": ("逾期未返回", "云南省大理市"), "陈佳": ("去向未登记", ""), "刘畅": ("去向未登记", ""),
                      "杨帆": ("去向未登记", ""), "黄蕾": ("去向未登记", "")}
    assert body["overdue"] == ["李雨晴", "赵一凡"]
    assert body["counts"] == {"staying": 1, "returned": 1, "late": 1, "away": 0, "overdue": 1, "unknown": 4}
    # the full places were read: one access-log line naming three places
    log = AccessLog.objects.filter(target="group_whereabouts").order_by("-id").first()
    assert AccessLog.objects.filter(target="group_whereabouts").count() == logged + 1
    assert (log.username, log.object_id, log.fields, log.count) == ("gridleader", str(h), "place", 3)
    # the leader (groups.view only) sees names and places masked, and no access is logged for it
    seen = client_for("leader").get(f"{API}/holidays/{h}").json()
    assert {r["name"]: r["place"] for r in seen["rows"] if r["place"]} == {"张**": "江苏***", "李**": "安徽***",
                                                                           "赵**": "云南***"}
    assert AccessLog.objects.filter(target="group_whereabouts").count() == logged + 1
    # the page lists both
    page = leader.get(f"/groups/holidays/{h}/").content.decode()
    assert "赵一凡（4号寝室）逾期未返回" in page and "李雨晴（2号寝室）逾期返回：2026-10-10" in page


def test_meetings_every_two_weeks_with_minutes_and_the_missed_one_shown(frozen, client_for):
    leader = client_for("gridleader")
    org = make_class(leader)["org"]  # 例会 from 2026-09-07: 09-07, 09-21, 10-05, 10-19, 11-02 (today)
    for day in ("2026-09-07", "2026-09-21", "2026-10-19"):
        r = leader.post(f"/groups/orgs/{org.pk}/meeting/", {"scheduled_for": day, "held_on": day,
                                                            "minutes": f"{day} 例会：总结两周工作", "recorder": "文艺委员"})
        assert r.status_code == 302
    r = post(leader, f"{API}/orgs/{org.pk}/meetings", {"scheduled_for": "2026-09-08", "held_on": "2026-09-08",
                                                       "minutes": "不是计划日"})
    assert (r.status_code, r.json()["code"]) == (400, "not_scheduled")
    r = post(leader, f"{API}/orgs/{org.pk}/meetings", {"scheduled_for": "2026-09-21", "held_on": "2026-09-21",
                                                       "minutes": "又一次"})
    assert (r.status_code, r.json()["code"]) == (409, "meeting_exists")
    body = leader.get(f"{API}/orgs/{org.pk}").json()
    assert [(m["scheduled_for"], m["missed"], bool(m["minutes"])) for m in body["meetings"]] == [
        ("2026-11-02", False, False), ("2026-10-19", False, True), ("2026-10-05", True, False),
        ("2026-09-21", False, True), ("2026-09-07", False, True)]
    assert body["next_meeting"] == "2026-11-16"
    page = leader.get(f"/groups/orgs/{org.pk}/").content.decode()
    assert "未召开 1 次" in page
    assert cells(page, "meetings")[2] == ["2026-10-05", "未召开（无纪要）"]


def test_a_member_report_from_the_group_page_becomes_a_case_with_the_group_as_its_source(frozen, client_for, users):
    from gridgov.cases.models import Case
    from gridgov.groups.models import GroupReport

    leader = client_for("gridleader")
    made = make_class(leader)
    org, dorm = made["org"], made["groups"]["3号寝室"]
    leader.post(f"/groups/orgs/{org.pk}/member/", {"group_id": dorm.pk, "name": "周宁", "username": "resident"})
    me = client_for("resident")
    r = me.post(f"/groups/g/{dorm.pk}/report/", {"description": "宿舍楼下路灯不亮，夜里很黑"})
    assert r.status_code == 302
    rep = GroupReport.objects.get(group=dorm)
    assert (rep.member.name, rep.reported_by.username, rep.group.organisation.name) == ("周宁", "resident",
                                                                                        "测试学院 护理一班")
    case = Case.objects.get(pk=rep.case_id)
    assert case.description == "【人员网格·测试学院 护理一班·3号寝室】宿舍楼下路灯不亮，夜里很黑"
    assert case.scope_key.startswith(GRID + ".") and case.status == "reported"
    assert case.reports.get().source == "resident"
    # staff report for a member from the page (the API: 201 with the case number)
    r = post(client_for("gridworker"), f"{API}/groups/{dorm.pk}/reports", {
        "description": "楼道消防通道堆放自行车", "member_id": rep.member_id})
    assert r.status_code == 201, r.content
    assert (r.json()["group"], r.json()["organisation"]) == ("3号寝室", "测试学院 护理一班")
    assert Case.objects.get(number=r.json()["case_number"]).reports.get().source == "grid_worker"
    # an empty report is refused and makes no case
    n = Case.objects.count()
    r = post(client_for("gridworker"), f"{API}/groups/{dorm.pk}/reports", {"description": "  "})
    assert (r.status_code, r.json()["code"]) == (400, "required")
    assert Case.objects.count() == n
    # a resident who is not a member may not report from another group
    r = me.post(f"/groups/g/{made['groups']['1号寝室'].pk}/report/", {"description": "x"})
    assert r.status_code == 403


# ---------------------------------------------------------------- dynamic groups over hand-made residents


def _residents(users):
    """Five residents (ages on 2 November 2026), tagged 「测试人群」 so that only they can match:
    甲 85 alone · 乙 78 alone (79 only tomorrow) · 丙 80 today, alone · 丁 90 with 戊 (36) in one household."""
    from gridgov.basedata import services as bd
    from gridgov.basedata.logic.ids import make_id
    from gridgov.basedata.models import Dwelling, KeyCategory

    KeyCategory.objects.create(code="groups_test", name="测试人群", roles=["grid_leader", "grid_worker", "leader"])
    dwelling = Dwelling.objects.filter(scope_key__startswith=GRID + ".").order_by("id").first()
    people = [("孤甲", dt.date(1941, 5, 10), "HGT-1"), ("孤乙", dt.date(1947, 11, 3), "HGT-2"),
              ("孤丙", dt.date(1946, 11, 2), "HGT-3"), ("老丁", dt.date(1936, 1, 1), "HGT-4"),
              ("小戊", dt.date(1990, 1, 1), "HGT-4")]
    for i, (name, born, hh) in enumerate(people):
        r = bd.create_resident(users["gridleader"], {"name": name, "id_number": make_id("110101", born, 900 + i),
                                                     "dwelling_id": dwelling.pk, "household_number": hh})
        bd.tag_resident(users["gridleader"], r.pk, "groups_test")


def test_a_dynamic_group_of_residents_living_alone_and_over_80(frozen, client_for, users):
    _residents(users)
    leader = client_for("gridleader")
    r = post(leader, f"{API}/dynamic", {"name": "独居且 80 岁以上（测试）", "place": "110101001001", "responsible": "网格长 李",
                                        "conditions": [{"field": "age", "op": "gte", "value": 80},
                                                       {"field": "living_alone", "op": "eq", "value": True},
                                                       {"field": "tag", "op": "eq", "value": "groups_test"}]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["conditions"] == "年龄 ≥ 80 岁 且 独居 且 重点人群类别为「测试人群」"
    assert [(m["name"], m["age"]) for m in body["members"]] == [("孤甲", 85), ("孤丙", 80)]
    # recomputed on demand: 老丁's companion moves out — he now lives alone and joins
    from gridgov.basedata.models import Resident

    Resident.objects.filter(name="小戊", household__number="HGT-4").update(status="moved_out")
    again = leader.get(f"{API}/dynamic/{body['id']}").json()
    assert [(m["name"], m["age"]) for m in again["members"]] == [("老丁", 90), ("孤甲", 85), ("孤丙", 80)]
    # 70–79 and living alone: only 孤乙 (78)
    r = post(leader, f"{API}/dynamic", {"name": "70 至 79 岁独居", "place": GRID, "responsible": "网格员",
                                        "conditions": [{"field": "age", "op": "gte", "value": 70},
                                                       {"field": "age", "op": "lte", "value": 79},
                                                       {"field": "living_alone", "op": "eq", "value": "true"},
                                                       {"field": "tag", "op": "eq", "value": "groups_test"}]})
    assert [m["name"] for m in r.json()["members"]] == ["孤乙"]
    # the page, for the leader (groups.view only): names masked
    page = client_for("leader").get(f"/groups/dynamic/{body['id']}/").content.decode()
    assert [row[:2] for row in cells(page, "people")] == [["老*", "90"], ["孤*", "85"], ["孤*", "80"]]
    # bad conditions
    r = post(leader, f"{API}/dynamic", {"name": "x", "place": GRID, "responsible": "y",
                                        "conditions": [{"field": "income", "op": "gte", "value": 1}]})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_conditions")
    r = post(leader, f"{API}/dynamic", {"name": "x", "place": GRID, "responsible": "y",
                                        "conditions": [{"field": "age", "op": "eq", "value": 80}]})
    assert r.json()["message"] == "「年龄」只能用 ≥、≤"
    r = post(leader, f"{API}/dynamic", {"name": "x", "place": "110101002001", "responsible": "y",
                                        "conditions": [{"field": "age", "op": "gte", "value": 80}]})
    assert (r.status_code, r.json()["code"]) == (404, "place_not_found")


# ---------------------------------------------------------------- rights per post (pages)

# post → (GET /groups/, the navigation names 人员网格, POST /groups/orgs/new/ makes an organisation)
# the demo's resident account is the 寝室长 of the demo class's 4号寝室: /groups/ shows it their own groups (我的网格),
# without a navigation entry and without any staff right
PAGE_RIGHTS = {
    "admin": (200, True, True), "leader": (200, True, False), "intake": (403, False, False),
    "shift": (403, False, False), "dispatcher": (403, False, False), "supervisor": (200, True, True),
    "inspector": (403, False, False), "gridleader": (200, True, True), "gridworker": (200, True, True),
    "handler": (403, False, False), "resident": (200, False, False), "clerk": (403, False, False),
}


@pytest.mark.parametrize("post_name", list(PAGE_RIGHTS))
def test_who_may_read_and_manage_groups(post_name, client_for):
    from gridgov.groups.models import Organisation

    c = client_for(post_name)
    read, nav, manage = PAGE_RIGHTS[post_name]
    page = c.get("/groups/")
    assert page.status_code == read
    assert ('<a href="/groups/" aria-current="page">人员网格</a>' in page.content.decode()) is nav
    n = Organisation.objects.count()
    r = c.post("/groups/orgs/new/", {"name": f"{post_name} 的单位", "kind": "company", "grid": GRID})
    assert (r.status_code == 302 and r["Location"].startswith("/groups/orgs/")) is manage
    assert Organisation.objects.count() == n + (1 if manage else 0)


def test_a_member_without_staff_rights_sees_only_their_own_groups(client_for):
    page = client_for("resident").get("/groups/").content.decode()
    assert "我的网格" in page
    assert re.findall(r'<li><a href="/groups/g/\d+/">([^<]+)</a>([^<]*)</li>', page) == [
        ("演示医学院 13级护理班 · 4号寝室", "（负责人）")]
    assert "演示物业服务公司" not in page


def test_a_grid_worker_of_another_street_does_not_see_the_class(frozen, client_for, users):
    from gridgov.accounts.models import User

    org = make_class(client_for("gridleader"))["org"]
    other = User.objects.filter(role="grid_worker", node_key__startswith="110101002").order_by("id").first()
    c = client_for(other.username)
    assert c.get(f"/groups/orgs/{org.pk}/").status_code == 404
    assert c.get(f"{API}/orgs/{org.pk}").status_code == 404
    assert "测试学院 护理一班" not in c.get("/groups/").content.decode()
    # nor may the demo's grid worker place an organisation in that street's grid
    r = post(client_for("gridworker"), f"{API}/orgs", {"name": "越界单位", "grid": "110101002001W001"})
    assert (r.status_code, r.json()["code"]) == (404, "grid_not_found")
    r = post(client_for("gridworker"), f"{API}/orgs", {"name": "间隔有误", "grid": GRID, "meeting_every": 0})
    assert r.status_code == 422


def test_the_demo_class_has_four_dormitories_and_one_missing_confirmation(client_for):
    from gridgov.groups.models import Notice, Organisation

    school = Organisation.objects.get(name="演示医学院 13级护理班")
    n = Notice.objects.get(organisation=school)
    page = client_for("gridworker").get(f"/groups/notices/{n.pk}/").content.decode()
    assert [row[0] for row in cells(page, "missing")] == ["4号寝室"]
    assert [row[0] for row in cells(page, "confirmed")] == ["1号寝室", "2号寝室", "3号寝室"]
