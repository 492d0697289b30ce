"""值班与应急: an urgent 消防隐患 starts its 预案 (steps, exactly who is told), once; the roster refuses bad shifts
and flags uncovered days; ticking a finished plan and a report of a future day are refused; the 值班日报 and
日产日清 of a day; the pages for the centre's posts and the leader. Expectations are typed by hand; the clock is
frozen on days before the test world's case history (which starts six days before the suite runs)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.cases import services as cases
from gridgov.cases.models import Case
from gridgov.catalog.cache import invalidate
from gridgov.catalog.models import CatalogItem
from gridgov.duty import services
from gridgov.duty.models import Activation, ActivationStep, Handover, Shift, ShiftMember
from gridgov.errors import DomainError
from gridgov.notify.models import Notification

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 10, 14, 10, 0, tzinfo=CST)  # a Wednesday, before the test world's cases
FIRE_STEPS = [  # (order, title, responsible, minutes after the start) — the shipped 消防隐患应急预案
    (1, "核实警情，通知辖区消防救援站", "值班长", 10),
    (2, "通知属地街道、社区到场，疏散群众", "网格长", 30),
    (3, "派遣专业部门处置（消防、供电、燃气）", "派遣员", 30),
    (4, "带班领导到场或视频调度", "带班领导", 60),
    (5, "现场处置完毕，消除隐患并反馈", "处置部门", 240),
    (6, "汇总情况，写入值班日报", "值班长", 1440),
]
# who hears of an urgent 消防隐患 in 多福巷社区 at T0: the plan's posts on the case's path — 东华门街道's 网格督导员
# (supervisor and the synthetic demo-s…) and 多福巷社区's 网格长 (gridleader and demo-l…) — and whoever is on duty at
# the district centre then (the shift below: shift as 值班长, intake as 值班员); not the reporter
TOLD = ["demo-l110101001001", "demo-s110101001", "gridleader", "intake", "shift", "supervisor"]
# with nobody on the roster: the district's 值班长 instead of the shift
TOLD_WITHOUT_ROSTER = ["demo-l110101001001", "demo-s110101001", "gridleader", "shift", "supervisor"]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def fire_matter(db):
    """52001 消防隐患 of the social-governance catalog (shipped by the matters work; made here when absent)."""
    CatalogItem.objects.get_or_create(kind="matter", code="52001", defaults={
        "major_code": "52", "major_name": "安全隐患类", "minor_code": "001", "name": "消防隐患"})
    invalidate()
    return "52001"


@pytest.fixture
def on_duty(users):
    """The district centre's shift of 14 October (08:30 → next day 08:30): shift as 值班长, intake as 值班员."""
    return services.save_shift(users["admin"], centre="110101", date=T0.date(),
                               starts_at=dt.datetime(2026, 10, 14, 8, 30, tzinfo=CST),
                               ends_at=dt.datetime(2026, 10, 15, 8, 30, tzinfo=CST),
                               members=[("shift", "chief"), ("intake", "officer")])


def report(users, point, matter, urgency="urgent", key=None, who="gridworker", now=None):
    lon, lat = point
    return cases.intake(users[who], source="grid_worker", lon=lon, lat=lat, matter=matter, urgency=urgency,
                        description="楼道堆放大量纸箱，堵塞消防通道", client_key=key, now=now)


def test_an_urgent_fire_report_starts_its_plan_once_with_steps_and_tells_exactly_who(users, point, fire_matter,
                                                                                     on_duty, frozen):
    start = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    r = report(users, point, fire_matter, key="duty-fire-1")
    acts = list(Activation.objects.filter(case=r.case))
    assert len(acts) == 1
    a = acts[0]
    assert (a.plan.code, a.status, a.trigger, a.started_at, a.scope_key) == (
        "fire", "active", "intake", T0, r.case.scope_key)
    steps = list(ActivationStep.objects.filter(activation=a).order_by("order"))
    assert [(s.order, s.title, s.responsible, s.due_at) for s in steps] == [
        (o, t, who, T0 + dt.timedelta(minutes=m)) for o, t, who, m in FIRE_STEPS]
    assert all(s.done_at is None for s in steps)
    assert a.told == TOLD
    told = sorted(Notification.objects.filter(kind="duty.plan", object_id=r.case.number)
                  .values_list("user__username", flat=True))
    assert told == TOLD
    # one message each: the 紧急案件 alert (the centre's 值班长 and 派遣员) skips whoever the plan told — shift
    urgent = sorted(Notification.objects.filter(kind="case.urgent", object_id=r.case.number)
                    .values_list("user__username", flat=True))
    assert urgent == ["dispatcher"]
    # the filing wrote the case's record and the activation's, in that order
    assert [(x.object_type, x.action) for x in AuditRecord.objects.filter(id__gt=start).order_by("id")] == [
        ("case", "report"), ("duty_activation", "start")]
    # the same client key again: the same case, still one activation, nobody told twice
    again = report(users, point, fire_matter, key="duty-fire-1")
    assert again.created is False and again.case.pk == r.case.pk
    assert Activation.objects.filter(case=r.case).count() == 1
    assert Notification.objects.filter(kind="duty.plan", object_id=r.case.number).count() == len(TOLD)


