"""The assessment's registers (考评台账, 003 篇7): each write goes through its service and is audited, bad input
writes nothing, each post sees and writes what it may, and ``register_inputs`` gives a hand-built month's facts.

The month is March 2025 (nothing else of the test world lies in 2025). Everything is made through the services
at frozen times (time_machine), then the facts are compared with numbers worked out by hand below.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gridgov.accounts.scope import NoRight
from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError
from gridgov.ledgers import gather, services
from gridgov.ledgers.models import Problem, QuotaYear, SampleDraw, Training, UnitBase
from tests.loop import close_loop

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
DISTRICT, OWN, OTHER = "110101", "110101001", "110101002"
STREETS = [f"110101{i:03d}" for i in range(1, 18)]


def at(*a):
    return dt.datetime(*a, tzinfo=SH)


def bases_2025(user):
    """全区 60,000 件/年。16 个街道各 40,000 人、2.00 km²，东华门街道 80,000 人、4.00 km²：
    总人口 720,000，总面积 36 km²。
    东华门：60000/720000×80000×0.6 = 4000；60000/36×4×0.4 = 2666.667；基数 6666.667；调整 +133.33 → 6799.997；
            月均 566.666 → 566.67
    景山：  60000/720000×40000×0.6 = 2000；60000/36×2×0.4 = 1333.333；基数 3333.333；月均 277.778 → 277.78"""
    for code in STREETS:
        big = code == OWN
        services.save_unit_base(user, code, 2025, 80_000 if big else 40_000, "4.00" if big else "2.00",
                                "2020年上报", "2019版年鉴")
    services.set_district_total(user, DISTRICT, 2025, 60_000)
    services.add_adjustment(user, OWN, 2025, "133.33", "辖区内大型商圈多，上调")


def report(users, point, matter="06010", description="路边暴露垃圾"):
    from gridgov.cases.services import intake

    return intake(users["gridworker"], source="grid_worker", lon=point[0], lat=point[1], description=description,
                  matter=matter, find_duplicates=False).case.number


@pytest.fixture
def month(users, point):
    """March 2025 in 东华门街道 (and one thing in 景山街道):
    - cases: three reported 03-12 10:00 at the point (06010); two of them closed the same day (正常结案 2);
    - 倒查: a 群众举报 03-12 11:00 at the point, 06010 → the first case suggested, confirmed 已及时发现;
            a 媒体曝光 03-20 at the point, 06011 (积存垃圾渣土, no such case) → 未及时发现;
            a 领导批示 03-25 still pending (not counted) → checked 2, found in time 1;
    - 抽查 (drawn 04-02): both closed cases drawn (2 < 5); one 合格, one 不合格 → closed 2, sampled 2, passed 1;
    - trainings: whole-staff 02-10 confirmed, partial 03-05 confirmed, whole 03-06 不予认定, partial 2024-12-01
      confirmed (last year) → whole 1, partial 1;
    - 系统运行: fault 01-05 08:00 → 01-06 08:00 (24 h), fault 03-31 20:00 still open (to 04-01 00:00: 4 h) → 28 h;
      upgrade 02-01 00:00 → 02-03 00:00 (48 h, 1 upgrade);
    - 宣传: a report 03-10; submissions 01-10 and 02-10 (and one 2024-12-20, last year) → reports 1, submissions 2;
    - 网格信息更新: a plan for 多福巷社区 (two workers) made 01-05 and applied 02-01 (27 days ≥ 21: on time); another
      (three workers) made 03-20, not applied → plans 2, on time 1;
    - 景山街道: a publicity submission 03-03 → its submissions 1.
    """
    from gridgov.geo import gridchanges

    shift, sup = users["shift"], users["supervisor"]
    with time_machine.travel(at(2024, 12, 21, 9), tick=False):
        t = services.submit_training(sup, dt.date(2024, 12, 1), "年终培训", "partial", 10)
        services.review_training(shift, t.pk, True)
        services.record_publicity(shift, OWN, "submission", dt.date(2024, 12, 20), "年终稿件", "北京日报")
    with time_machine.travel(at(2025, 1, 5, 9), tick=False):
        bases_2025(users["admin"])
        change = gridchanges.plan(users["admin"], node="110101001001", kind="workload", parts=2)
    with time_machine.travel(at(2025, 2, 1, 9), tick=False):
        gridchanges.apply(users["admin"], change.pk)
    with time_machine.travel(at(2025, 3, 12, 10), tick=False):
        numbers = [report(users, point) for _ in range(3)]
        for n in numbers[:2]:
            close_loop(users, n)
    with time_machine.travel(at(2025, 3, 20, 9), tick=False):
        gridchanges.plan(users["admin"], node="110101001001", kind="workload", parts=3)
    with time_machine.travel(at(2025, 3, 31, 21), tick=False):
        p1 = services.record_problem(shift, "public", at(2025, 3, 12, 11), *point, "垃圾堆放", "06010")
        services.review_problem(shift, p1.pk, "in_time")
        p2 = services.record_problem(shift, "media", at(2025, 3, 20, 8), *point, "渣土堆积", "06011")
        services.review_problem(shift, p2.pk, "missed", note="网格未上报")
        services.record_problem(shift, "leader", at(2025, 3, 25, 8), *point, "待核对的问题")
        for day, kind, ok in ((dt.date(2025, 2, 10), "whole", True), (dt.date(2025, 3, 5), "partial", True),
                              (dt.date(2025, 3, 6), "whole", False)):
            t = services.submit_training(sup, day, "网格员业务培训", kind, 20, "签到表")
            services.review_training(shift, t.pk, ok, "" if ok else "无签到表")
        services.record_outage(shift, OWN, "fault", at(2025, 1, 5, 8), at(2025, 1, 6, 8), "网络中断")
        services.record_outage(shift, OWN, "fault", at(2025, 3, 31, 20), None, "服务器宕机")
        services.record_outage(shift, OWN, "upgrade", at(2025, 2, 1), at(2025, 2, 3), "系统升级")
        services.record_publicity(shift, OWN, "report", dt.date(2025, 3, 10), "东华门网格经验", "北京日报")
        services.record_publicity(shift, OWN, "submission", dt.date(2025, 1, 10), "稿件一", "北京晚报")
        services.record_publicity(shift, OWN, "submission", dt.date(2025, 2, 10), "稿件二", "北京晚报")
        services.record_publicity(shift, OTHER, "submission", dt.date(2025, 3, 3), "景山稿件", "北京晚报")
    with time_machine.travel(at(2025, 4, 2, 9), tick=False):
        d = services.draw_sample(shift, "2025-03", OWN)
        first, second = d.cases.order_by("order")
        services.mark_sample(shift, first.pk, "passed")
        services.mark_sample(shift, second.pk, "failed", "结案照片与问题不符")
    return {"numbers": numbers, "p1": p1, "p2": p2, "draw": d}


def test_register_inputs_of_a_built_month(month):
    facts = gather.register_inputs("2025-03", DISTRICT)
    assert facts["totals"] == {"population": 720_000, "area_km2": 36.0, "annual_cases": 60_000}
    assert set(facts["units"]) == set(STREETS)
    own = facts["units"][OWN]
    assert own == {
        "name": "东华门街道",
        "case_count": {"quota": 566.67},
        "system_uptime": {"fault_hours": 28.0, "upgrade_hours": 48.0, "upgrades": 1, "usable": True},
        "grid_update": {"plans": 2, "plans_on_time": 1},
        "quality_sample": {"closed": 2, "sampled": 2, "passed": 1},
        "discovery": {"checked": 2, "found_in_time": 1},
        "staffing": own["staffing"],  # checked on its own below
        "training": {"whole": 1, "partial": 1},
        "publicity": {"reports": 1, "submissions": 2},
    }
    other = facts["units"][OTHER]
    assert other["case_count"] == {"quota": 277.78}
    assert other["publicity"] == {"reports": 0, "submissions": 1}
    assert other["quality_sample"] == {"closed": 0, "sampled": 0, "passed": 0}
    assert other["discovery"] == {"checked": 0, "found_in_time": 0}
    assert other["system_uptime"] == {"fault_hours": 0.0, "upgrade_hours": 0.0, "upgrades": 0, "usable": True}
    assert month["p1"].suggested.number == month["numbers"][0]  # the earliest of the three at the same point


def test_staffing_counts_grid_workers_per_community(users):
    """东华门街道 has 10 communities in the bundled division codes (多福巷、银闸、东厂、智德、南池子、灯市口、正义路、
    台基厂、韶九、王府井); staff = the active grid-worker accounts bound within the street: one more active worker
    counts, an inactive one or another post does not."""
    from gridgov.accounts.models import User

    with time_machine.travel(at(2025, 1, 5, 9), tick=False):
        bases_2025(users["admin"])
    facts = gather.register_inputs("2025-03", DISTRICT)["units"]
    assert facts[OWN]["staffing"]["communities"] == 10
    staff = facts[OWN]["staffing"]["staff"]
    User.objects.create(username="ledgers-new-worker", role="grid_worker", node_key="110101001002W001")
    User.objects.create(username="ledgers-gone-worker", role="grid_worker", node_key="110101001002W001",
                        is_active=False)
    User.objects.create(username="ledgers-leader", role="grid_leader", node_key="110101001002")
    assert gather.register_inputs("2025-03", DISTRICT)["units"][OWN]["staffing"]["staff"] == staff + 1


def test_a_street_without_population_refuses_the_total_and_writes_nothing(users):
    admin = users["admin"]
    for code in STREETS[:-1]:
        services.save_unit_base(admin, code, 2025, 40_000, "2.00")
    n_audit = AuditRecord.objects.count()
    with pytest.raises(DomainError) as e:
        services.set_district_total(admin, DISTRICT, 2025, 60_000)
    assert e.value.code == "quota_population_missing" and "永定门外街道" in e.value.message
    assert not QuotaYear.objects.filter(year=2025).exists() and AuditRecord.objects.count() == n_audit
    with pytest.raises(DomainError) as e:
        services.save_unit_base(admin, STREETS[-1], 2025, None, "2.00")
    assert e.value.code == "quota_population_missing"
    assert not UnitBase.objects.filter(year=2025, scope_key=STREETS[-1]).exists()
    assert AuditRecord.objects.count() == n_audit
    with pytest.raises(DomainError) as e:
        gather.register_inputs("2025-03", DISTRICT)
    assert e.value.code == "quota_total_missing"


@pytest.mark.parametrize("call,code", [
    (lambda u, p: services.record_problem(u, "rumour", at(2025, 3, 1, 8), *p, "x"), "invalid_problem_kind"),
    (lambda u, p: services.record_problem(u, "media", at(2025, 3, 1, 8), 0.0, 0.0, "x"), "outside_jurisdiction"),
    (lambda u, p: services.record_problem(u, "media", at(2025, 3, 1, 8), *p, "  "), "invalid_input"),
    (lambda u, p: services.record_problem(u, "media", at(2025, 3, 1, 8), *p, "x", "99999"), "unknown_matter"),
    (lambda u, p: services.record_outage(u, OWN, "fault", at(2025, 3, 2), at(2025, 3, 1)), "invalid_period"),
    (lambda u, p: services.record_publicity(u, OWN, "tweet", dt.date(2025, 3, 1), "t", "m"),
     "invalid_publicity_kind"),
    (lambda u, p: services.add_adjustment(u, OWN, 2025, "abc", "理由"), "invalid_adjustment"),
    (lambda u, p: services.draw_sample(u, "2025-13", OWN), "invalid_period"),
])
def test_bad_input_writes_nothing(users, point, call, code):
    n_audit = AuditRecord.objects.count()
    counts = [m.objects.count() for m in (Problem, SampleDraw, Training)]
    with pytest.raises(DomainError) as e:
        call(users["shift"], point)
    assert e.value.code == code and e.value.message
    assert AuditRecord.objects.count() == n_audit
    assert [m.objects.count() for m in (Problem, SampleDraw, Training)] == counts


def test_sample_is_drawn_once_and_unmarked_cases_do_not_count(month, users):
    with time_machine.travel(at(2025, 4, 3, 9), tick=False), pytest.raises(DomainError) as e:
        services.draw_sample(users["shift"], "2025-03", OWN)
    assert e.value.code == "sample_exists"
    assert month["draw"].seed == "2025-03:110101001" and month["draw"].closed == 2
    assert sorted(c.case.number for c in month["draw"].cases.all()) == sorted(month["numbers"][:2])


def test_a_failed_mark_needs_a_reason(month, users):
    s = month["draw"].cases.first()
    with pytest.raises(DomainError) as e:
        services.mark_sample(users["shift"], s.pk, "failed", "")
    assert e.value.code == "invalid_input"


def test_scope_per_post(month, users):
    """The street's 督导员 sees its street only and may submit its trainings, not review; the leader reads all;
    a grid worker has no assessment right; a department (handler) reads the district but submits no training."""
    sup, leader, worker, handler = users["supervisor"], users["leader"], users["gridworker"], users["handler"]
    assert {p.scope_key for p in services.problems(sup)} == {OWN}
    assert {p.scope_key for p in services.publicity(sup, 2025)} == {OWN}
    assert {p.scope_key for p in services.publicity(leader, 2025)} == {OWN, OTHER}
    assert [r["code"] for r in gather.summary(sup, "2025-03", DISTRICT)] == [OWN]
    assert len(gather.summary(leader, "2025-03", DISTRICT)) == 17
    _, rows = services.allocation(sup, 2025)
    assert [(r.code, round(r.monthly, 2)) for r in rows] == [(OWN, 566.67)]
    with pytest.raises(NoRight):
        services.problems(worker)
    with pytest.raises(NoRight):
        services.review_problem(sup, month["p1"].pk, "missed")
    with pytest.raises(DomainError) as e:
        services.submit_training(sup, dt.date(2025, 3, 1), "越界", "whole", 5, street_code=OTHER)
    assert e.value.status == 404
    with pytest.raises(DomainError) as e:
        services.submit_training(handler, dt.date(2025, 3, 1), "部门", "whole", 5, street_code=OWN)
    assert e.value.status == 403


def test_inspection_failures_feed_the_register(users):
    """A failed checklist item of March 2025 becomes one 现场检查 problem (once, however often imported), at the
    inspection's place and time with the item's matter; the case the inspection filed itself is not suggested
    (its source is 检查发现, not one of the street's own sources)."""
    import io

    from PIL import Image

    from gridgov.basedata.models import Organisation
    from gridgov.inspection import services as inspection
    from gridgov.inspection.models import ChecklistItem

    org = Organisation.objects.filter(scope_key__startswith="110101001001W001.", lon__isnull=False).order_by("id")[0]
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    with time_machine.travel(at(2025, 3, 3, 9), tick=False):
        plan = inspection.create_plan(users["supervisor"], name="倒查测试", template="fire", frequency="monthly",
                                      start_on=dt.date(2025, 3, 1), inspector="inspector",
                                      targets=[("organisation", org.pk)])
        items = [i.code for i in inspection.active_items(plan.template)]
        inspection.submit(users["inspector"], target_id=plan.targets.get().pk, client_key="ledgers-ins-1",
                          answers=[{"item": i, "answer": "fail" if i == "F02" else "pass"} for i in items],
                          photos={"F02": [("灭火器.png", buf.getvalue())]})
    with time_machine.travel(at(2025, 4, 1, 9), tick=False):
        made = services.import_problems(users["shift"], "2025-03")
        again = services.import_problems(users["shift"], "2025-03")
    assert len(made) == 1 and again == []
    p = made[0]
    item = ChecklistItem.objects.get(template__code="fire", code="F02")
    assert (p.kind, p.scope_key, p.matter, p.found_at, p.suggested) == ("site_check", OWN, item.matter_code,
                                                                        at(2025, 3, 3, 9), None)
    assert p.source_ref.startswith("inspection-answer:")


PAGES = ["/ledgers/", "/ledgers/quota/", "/ledgers/problems/", "/ledgers/samples/", "/ledgers/trainings/",
         "/ledgers/outages/", "/ledgers/publicity/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_per_post(client_for, url):
    """The centre, the leader and the street's 督导员 read the registers; a grid worker and a resident may not;
    only the centre gets the forms that write (the 督导员 also the training form)."""
    for who in ("shift", "leader", "supervisor"):
        r = client_for(who).get(url)
        assert r.status_code == 200, (who, url)
    assert client_for("gridworker").get(url).status_code == 403
    assert client_for("resident").get(url).status_code == 403
    def forms(who):  # the page's own forms (the base page has its sign-out form)
        return client_for(who).get(url).content.decode().count('method="post"')

    assert (forms("shift") > forms("leader")) == (url != "/ledgers/")


def test_the_quota_page_shows_the_table_like_attachment_2(client_for, month):
    text = client_for("shift").get("/ledgers/quota/?year=2025").content.decode()
    assert "2025 年网格案件考核数量分配表" in text
    for cell in ("东华门街道", "6666.67", "133.33", "6800.0", "566.67", "景山街道", "3333.33", "277.78"):
        assert cell in text, cell
    r = client_for("supervisor").get("/ledgers/quota/export/?year=2025&format=csv")
    assert r.status_code == 200
    lines = r.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("镇街代码,镇街,常住人口") and len(lines) == 2  # the street's own row only
    assert lines[1].split(",")[-1] == "566.67"


def test_a_page_form_writes_through_the_service_and_a_bad_one_writes_nothing(client_for, users):
    c = client_for("supervisor")
    n = Training.objects.count()
    r = c.post("/ledgers/trainings/?year=2026", {"held_on": "2026-11-05", "title": "业务培训", "kind": "whole",
                                                 "attendees": "12", "evidence": "签到表"})
    assert r.status_code == 302 and Training.objects.count() == n + 1
    t = Training.objects.latest("id")
    assert (t.scope_key, t.status, t.recorded_by.username) == (OWN, "submitted", "supervisor")
    assert AuditRecord.objects.filter(object_type="ledger_training", object_id=str(t.pk)).count() == 1
    r = c.post("/ledgers/trainings/?year=2026", {"held_on": "", "title": "业务培训", "kind": "whole",
                                                 "attendees": "12"}, follow=True)
    assert "请填写培训日期" in r.content.decode() and Training.objects.count() == n + 1
    assert c.post("/ledgers/outages/", {"street": OWN, "kind": "fault", "start": "2026-11-01T08:00"}).status_code == 403


def test_review_looks_again_for_a_case_filed_within_the_grace_period(users, point):
    """A 群众举报 registered at 09:00 with no case yet; the grid worker reports the same matter at the same point at
    10:30 (within the 2 h grace): confirming 已及时发现 without a number takes that case. Without any case it is
    refused (case_required) and nothing changes."""
    shift = users["shift"]
    with time_machine.travel(at(2025, 6, 3, 9, 5), tick=False):
        p = services.record_problem(shift, "public", at(2025, 6, 3, 9), *point, "垃圾", "06010")
        lonely = services.record_problem(shift, "public", at(2025, 6, 3, 9), *point, "渣土", "06011")
    assert p.suggested is None
    with time_machine.travel(at(2025, 6, 3, 10, 30), tick=False):
        number = report(users, point)
    with time_machine.travel(at(2025, 6, 4, 9), tick=False):
        p = services.review_problem(shift, p.pk, "in_time")
        with pytest.raises(DomainError) as e:
            services.review_problem(shift, lonely.pk, "in_time")
    assert (p.verdict, p.case.number, p.suggested.number) == ("in_time", number, number)
    assert e.value.code == "case_required"
    assert Problem.objects.get(pk=lonely.pk).verdict == "pending"


def test_city_dispatches_feed_the_register(users, point):
    """The city's 派件 of March 2025 (a 领导交办 the city filed at the point, 06010) becomes one 领导批示 problem at the
    case's place and report time; a street's own case reported an hour earlier at the same point is suggested, never
    the dispatched case itself."""
    from gridgov.accounts.models import User
    from gridgov.cases import services as cases
    from gridgov.oversight import services as oversight

    city_shift = User.objects.create(username="ledgers-city-shift", role="shift_leader", node_key="1101")
    city_dispatcher = User.objects.create(username="ledgers-city-dispatcher", role="dispatcher", node_key="1101")
    with time_machine.travel(at(2025, 3, 10, 9), tick=False):
        own = report(users, point)
    with time_machine.travel(at(2025, 3, 10, 10), tick=False):
        number = cases.intake(city_shift, source="leader", lon=point[0], lat=point[1], description="市级交办",
                              matter="06010").case.number
        cases.transition(city_shift, number, "register", {"matter": "06010"})
        oversight.dispatch_to_district(city_dispatcher, number, DISTRICT, at(2025, 3, 15, 10))
    with time_machine.travel(at(2025, 4, 1, 9), tick=False):
        made = services.import_problems(users["shift"], "2025-03", "city_dispatch")
        assert services.import_problems(users["shift"], "2025-03", "city_dispatch") == []
    assert len(made) == 1
    p = made[0]
    assert (p.kind, p.scope_key, p.matter, p.found_at) == ("leader", OWN, "06010", at(2025, 3, 10, 10))
    assert p.suggested.number == own and number in p.description


def test_the_demo_fills_the_registers_of_two_months(users):
    """The demo at its full scale on the test world: 17 streets' bases, and for each of the last two complete
    months a training per street (confirmed), each street's sample drawn, the 倒查 problems reviewed."""
    from gridgov.ledgers import demo

    lines = []
    demo.build(lines.append, "demo")
    assert len(lines) == 1 and "考评台账" in lines[0]
    now = dt.datetime.now(SH)
    months = [demo.periods.previous(demo.periods.of(now), 2), demo.periods.previous(demo.periods.of(now), 1)]
    # 17 streets × 2 months of the demo's own; the training app's sessions (gridgov/training) keep the rows they entered
    assert Training.objects.filter(status="confirmed", session__isnull=True).count() == 34
    assert SampleDraw.objects.filter(period__in=months).count() == 34
    assert not Problem.objects.filter(verdict="pending").exists()
    facts = gather.register_inputs(months[1], DISTRICT)
    assert facts["totals"] == {"population": 708_829, "area_km2": 41.84, "annual_cases": 60_000}
    assert sum(u["training"]["whole"] + u["training"]["partial"] for u in facts["units"].values()) >= 17
