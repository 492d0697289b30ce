"""指标 (gridgov/kpi): a small month of cases (March 2025, where the demo has none) built through the services at
fixed times; the table for two streets and a department, and the assessment's ``case_inputs``, typed by hand;
a street's 督导员 sees only its street; the page, the export and bad input.

The deadlines are the shipped defaults (gridgov/catalog/data/default_deadlines.csv): 核实 2 工作小时, 立案 1, 派遣 1,
签收 24 自然小时, 处置 5 工作日 — 暴露垃圾 (06010) 4 工作小时 —, 核查 4, 结案 1; office hours 08:30–12:00, 13:30–17:30.
3–7 March 2025 is a plain working week.

东华门街道 (110101001):
  A  网格员 reports Mon 3rd 09:00 (06010); 立案 09:30; 派遣 10:00 (区环卫); 签收 11:00 (处置 due 16:30); 处置 14:00
     (2.5 work hours since 派遣: 10:00–12:00 + 13:30–14:00); 核查 15:00; 结案 15:30 — every stage on time.
  B  12345 热线 Mon 09:00; 派核实 09:10 (核实 due 11:10); 监督员 confirms 14:00 — LATE; 立案 14:30; 派遣 14:40; 签收
     15:00 (处置 due Tue 10:00); 处置 Wed 5th 10:00 — LATE (work hours since 派遣: Mon 14:40–17:30 2 h 50 min, Tue 7.5,
     Wed 1.5 = 11 h 50 min); 核查 10:30; 结案 11:00; 回访 11:30 满意度 5.
  C  网格员 reports Tue 4th 09:00 (06010) and settles it on the spot (自行处置) at 15:00: its own budget is 06010's
     处置 4 work hours from the report, due 14:30 — LATE (4.5 work hours); 核查 15:30; 结案 16:00.
景山街道 (110101002):
  D  网格员 Thu 6th 09:00 (06010); 立案 09:20; 派遣 09:30; the department sends it back (退回) 10:00; 派遣 again 10:20;
     签收 10:30; 处置 11:00; 核查 fails (返工) 11:30; 处置 14:00 (work hours since the last 派遣 10:20: 1 h 40 min +
     30 min = 2 h 10 min); 核查 passes 14:30; 结案 15:00 — every stage on time, reworked once.
  E  12345 热线 Fri 7th 09:00; 派核实 09:10; 监督员 refutes 10:00 (on time): not a problem, declined.
  F  网格员 Fri 7th 10:00 (06010); 立案 10:30; 派遣 10:40; 签收 11:00 (处置 due 16:30); still being handled.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.accounts.models import User
from gridgov.cases.models import Case
from gridgov.cases.services.intake import intake
from gridgov.cases.services.transitions import transition
from gridgov.geo.models import Grid
from gridgov.kpi import queries
from gridgov.kpi.facts import case_inputs
from gridgov.kpi.logic import indicators as ind

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S1, S2 = "110101001", "110101002"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=SH)


def _point(street: str):
    g = Grid.objects.filter(layer__code="unit", community__code__startswith=street).order_by("code").first()
    p = g.shape.representative_point()
    return p.x, p.y, g


def _worker(street: str, g) -> User:
    """A grid worker of the management grid holding ``g`` (the one who may settle her own reports)."""
    key = g.scope_key.split(".")[0]
    return User.objects.create(username=f"kpi-gw-{street}", role="grid_worker", node_key=key, display_name="网格员")


def _inspector(street: str) -> User:
    return User.objects.create(username=f"kpi-insp-{street}", role="inspector", node_key=street,
                               display_name=f"监督员{street[-1]}")


@pytest.fixture
def month(users):
    intake_clerk, dispatcher, handler, resident_phone = (users["intake"], users["dispatcher"], users["handler"],
                                                         "13900001111")
    x1, y1, g1 = _point(S1)
    x2, y2, g2 = _point(S2)
    gw1, gw2 = _worker(S1, g1), _worker(S2, g2)
    in1, in2 = _inspector(S1), _inspector(S2)
    numbers = {}

    def report(name, who, source, x, y, when, matter="06010"):
        r = intake(who, source=source, lon=x, lat=y, description="路边有暴露垃圾", matter=matter, now=when,
                   find_duplicates=False, reporter_name="张先生" if source == "hotline" else "",
                   reporter_phone=resident_phone if source == "hotline" else "")
        numbers[name] = r.case.number

    def do(name, who, action, when, **data):
        transition(who, numbers[name], action, data, now=when)

    hw = {"department": "110101-HW"}
    report("A", gw1, "grid_worker", x1, y1, at(3, 9))
    do("A", intake_clerk, "register", at(3, 9, 30))
    do("A", dispatcher, "dispatch", at(3, 10), **hw)
    do("A", handler, "accept", at(3, 11))
    do("A", handler, "handle", at(3, 14), feedback="已清运")
    do("A", in1, "inspect_pass", at(3, 15))
    do("A", intake_clerk, "close", at(3, 15, 30))

    report("B", intake_clerk, "hotline", x1, y1, at(3, 9), matter=None)
    do("B", intake_clerk, "assign_verify", at(3, 9, 10))
    do("B", in1, "confirm", at(3, 14))
    do("B", intake_clerk, "register", at(3, 14, 30), matter="06010")
    do("B", dispatcher, "dispatch", at(3, 14, 40), **hw)
    do("B", handler, "accept", at(3, 15))
    do("B", handler, "handle", at(5, 10), feedback="已清运")
    do("B", in1, "inspect_pass", at(5, 10, 30))
    do("B", intake_clerk, "close", at(5, 11))
    do("B", intake_clerk, "follow_up", at(5, 11, 30), satisfaction=5)

    report("C", gw1, "grid_worker", x1, y1, at(4, 9))
    do("C", gw1, "self_handle", at(4, 15), feedback="已现场处置")
    do("C", in1, "inspect_pass", at(4, 15, 30))
    do("C", intake_clerk, "close", at(4, 16))

    report("D", gw2, "grid_worker", x2, y2, at(6, 9))
    do("D", intake_clerk, "register", at(6, 9, 20))
    do("D", dispatcher, "dispatch", at(6, 9, 30), **hw)
    do("D", handler, "return", at(6, 10), reason="不属本部门")
    do("D", dispatcher, "dispatch", at(6, 10, 20), **hw)
    do("D", handler, "accept", at(6, 10, 30))
    do("D", handler, "handle", at(6, 11), feedback="已清运")
    do("D", in2, "inspect_fail", at(6, 11, 30), reason="未清理干净")
    do("D", handler, "handle", at(6, 14), feedback="已清理干净")
    do("D", in2, "inspect_pass", at(6, 14, 30))
    do("D", intake_clerk, "close", at(6, 15))

    report("E", intake_clerk, "hotline", x2, y2, at(7, 9), matter=None)
    do("E", intake_clerk, "assign_verify", at(7, 9, 10))
    do("E", in2, "refute", at(7, 10), reason="现场无此问题")

    report("F", gw2, "grid_worker", x2, y2, at(7, 10))
    do("F", intake_clerk, "register", at(7, 10, 30))
    do("F", dispatcher, "dispatch", at(7, 10, 40), **hw)
    do("F", handler, "accept", at(7, 11))
    return {"numbers": numbers, "inspectors": (in1, in2)}


def counts(t: ind.Tally) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in vars(t).items()}


def test_the_month_by_street_and_department(month, users):
    cases = {n: Case.objects.get(number=num) for n, num in month["numbers"].items()}
    # which stages ended late (bits: 核实 1, 立案 2, 派遣 4, 签收 8, 处置 16, 核查 32, 结案 64)
    assert {n: c.late_stages for n, c in cases.items()} == {"A": 0, "B": 1 | 16, "C": 16, "D": 0, "E": 0, "F": 0}
    assert cases["C"].handle_due_at == at(4, 14, 30), "自行处置: 06010's 4 work hours from the report"
    p = ind.month(2025, 3)
    t = queries.table(users["leader"], "street", p)
    rows = {r["code"]: r for r in t["rows"]}
    s1, s2 = rows[S1]["tally"], rows[S2]["tally"]
    assert counts(s1) == {
        "reported": 3, "valid": 3, "registered": 3, "registered_on_time": 3, "found_own": 2, "found_other": 1,
        "dispatched": 2, "dispatched_on_time": 2, "dispatches": 2, "dispatch_misses": 0,
        "verified": 1, "verified_on_time": 0, "inspected": 3, "inspected_on_time": 3,
        "handle_due": 3, "handle_done": 3, "handled": 3, "handle_hours_sum": round(2.5 + 11 + 50 / 60 + 4.5, 4),
        "handle_hours_n": 3, "reworked": 0, "close_due": 3, "close_done": 3, "closed": 3, "closed_on_time": 1,
        "followed": 1, "satisfaction_sum": 5, "satisfied": 1}
    v1 = rows[S1]["values"]
    assert round(v1["discovery"], 4) == 0.6667 and v1["dispatch_accuracy"] == 1.0 and v1["handling"] == 1.0
    assert round(v1["handling_hours"], 4) == round((2.5 + 11 + 50 / 60 + 4.5) / 3, 4)  # 6.2778 h
    assert v1["closure"] == 1.0 and round(v1["on_time"], 4) == 0.3333, "B and the self-handled C are late"
    assert v1["satisfaction"] == 5.0 and v1["on_time_verify"] == 0.0 and v1["rework"] == 0.0
    assert counts(s2) == {
        "reported": 3, "valid": 2, "registered": 2, "registered_on_time": 2, "found_own": 2, "found_other": 0,
        "dispatched": 2, "dispatched_on_time": 2, "dispatches": 3, "dispatch_misses": 1,
        "verified": 1, "verified_on_time": 1, "inspected": 2, "inspected_on_time": 2,
        "handle_due": 2, "handle_done": 1, "handled": 1, "handle_hours_sum": round(1 + 40 / 60 + 0.5, 4),
        "handle_hours_n": 1, "reworked": 1, "close_due": 2, "close_done": 1, "closed": 1, "closed_on_time": 1,
        "followed": 0, "satisfaction_sum": 0, "satisfied": 0}
    v2 = rows[S2]["values"]
    assert round(v2["dispatch_accuracy"], 4) == 0.6667 and v2["handling"] == 0.5 and v2["closure"] == 0.5
    assert v2["on_time"] == 1.0 and v2["rework"] == 1.0 and v2["satisfaction"] is None
    assert round(v2["valid_reports"], 4) == 0.6667, "E was declined"
    others = [r for code, r in rows.items() if code not in (S1, S2)]
    assert others and all(r["tally"] == ind.Tally() for r in others), "no other street has cases that month"

    d = {r["code"]: r for r in queries.table(users["leader"], "department", p)["rows"]}["110101-HW"]
    assert counts(d["tally"]) == {  # A, B, D and F were sent to 区环卫 (C was settled on the spot)
        "reported": 4, "valid": 4, "registered": 4, "registered_on_time": 4, "found_own": 3, "found_other": 1,
        "dispatched": 4, "dispatched_on_time": 4, "dispatches": 5, "dispatch_misses": 1,
        "verified": 1, "verified_on_time": 0, "inspected": 4, "inspected_on_time": 4,
        "handle_due": 4, "handle_done": 3, "handled": 3, "handle_hours_sum": 16.5, "handle_hours_n": 3,
        "reworked": 1, "close_due": 4, "close_done": 3, "closed": 3, "closed_on_time": 2,
        "followed": 1, "satisfaction_sum": 5, "satisfied": 1}
    assert d["values"]["dispatch_accuracy"] == 0.8 and d["values"]["handling_hours"] == 5.5

    people = {r["code"]: r["tally"] for r in queries.table(users["leader"], "inspector", p)["rows"]}
    assert (people["kpi-insp-110101001"].verified, people["kpi-insp-110101001"].verified_on_time,
            people["kpi-insp-110101001"].inspected) == (1, 0, 3)
    assert (people["kpi-insp-110101002"].verified, people["kpi-insp-110101002"].verified_on_time,
            people["kpi-insp-110101002"].inspected, people["kpi-insp-110101002"].inspected_on_time) == (1, 1, 2, 2)
    workers = {r["code"]: r["tally"] for r in queries.table(users["leader"], "grid_worker", p)["rows"]}
    assert (workers["kpi-gw-110101001"].reported, workers["kpi-gw-110101001"].valid) == (2, 2)
    # 同比: nothing in March 2024; 环比: nothing in February 2025
    assert rows[S1]["yoy"]["closure"] is None and rows[S1]["pop"]["closure"] is None


def test_case_inputs_for_the_assessment(month):
    facts = case_inputs("2025-03", "110101")
    assert facts["totals"] == {"closure_rate": 0.8, "public_share": pytest.approx(2 / 6)}  # (3 + 1) / (3 + 2)
    assert facts["units"][S1] == {
        "case_count": {"completed": 3, "last_year": None},
        "type_diversity": {"simple": 2, "self_handled": 1, "total": 3},  # A, B 暴露垃圾; C settled on the spot
        "closure_rate": {"closed": 3, "due": 3},
        "city_dispatch": {"received": 0, "timely": 0, "closed": 0},
        "public_channels": {"public": 1, "total": 3, "public_closed_on_time": 0},  # B was late
    }
    assert facts["units"][S2] == {
        "case_count": {"completed": 1, "last_year": None},
        "type_diversity": {"simple": 1, "self_handled": 0, "total": 1},
        "closure_rate": {"closed": 1, "due": 2},
        "city_dispatch": {"received": 0, "timely": 0, "closed": 0},
        "public_channels": {"public": 1, "total": 3, "public_closed_on_time": 0},
    }
    assert len(facts["units"]) == 17, "every street of 东城区, with or without cases"


def test_case_inputs_refuses_bad_input(db):
    from gridgov.errors import DomainError, NotFound

    for bad in ("2025-3", "2025", "2025-13", "March"):
        with pytest.raises(DomainError) as e:
            case_inputs(bad, "110101")
        assert e.value.code == "invalid_period"
    with pytest.raises(NotFound):
        case_inputs("2025-03", "999999")


def test_a_street_supervisor_sees_only_its_street(month, client_for):
    r = client_for("supervisor").get("/api/v1/kpi?level=street&period=2025-03")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [i["code"] for i in body["items"]] == [S1] and body["count"] == 1
    assert body["items"][0]["counts"]["closed"] == 3
    r = client_for("leader").get("/api/v1/kpi?level=street&start=2025-03-01&end=2025-03-31&limit=500")
    assert r.json()["count"] == 17
    assert {i["code"]: i["counts"]["closed"] for i in r.json()["items"]}[S2] == 1


def test_bad_period_is_a_clear_400(client_for):
    c = client_for("leader")
    for query in ("period=2025-13", "start=2025-03-10&end=2025-03-01", "start=2025-03-01",
                  "period=2025-Q5"):
        r = c.get(f"/api/v1/kpi?{query}")
        assert r.status_code == 400 and r.json()["code"] == "invalid_period", query
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"])


def test_the_page_shows_targets_and_exports(month, client_for):
    c = client_for("leader")
    html = c.get("/kpi/?level=street&period=2025-03").content.decode()
    assert "≥ 90.0%" in html and "≤ 13.0 h" in html and "结案率" in html
    assert 'data-code="110101001"' in html and 'class="kpi-bad">66.7%' in html  # 发现率 below 90 %: red
    r = c.get("/kpi/export.xlsx?level=department&period=2025-03")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for("gridworker").get("/kpi/").status_code == 403


def test_city_dispatches_in_case_inputs(users):
    """市区两级平台派件 of 东华门街道 in March 2025: one answered by its 办结时限 and closed, one answered late and
    still open (and one of April, not counted) → received 2, timely 1, closed 1."""
    from gridgov.accounts.models import Department
    from gridgov.geo.models import Jurisdiction
    from gridgov.oversight import services as oversight

    Department.objects.get_or_create(code="1101-CG", defaults={"name": "市城市管理委员会",
                                                              "district": Jurisdiction.objects.get(code="1101")})
    city = User.objects.create(username="kpi-city-shift", role="shift_leader", node_key="1101")
    x, y, _ = _point(S1)
    dispatcher, handler, in1 = users["dispatcher"], users["handler"], _inspector(S1)

    def city_case(when):
        n = intake(city, source="leader", lon=x, lat=y, description="市领导交办：路边暴露垃圾", matter="06010",
                   now=when, find_duplicates=False).case.number
        transition(city, n, "register", {"matter": "06010"}, now=when + dt.timedelta(minutes=10))
        return n

    one = city_case(at(10, 9))
    d1 = oversight.dispatch_to_district(city, one, "110101", at(14, 18), now=at(10, 9, 30))
    transition(dispatcher, one, "accept", {}, now=at(10, 10))
    transition(dispatcher, one, "dispatch", {"department": "110101-HW"}, now=at(10, 10, 10))
    transition(handler, one, "accept", {}, now=at(10, 11))
    transition(handler, one, "handle", {"feedback": "已清运"}, now=at(10, 14))
    transition(in1, one, "inspect_pass", {}, now=at(10, 15))
    transition(users["intake"], one, "close", {}, now=at(10, 15, 30))
    oversight.answer_dispatch(dispatcher, d1.pk, "已清运", now=at(11, 9))  # before the 14th 18:00: on time
    two = city_case(at(12, 9))
    d2 = oversight.dispatch_to_district(city, two, "110101", at(13, 18), now=at(12, 9, 30))
    transition(dispatcher, two, "accept", {}, now=at(12, 10))
    oversight.answer_dispatch(dispatcher, d2.pk, "正在协调", now=at(14, 9))  # after the 13th 18:00: late
    three = city_case(dt.datetime(2025, 4, 1, 9, tzinfo=SH))
    oversight.dispatch_to_district(city, three, "110101", dt.datetime(2025, 4, 3, 18, tzinfo=SH),
                                   now=dt.datetime(2025, 4, 1, 9, 30, tzinfo=SH))
    units = case_inputs("2025-03", "110101")["units"]
    assert units[S1]["city_dispatch"] == {"received": 2, "timely": 1, "closed": 1}
    assert units[S2]["city_dispatch"] == {"received": 0, "timely": 0, "closed": 0}
    assert case_inputs("2025-04", "110101")["units"][S1]["city_dispatch"] == {"received": 1, "timely": 0, "closed": 0}