def test_with_nobody_on_the_roster_the_district_shift_leaders_are_told(users, point, fire_matter, frozen):
    r = report(users, point, fire_matter)
    assert Activation.objects.get(case=r.case).told == TOLD_WITHOUT_ROSTER
    assert sorted(Notification.objects.filter(kind="duty.plan", object_id=r.case.number)
                  .values_list("user__username", flat=True)) == TOLD_WITHOUT_ROSTER


def test_a_batch_with_a_repeated_key_starts_one_plan(users, point, fire_matter, frozen):
    lon, lat = point
    body = {"source": "grid_worker", "lon": lon, "lat": lat, "matter": fire_matter, "urgency": "urgent",
            "description": "配电箱冒烟", "client_key": "duty-batch-1"}
    out = cases.intake_many(users["gridworker"], [body, dict(body)])
    assert out[0].case.pk == out[1].case.pk
    assert Activation.objects.filter(case=out[0].case).count() == 1


def test_a_non_urgent_fire_report_or_an_urgent_other_matter_starts_nothing(users, point, fire_matter, frozen):
    calm = report(users, point, fire_matter, urgency="normal")
    other = report(users, point, "06010", urgency="urgent")
    assert Activation.objects.filter(case__in=[calm.case, other.case]).count() == 0
    assert not Notification.objects.filter(kind="duty.plan", object_id__in=[calm.case.number, other.case.number])


def test_ticking_steps_finishes_the_plan_and_a_finished_plan_refuses_more(users, point, fire_matter, frozen,
                                                                          client_for):
    r = report(users, point, fire_matter)
    a = Activation.objects.get(case=r.case)
    api = client_for("shift")
    url = f"/api/v1/duty/activations/{a.pk}/steps/{{}}/tick"
    first = api.post(url.format(1), {"note": "已通知消防救援站"}, content_type="application/json")
    assert first.status_code == 200
    s1 = first.json()["steps"][0]
    assert (s1["done_by"], s1["note"], s1["done_at"][:19]) == (str(users["shift"]), "已通知消防救援站",
                                                                "2026-10-14T02:00:00")  # 10:00 in Beijing, answered in UTC
    twice = client_for("dispatcher").post(url.format(1), {}, content_type="application/json")
    assert (twice.status_code, twice.json()["code"]) == (409, "step_done")
    for order in range(2, 7):
        assert api.post(url.format(order), {}, content_type="application/json").status_code == 200
    a.refresh_from_db()
    assert (a.status, a.finished_at) == ("finished", T0)
    before = AuditRecord.objects.count()
    late = api.post(url.format(6), {"note": "补充"}, content_type="application/json")
    assert (late.status_code, late.json()["code"]) == (409, "activation_finished")
    assert AuditRecord.objects.count() == before
    assert ActivationStep.objects.get(activation=a, order=6).note == ""


def test_the_duty_staff_start_a_plan_by_hand_once(users, point, fire_matter, frozen, client_for):
    r = report(users, point, fire_matter, urgency="normal")
    api = client_for("intake")
    made = api.post("/api/v1/duty/activations", {"case": r.case.number, "plan": "fire"},
                    content_type="application/json")
    assert made.status_code == 201 and made.json()["trigger"] == "manual"
    again = api.post("/api/v1/duty/activations", {"case": r.case.number, "plan": "fire"},
                     content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "plan_already_started")
    assert Activation.objects.filter(case=r.case).count() == 1


def shift_body(start, end, members, centre="110101", date="2026-10-20"):
    return {"centre": centre, "date": date, "starts_at": start, "ends_at": end,
            "members": [{"username": u, "duty_role": role} for u, role in members]}


