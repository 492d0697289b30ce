"""The city level (市→区派件), 督办通知书 with 整改, and 责任争议裁定 — over the API, with figures typed by hand.

Specification: issue #10 items 3 and 4 and the brief; seeds 001 第五篇 (市、区两级 监督中心和指挥中心), 第三篇 (任务派遣
准确率 95% 以上; 市网格化城市管理办公室问题督办通知书 62 份，整改问题 53 处), 003 篇7 附件1 (市区两级平台派件: 及时率 ×
结案率), 003 篇8 (区法制办 …责任争议裁定工作机制; 24 小时之内签收).

The clock is frozen in March 2026 (the test world's demo cases are of the days before the session), and each test
starts from no 派件 and no notices, so every count below is the test's own.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 16, 9, 0, tzinfo=SH)
ROOT = "/api/v1"
CITY = "1101"  # 北京市


@pytest.fixture
def world(time_machine, client_for):
    from gridgov.accounts.models import Department, User
    from gridgov.geo.models import Jurisdiction
    from gridgov.oversight.models import CityDispatch, Notice

    time_machine.move_to(MONDAY, tick=False)
    CityDispatch.objects.all().delete()
    Notice.objects.all().delete()
    city = Jurisdiction.objects.get(code=CITY)
    Department.objects.get_or_create(code="1101-CG", defaults={"name": "市城市管理委员会", "district": city})
    for name, role in [("t-city-shift", "shift_leader"), ("t-city-dispatcher", "dispatcher"),
                       ("t-city-leader", "leader"), ("t-city-intake", "intake_clerk")]:
        User.objects.update_or_create(username=name, defaults={"role": role, "node_key": CITY})
    return World(client_for, time_machine)


class World:
    def __init__(self, client_for, clock):
        self.client_for, self.clock, self._clients = client_for, clock, {}

    def c(self, who):
        if who not in self._clients:
            self._clients[who] = self.client_for(who)
        return self._clients[who]

    def post(self, who, path, body=None, status=200):
        r = self.c(who).post(ROOT + path, body or {}, content_type="application/json")
        assert r.status_code == status, (who, path, r.status_code, r.content[:300].decode(errors="replace"))
        return r.json()

    def get(self, who, path, status=200):
        r = self.c(who).get(ROOT + path)
        assert r.status_code == status, (who, path, r.status_code, r.content[:300].decode(errors="replace"))
        return r.json()

    def act(self, who, number, action, status=200, **data):
        return self.post(who, f"/cases/{number}/actions/{action}", data, status)

    def at(self, when: dt.datetime):
        self.clock.move_to(when, tick=False)

    def city_case(self, point) -> str:
        """A case the city centre files (领导交办) in 东城区 and registers: held by the city, not yet sent."""
        lon, lat = point
        n = self.post("t-city-shift", "/cases", {"source": "leader", "lon": lon, "lat": lat, "matter": "06010",
                                                 "description": "市领导交办：路边暴露垃圾"}, 201)["case"]["number"]
        self.act("t-city-shift", n, "register", matter="06010")
        return n

    def district_case(self, point, dispatch_to="110101-HW") -> str:
        lon, lat = point
        n = self.post("intake", "/cases", {"source": "inspector", "lon": lon, "lat": lat, "matter": "06010",
                                           "description": "路边暴露垃圾"}, 201)["case"]["number"]
        self.act("intake", n, "register", matter="06010")
        if dispatch_to:
            self.act("dispatcher", n, "dispatch", department=dispatch_to)
        return n


def nothing_written(fn):
    """Run ``fn`` (a refused request) and assert it wrote no audit record."""
    before = AuditRecord.objects.count()
    fn()
    assert AuditRecord.objects.count() == before


# ------------------------------------------------------------------------------------------ 市→区派件


def test_a_city_dispatch_goes_round_the_districts_loop_and_the_city_sees_the_answer(world, point):
    w = world
    n = w.city_case(point)
    # the district sees the city's registered case but it is the city's to send: 待派遣 for the city dispatcher
    d = w.post("t-city-dispatcher", "/oversight/dispatches",
               {"case": n, "district": "110101", "due_at": "2026-03-20T18:00:00+08:00", "note": "请于本周内办结"}, 201)
    assert (d["state"], d["district"], d["district_name"], d["case_status"]) == ("waiting", "110101", "东城区",
                                                                                  "dispatched")
    case = w.get("dispatcher", f"/cases/{n}")
    assert case["assignee_node"] == "110101" and "accept" in [a["action"] for a in case["actions"]]
    # the district centre hears of it
    inbox = w.get("dispatcher", "/notifications")["items"]
    assert any(m["object_id"] == n and m["kind"] == "case.city_dispatch" for m in inbox)
    # before 签收 it cannot answer
    r = w.post("dispatcher", f"/oversight/dispatches/{d['id']}/answer", {"text": "已办结"}, 409)
    assert r["code"] == "not_signed"
    # 签收, then the district's own loop: 派遣 to its department, 签收, 处置, 核查, 结案
    w.at(MONDAY + dt.timedelta(hours=2))
    w.act("dispatcher", n, "accept")
    assert w.get("t-city-dispatcher", f"/oversight/dispatches/{d['id']}")["state"] == "signed"
    w.act("dispatcher", n, "dispatch", department="110101-HW")
    w.act("handler", n, "accept")
    w.act("handler", n, "handle", feedback="已清运")
    w.act("inspector", n, "inspect_pass")
    w.act("intake", n, "close")
    w.at(dt.datetime(2026, 3, 18, 15, 0, tzinfo=SH))
    w.post("dispatcher", f"/oversight/dispatches/{d['id']}/answer", {"text": "已清运，现场恢复整洁"})
    # the city sees the state, the reply and that it was on time
    seen = w.get("t-city-leader", f"/oversight/dispatches/{d['id']}")
    assert (seen["state"], seen["answer"], seen["on_time"], seen["closed"], seen["case_status"]) == (
        "answered", "已清运，现场恢复整洁", True, True, "closed")
    assert seen["answered_at"].startswith("2026-03-18T07:00:00")
    # a second 派件, answered after its deadline and not closed: 及时率 1/2, 结案率 1/2, 及时率 × 结案率 0.25
    m = w.city_case(point)
    d2 = w.post("t-city-shift", "/oversight/dispatches", {"case": m, "district": "110101",
                                                          "due_at": "2026-03-19T18:00:00+08:00"}, 201)
    w.act("shift", m, "accept")
    w.at(dt.datetime(2026, 3, 20, 9, 0, tzinfo=SH))
    assert w.post("shift", f"/oversight/dispatches/{d2['id']}/answer", {"text": "正在协调"})["on_time"] is False
    o = w.get("t-city-leader", "/oversight/overview")
    east = next(r for r in o["districts"] if r["code"] == "110101")
    west = next(r for r in o["districts"] if r["code"] == "110102")
    assert (east["city_dispatches"], east["city_in_progress"], east["timely_rate"], east["closed_rate"],
            east["score"]) == (2, 0, 0.5, 0.5, 0.25)
    assert (west["city_dispatches"], west["timely_rate"], west["score"]) == (0, None, None)
    # the district sees its own 派件 only; a street sees none
    assert {x["id"] for x in w.get("dispatcher", "/oversight/dispatches")["items"]} == {d["id"], d2["id"]}
    assert w.get("supervisor", "/oversight/dispatches")["count"] == 0


def test_a_dispatch_refused_writes_nothing(world, point):
    from gridgov.oversight.models import CityDispatch

    w = world
    n = w.city_case(point)
    due = "2026-03-20T18:00:00+08:00"
    cases = [
        ("t-city-dispatcher", "110101001", 400, "not_a_district"),  # a street, not a district
        ("t-city-dispatcher", "120101", 400, "not_a_district"),  # not a district of this city
        ("t-city-dispatcher", "110102", 400, "not_containing"),  # 西城区: the case is not there
        ("dispatcher", "110101", 403, "guard_failed"),  # a district's dispatcher is no city centre
        ("t-city-leader", "110101", 403, "role_not_allowed"),  # the city leader only reads
        ("t-city-intake", "110101", 403, "role_not_allowed"),
    ]
    for who, district, status, code in cases:
        def refused(who=who, district=district, status=status, code=code):
            r = w.post(who, "/oversight/dispatches", {"case": n, "district": district, "due_at": due}, status)
            assert r["code"] == code, (who, district, r)
        nothing_written(refused)
    # the case action alone would leave no 派件 record (no 办结时限): refused, pointing to the 派件 form
    nothing_written(lambda: w.act("t-city-dispatcher", n, "city_dispatch", 400, node="110101"))
    assert w.act("t-city-dispatcher", n, "city_dispatch", 400, node="110101")["code"] == "use_city_dispatch"
    r = w.post("t-city-dispatcher", "/oversight/dispatches",
               {"case": n, "district": "110101", "due_at": "2026-03-15T18:00:00+08:00"}, 400)
    assert r["code"] == "due_in_past"
    assert CityDispatch.objects.count() == 0
    assert w.get("t-city-shift", f"/cases/{n}")["status"] == "registered"


# ------------------------------------------------------------------------------------------ 督办通知书 and 整改


def test_a_notice_and_its_rectification_to_the_end(world, point):
    w = world
    n = w.district_case(point)
    notice = w.post("t-city-shift", "/oversight/notices", {
        "title": "关于东华门街道暴露垃圾问题的督办", "text": "请于 3 月 20 日前完成整改并报送整改情况。",
        "due_at": "2026-03-20T18:00:00+08:00", "node": "110101", "cases": [n]}, 201)
    assert (notice["number"], notice["state"], notice["addressee"], notice["cases"]) == (
        "北京市网格督〔2026〕1号", "issued", "东城区", [n])
    # the district's centre finds it in its inbox and was told
    assert [x["id"] for x in w.get("shift", "/oversight/notices?box=inbox")["items"]] == [notice["id"]]
    assert any(m["object_type"] == "notice" and m["object_id"] == str(notice["id"])
               for m in w.get("shift", "/notifications")["items"])
    # replies, is returned, replies again, is accepted: 已下发 → 已回复 → 整改中 → 已回复 → 已办结
    w.at(MONDAY + dt.timedelta(days=1))
    got = w.post("shift", f"/oversight/notices/{notice['id']}/replies", {"text": "已组织清运。"}, 201)
    assert got["state"] == "replied"
    got = w.post("t-city-shift", f"/oversight/notices/{notice['id']}/review",
                 {"accept": False, "note": "请补充长效管理措施"})
    assert got["state"] == "rectifying" and got["replies"][0]["outcome"] == "returned"
    w.post("dispatcher", f"/oversight/notices/{notice['id']}/replies", {"text": "已清运，并落实门前三包。"}, 201)
    w.at(MONDAY + dt.timedelta(days=2))
    got = w.post("t-city-shift", f"/oversight/notices/{notice['id']}/review", {"accept": True})
    assert (got["state"], [r["outcome"] for r in got["replies"]]) == ("closed", ["returned", "accepted"])
    assert got["closed_at"].startswith("2026-03-18T01:00:00")
    # printable
    page = w.c("t-city-leader").get(f"/oversight/notices/{notice['id']}/print/")
    assert page.status_code == 200 and "北京市网格督〔2026〕1号" in page.content.decode()


def test_a_notice_past_its_date_shows_overdue(world):
    w = world
    notice = w.post("t-city-shift", "/oversight/notices", {
        "title": "督办", "text": "整改", "due_at": "2026-03-17T18:00:00+08:00", "department": "110101-HW"}, 201)
    assert notice["addressee"] == "区环境卫生服务中心"
    w.at(dt.datetime(2026, 3, 18, 9, 0, tzinfo=SH))
    assert w.get("handler", f"/oversight/notices/{notice['id']}")["state"] == "overdue"
    w.post("handler", f"/oversight/notices/{notice['id']}/replies", {"text": "已整改"}, 201)
    w.post("t-city-shift", f"/oversight/notices/{notice['id']}/review", {"accept": True})
    assert w.get("handler", f"/oversight/notices/{notice['id']}")["state"] == "closed"


def test_notices_refused_write_nothing(world):
    w = world
    street = w.post("shift", "/oversight/notices", {"title": "督办", "text": "整改", "node": "110101001",
                                                    "due_at": "2026-03-20T18:00:00+08:00"}, 201)
    assert street["number"] == "东城区网格督〔2026〕1号"
    refusals = [
        # the district's dispatcher sees the street's notice but is not the unit addressed
        ("dispatcher", f"/oversight/notices/{street['id']}/replies", {"text": "已整改"}, 403, "not_addressee"),
        # nothing to review yet; a street's notice is reviewed by its issuer, not by the city
        ("shift", f"/oversight/notices/{street['id']}/review", {"accept": True}, 409, "not_now"),
        # the city leader reads only
        ("t-city-leader", "/oversight/notices", {"title": "督办", "text": "整改", "node": "110101",
                                                 "due_at": "2026-03-20T18:00:00+08:00"}, 403, "forbidden"),
        # a unit not below the issuer
        ("shift", "/oversight/notices", {"title": "督办", "text": "整改", "node": "110102",
                                         "due_at": "2026-03-20T18:00:00+08:00"}, 400, "invalid_addressee"),
        ("shift", "/oversight/notices", {"title": "督办", "text": "整改", "node": "110101",
                                         "due_at": "2026-03-20T18:00:00+08:00"}, 400, "invalid_addressee"),
        ("shift", "/oversight/notices", {"title": "督办", "text": "", "node": "110101001",
                                         "due_at": "2026-03-20T18:00:00+08:00"}, 400, "missing_data"),
        ("shift", "/oversight/notices", {"title": "督办", "text": "整改", "node": "110101001",
                                         "due_at": "2026-03-01T18:00:00+08:00"}, 400, "due_in_past"),
        # a street's supervisor elsewhere does not see it at all
        ("gridleader", f"/oversight/notices/{street['id']}/replies", {"text": "已整改"}, 403, "forbidden"),
    ]
    for who, path, body, status, code in refusals:
        def refused(who=who, path=path, body=body, status=status, code=code):
            r = w.post(who, path, body, status)
            assert r["code"] == code, (who, path, r)
        nothing_written(refused)
    w.post("supervisor", f"/oversight/notices/{street['id']}/replies", {"text": "已整改"}, 201)
    r = w.post("t-city-shift", f"/oversight/notices/{street['id']}/review", {"accept": True}, 403)
    assert r["code"] == "not_issuer"
    r = w.post("shift", f"/oversight/notices/{street['id']}/review", {"accept": False}, 400)
    assert r["code"] == "missing_data"


# ------------------------------------------------------------------------------------------ 责任争议裁定


def test_a_contested_dispatch_its_ruling_and_the_dispatch_accuracy(world, point):
    from gridgov.cases.models import Case

    w = world
    upheld, rejected, plain = w.district_case(point), w.district_case(point), w.district_case(point)
    before = Case.objects.get(number=rejected).stage_due_at
    # the department contests two dispatches, with reasons; the 签收 clock stands meanwhile
    w.act("handler", upheld, "contest", reason="井盖属市政管理，不属环卫")
    w.act("handler", rejected, "contest", reason="不是我们的")
    c = w.get("handler", f"/cases/{rejected}")
    assert (c["status"], c["stage_due_at"]) == ("contested", None)
    assert {"rule_uphold", "rule_reject"} <= {a["action"] for a in w.get("dispatcher", f"/cases/{upheld}")["actions"]}
    # two hours later the centre rules
    w.at(MONDAY + dt.timedelta(hours=2))
    got = w.act("shift", upheld, "rule_uphold", department="110101-SZ", reason="经核，属市政市容委职责")
    assert (got["status"], got["assignee_department"]) == ("dispatched", "区市政市容管理委员会")
    got = w.act("dispatcher", rejected, "rule_reject", reason="暴露垃圾属环卫职责，请签收")
    assert (got["status"], got["assignee_department"]) == ("dispatched", "区环境卫生服务中心")
    # rejected: the department keeps it, and its 签收 deadline moves by the two hours of the dispute.
    # 签收 = 24 natural hours (海淀 「在24小时之内签收」): dispatched Monday 09:00 → due Tuesday 09:00; paused Monday
    # 09:00–11:00 → due Tuesday 11:00
    assert before == dt.datetime(2026, 3, 17, 9, 0, tzinfo=SH)
    assert Case.objects.get(number=rejected).stage_due_at == dt.datetime(2026, 3, 17, 11, 0, tzinfo=SH)
    # the rulings are recorded: who, when, reason, result
    rows = {(r["case"], r["action"]): r for r in w.get("t-city-leader", "/oversight/disputes")["items"]}
    r = rows[(upheld, "rule_uphold")]
    assert (r["result"], r["reason"], r["contested_by"], r["department"], r["at"][:19]) == (
        "upheld", "经核，属市政市容委职责", "区环境卫生服务中心", "区市政市容管理委员会", "2026-03-16T03:00:00")
    assert rows[(rejected, "rule_reject")]["result"] == "rejected"
    assert rows[(upheld, "contest")]["reason"] == "井盖属市政管理，不属环卫"
    # 派遣准确率 this month in 东城区: dispatches 3 (派遣) + 1 (the upheld ruling's re-dispatch) = 4,
    # overturned 1 → 3/4 = 75 %
    o = w.get("t-city-leader", "/oversight/overview")
    east = next(x for x in o["districts"] if x["code"] == "110101")
    assert (east["dispatches"], east["overturned"], east["accuracy"]) == (4, 1, 0.75)
    assert plain
    # a department's 退回 undoes its dispatch too (as the KPI table counts it): 5 dispatches, 2 undone → 60 %
    returned = w.district_case(point)
    w.act("handler", returned, "return", reason="不属于本部门职责")
    o = w.get("t-city-leader", "/oversight/overview")
    east = next(x for x in o["districts"] if x["code"] == "110101")
    assert (east["dispatches"], east["overturned"], east["accuracy"]) == (5, 2, 0.6)


def test_disputes_refused_write_nothing(world, point):
    w = world
    n = w.district_case(point)
    for who, action, data, status, code in [
        ("handler", "contest", {}, 400, "missing_data"),  # contest without a reason
        ("shift", "rule_reject", {"reason": "维持"}, 409, "illegal_transition"),  # a ruling on a case not contested
        ("dispatcher", "contest", {"reason": "x"}, 403, "role_not_allowed"),
    ]:
        def refused(who=who, action=action, data=data, status=status, code=code):
            assert w.act(who, n, action, status, **data)["code"] == code
        nothing_written(refused)
    w.act("handler", n, "contest", reason="不属本部门")
    for who, action, data, status, code in [
        ("shift", "rule_uphold", {"department": "110101-HW", "reason": "x"}, 400, "same_department"),
        ("shift", "rule_uphold", {"reason": "x"}, 400, "missing_data"),
        ("handler", "rule_reject", {"reason": "x"}, 403, "role_not_allowed"),
        ("leader", "rule_reject", {"reason": "x"}, 403, "role_not_allowed"),
    ]:
        def refused(who=who, action=action, data=data, status=status, code=code):
            assert w.act(who, n, action, status, **data)["code"] == code
        nothing_written(refused)
    assert w.get("shift", f"/cases/{n}")["status"] == "contested"