def test_bad_shifts_are_refused_and_write_nothing(client_for, frozen):
    api = client_for("shift")
    ok = api.post("/api/v1/duty/shifts", shift_body("2026-10-20T08:30:00+08:00", "2026-10-21T08:30:00+08:00",
                                                    [("shift", "chief"), ("intake", "officer")]),
                  content_type="application/json")
    assert ok.status_code == 201
    shifts, members, records = Shift.objects.count(), ShiftMember.objects.count(), AuditRecord.objects.count()
    backwards = api.post("/api/v1/duty/shifts", shift_body("2026-10-21T20:00:00+08:00", "2026-10-21T08:00:00+08:00",
                                                           [("dispatcher", "officer")]),
                         content_type="application/json")
    assert (backwards.status_code, backwards.json()) == (400, {"code": "invalid_shift_span",
                                                               "message": "班次结束时间必须晚于开始时间"})
    # intake is on the 20th's shift until 08:30 on the 21st: a shift from 08:00 overlaps it by half an hour
    double = api.post("/api/v1/duty/shifts", shift_body("2026-10-21T08:00:00+08:00", "2026-10-21T20:00:00+08:00",
                                                        [("dispatcher", "chief"), ("intake", "officer")],
                                                        date="2026-10-21"),
                      content_type="application/json")
    assert double.status_code == 409 and double.json()["code"] == "shift_overlap"
    assert "同一人不能同时值两个班" in double.json()["message"]
    assert (Shift.objects.count(), ShiftMember.objects.count(), AuditRecord.objects.count()) == (
        shifts, members, records)
    # touching is not overlapping: the next shift from 08:30 is fine
    nxt = api.post("/api/v1/duty/shifts", shift_body("2026-10-21T08:30:00+08:00", "2026-10-21T20:30:00+08:00",
                                                     [("dispatcher", "chief"), ("intake", "officer")],
                                                     date="2026-10-21"),
                   content_type="application/json")
    assert nxt.status_code == 201
    # October: the 20th is covered from 08:30 only, the 21st until 20:30 only, every other day not at all
    month = api.get("/api/v1/duty/roster?centre=110101&year=2026&month=10").json()
    days = {d["date"]: d for d in month["days"]}
    assert days["2026-10-20"]["covered"] is False
    assert days["2026-10-20"]["gaps"] == [["2026-10-19T16:00:00Z", "2026-10-20T00:30:00Z"]]
    assert days["2026-10-21"]["gaps"] == [["2026-10-21T12:30:00Z", "2026-10-21T16:00:00Z"]]
    assert len(month["uncovered"]) == 31
    # a district shift leader may not plan another district's centre
    other = api.post("/api/v1/duty/shifts", shift_body("2026-10-22T08:30:00+08:00", "2026-10-23T08:30:00+08:00",
                                                       [("shift", "chief")], centre="110102"),
                     content_type="application/json")
    assert other.status_code == 404


def test_a_report_of_a_future_day_is_refused(client_for, frozen):
    for path in ("/api/v1/duty/reports/2026-10-15", "/api/v1/duty/clearance?day=2026-10-15"):
        r = client_for("shift").get(path)
        assert (r.status_code, r.json()["code"]) == (400, "future_day"), path
    page = client_for("leader").get("/duty/report/?day=2026-10-15")
    assert page.status_code == 400 and "还没有到" in page.content.decode()


def test_the_days_report_and_clearance(users, point, fire_matter, on_duty, time_machine, client_for):
    """14 October: at 09:00 a 暴露垃圾 (the grid worker clears it on the spot at 09:30), at 10:00 an urgent 消防隐患
    (not cleared that day); at 21:00 the shift hands over. Came in 2, 日清 1 (50%), handled 1, urgent 1, one plan."""
    time_machine.move_to(dt.datetime(2026, 10, 14, 9, 0, tzinfo=CST), tick=False)
    litter = report(users, point, "06010", urgency="normal")
    time_machine.move_to(dt.datetime(2026, 10, 14, 9, 30, tzinfo=CST), tick=False)
    cases.transition(users["gridworker"], litter.case.number, "self_handle", {"feedback": "已当场清理"})
    time_machine.move_to(T0, tick=False)
    fire = report(users, point, fire_matter)
    time_machine.move_to(dt.datetime(2026, 10, 14, 21, 0, tzinfo=CST), tick=False)
    h = client_for("intake").post("/api/v1/duty/handovers", {"text": "消防隐患预案处置中，请接班跟进"},
                                  content_type="application/json")
    assert h.status_code == 201 and h.json()["day"] == "2026-10-14"
    assert Handover.objects.get(pk=h.json()["id"]).shift_id == on_duty.pk
    time_machine.move_to(dt.datetime(2026, 10, 15, 9, 0, tzinfo=CST), tick=False)
    rep = client_for("leader").get("/api/v1/duty/reports/2026-10-14?centre=110101").json()
    assert (rep["incoming"], rep["cleared"], rep["clear_rate"], rep["handled"], rep["closed"]) == (
        2, 1, "50.0%", 1, 0)
    assert rep["by_source"] == {"grid_worker": 2}
    assert rep["by_class"] == {"06": 1, "52": 1}
    assert rep["urgent"] == [fire.case.number]
    assert rep["activations"] == list(Activation.objects.filter(case=fire.case).values_list("pk", flat=True))
    assert [x["text"] for x in rep["handovers"]] == ["消防隐患预案处置中，请接班跟进"]
    c = client_for("shift").get("/api/v1/duty/clearance?day=2026-10-14&centre=110101&days=2").json()
    assert [(x["number"], x["cleared"]) for x in c["cases"]] == [(litter.case.number, True),
                                                                 (fire.case.number, False)]
    assert [(s["name"], s["incoming"], s["cleared"], s["rate"]) for s in c["by_street"]] == [
        ("东华门街道", 2, 1, "50.0%")]
    assert [(d["day"], d["incoming"]) for d in c["days"]] == [("2026-10-13", 0), ("2026-10-14", 2)]
    xlsx = client_for("shift").get("/api/v1/duty/reports/2026-10-14/export")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert Case.objects.filter(pk__in=[litter.case.pk, fire.case.pk]).count() == 2


PAGES = ["/duty/", "/duty/roster/?month=2026-10", "/duty/report/?day=2026-10-14", "/duty/report/?day=2026-10-14&print=1",
         "/duty/clearance/?day=2026-10-14"]


@pytest.mark.parametrize("post", ["shift", "intake", "dispatcher", "leader", "admin"])
def test_the_duty_pages_render_for_the_centre_and_the_leader(post, users, point, fire_matter, on_duty, frozen,
                                                             client_for):
    r = report(users, point, fire_matter)
    a = Activation.objects.get(case=r.case)
    c = client_for(post)
    for path in [*PAGES, f"/duty/activations/{a.pk}/", f"/duty/cases/{r.case.number}/panel/"]:
        page = c.get(path)
        assert page.status_code == 200, (post, path)
    home = c.get("/duty/").content.decode()
    assert "消防隐患应急预案" in home and "值班长" in home
    panel = c.get(f"/duty/cases/{r.case.number}/panel/").content.decode()
    assert "消防隐患应急预案" in panel
    xlsx = c.get("/duty/report/?day=2026-10-14&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    ticks = c.get(f"/duty/activations/{a.pk}/").content.decode()
    assert ("/steps/1/tick/" in ticks) is (post != "leader")  # the leader reads, the centre's posts act


@pytest.mark.parametrize("post", ["gridworker", "gridleader", "supervisor", "inspector", "handler"])
def test_the_duty_pages_are_not_for_the_field_and_departments(post, client_for, frozen):
    assert client_for(post).get("/duty/").status_code == 403
    assert client_for(post).get("/duty/report/?day=2026-10-13").status_code == 403


def test_the_page_forms_write_through_the_services(client_for, users, point, fire_matter, frozen):
    shift = client_for("shift")
    r = shift.post("/duty/roster/add/", {"centre": "110101", "date": "2026-10-16", "start": "08:30", "end": "08:30",
                                         "next_day": "1", "chief": "shift", "officer": ["intake", "dispatcher"]})
    assert r.status_code == 302
    s = Shift.objects.get(centre="110101", date=dt.date(2026, 10, 16))
    assert sorted(s.members.values_list("user__username", "duty_role")) == [
        ("dispatcher", "officer"), ("intake", "officer"), ("shift", "chief")]
    bad = shift.post("/duty/roster/add/", {"centre": "110101", "date": "2026-10-17", "start": "20:00", "end": "08:00",
                                           "chief": "leader"})
    assert bad.status_code == 400 and "班次结束时间必须晚于开始时间" in bad.content.decode()
    fire = report(users, point, fire_matter)
    a = Activation.objects.get(case=fire.case)
    done = client_for("dispatcher").post(f"/duty/activations/{a.pk}/steps/3/tick/", {"note": "已派遣"})
    assert done.status_code == 302
    assert ActivationStep.objects.get(activation=a, order=3).done_by == users["dispatcher"]
    assert client_for("leader").post(f"/duty/activations/{a.pk}/steps/1/tick/", {}).status_code == 403


def test_an_empty_handover_is_refused(users, frozen):
    with pytest.raises(DomainError) as e:
        services.write_handover(users["shift"], " ")
    assert e.value.code == "text_required"
    assert not Handover.objects.exists()


@pytest.mark.parametrize(("post", "shown"), [("shift", True), ("intake", True), ("dispatcher", True), ("leader", True),
                                             ("admin", True), ("gridworker", False), ("supervisor", False),
                                             ("handler", False)])
def test_the_navigation_and_the_header_show_duty_to_the_centre_and_the_leader(post, shown, client_for, users,
                                                                               on_duty, frozen):
    html = client_for(post).get("/map/").content.decode()
    nav = html[html.index('<nav class="mainnav"'):html.index("</nav>")]
    assert ("值班应急" in nav) is shown
    # 14 October 10:00: the shift of the fixture is on (值班长 shift, 值班员 intake), named in the header
    header = html[html.index('<header class="topbar"'):html.index("</header>")]
    names = f"值班长 {users['shift'].display_name}；值班员 {users['intake'].display_name}"
    assert (names in header) is shown
