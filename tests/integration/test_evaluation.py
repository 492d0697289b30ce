"""满意度回访 and 条块双向考核 through the services, the API and the pages (issue 14 items 4 and 5; seed 003 篇8
4.2 双向考核机制 and 4.5 满意度回访机制: 工作态度、工作效率、实际解决诉求情况, 数据反馈给责任单位).

The cases are driven through the real loop (intake → … → 结案) at frozen times in October 2026, a month the
test world's demo cases (the last few days) do not touch, so every figure below is worked out by hand."""

import datetime as dt
import zoneinfo

import pytest

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
PHONE = "13900001111"

LOOP = [  # (who, action, data) from 上报 to 结案; the case is sent to 区环境卫生服务中心 (110101-HW)
    ("intake", "assign_verify", {}),
    ("inspector", "confirm", {}),
    ("intake", "register", {"matter": "06010"}),
    ("dispatcher", "dispatch", {"department": "110101-HW"}),
    ("handler", "accept", {}),
    ("handler", "handle", {"feedback": "已清运"}),
    ("inspector", "inspect_pass", {}),
    ("intake", "close", {}),
]


def closed_case(users, point, time_machine, at: dt.datetime, source="hotline") -> str:
    from gridgov.cases import services

    time_machine.move_to(at, tick=False)
    r = services.intake(users["intake"], source=source, lon=point[0], lat=point[1], description="路边暴露垃圾",
                        matter="06010", reporter_phone=PHONE)
    for i, (who, action, data) in enumerate(LOOP):
        time_machine.move_to(at + dt.timedelta(minutes=10 * (i + 1)), tick=False)
        services.transition(users[who], r.case.number, action, data)
    return r.case.number


@pytest.fixture
def october(users, point, time_machine):
    """Three cases closed on 12, 13 and 14 October 2026 (东华门街道, 区环境卫生服务中心); then the clock is at
    20 October 10:00."""
    numbers = [closed_case(users, point, time_machine, dt.datetime(2026, 10, d, 9, 0, tzinfo=SH)) for d in (12, 13, 14)]
    time_machine.move_to(dt.datetime(2026, 10, 20, 10, 0, tzinfo=SH), tick=False)
    return numbers


def survey(users, number, **kw):
    from gridgov.evaluation import services

    answers = {"attitude": 5, "efficiency": 4, "result": 4, "resolved": True, "remark": "处理很快"} | kw
    return services.phone_survey(users["intake"], number, **answers)


def test_the_queue_lists_closed_cases_oldest_first_with_masked_phones(users, october, client_for):
    from gridgov.evaluation import services

    rows = services.queue_rows(services.queue(users["intake"]))
    mine = [r for r in rows if r["number"] in october]
    assert [r["number"] for r in mine] == october  # closed 12, 13, 14 October: oldest first
    assert all(r["phone"] == "139****1111" and r["calls"] == 0 for r in mine)
    assert all(r["department"] == "区环境卫生服务中心" for r in mine)
    # over HTTP: the page shows the masked phone, never the plain one
    page = client_for("intake").get("/evaluation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert october[0] in html and "139****1111" in html and PHONE not in html
    # the API's page shape
    body = client_for("shift").get("/api/v1/evaluation/queue?limit=500").json()
    assert {"items", "count", "count_more", "limit", "offset"} == set(body)
    assert october[0] in [i["number"] for i in body["items"]]


@pytest.mark.parametrize("post", ["dispatcher", "handler", "supervisor", "leader", "clerk", "resident"])
def test_only_the_follow_up_posts_have_the_queue(client_for, post):
    # the lifecycle allows 回访 to the centre's 受理员 and 值班长 (and the resident, on the public page)
    assert client_for(post).get("/evaluation/").status_code == 403
    assert client_for(post).get("/api/v1/evaluation/queue").status_code == 403


def test_the_plain_phone_needs_a_reason_and_is_logged(users, october, client_for):
    from gridgov.basedata.models import AccessLog

    c = client_for("intake")
    before = AccessLog.objects.count()
    r = c.post(f"/api/v1/evaluation/queue/{october[0]}/phone", {"reason": ""}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    assert AccessLog.objects.count() == before
    r = c.post(f"/api/v1/evaluation/queue/{october[0]}/phone", {"reason": "满意度回访"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["phone"] == PHONE
    log = AccessLog.objects.order_by("-id").first()
    assert (log.username, log.action, log.target, log.reason) == ("intake", "unmask", "case_report", "满意度回访")


def test_a_phone_survey_sets_the_case_satisfaction_timeline_and_audit(users, october):
    from gridgov.cases.models import Case, CaseEvent
    from gridgov.evaluation import services
    from gridgov.evaluation.models import Survey

    start = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    s = survey(users, october[0], attitude=5, efficiency=3, result=4)
    case = Case.objects.get(number=october[0])
    assert case.followed_up and case.satisfaction == 4  # the overall 满意度 is the 结果 dimension
    event = CaseEvent.objects.filter(case=case).order_by("-id").first()
    assert event.action == "follow_up" and event.actor_id == users["intake"].pk
    assert (s.attitude, s.efficiency, s.result, s.resolved, s.channel) == (5, 3, 4, True, "phone")
    assert s.department.code == "110101-HW" and s.street_code == "110101001"
    assert [(r.object_type, r.action) for r in AuditRecord.objects.filter(id__gt=start).order_by("id")] == [
        ("case", "follow_up"), ("survey", "create")]
    # it leaves the queue; a second survey of the same closing is refused, nothing written
    assert october[0] not in [c.number for c in services.queue(users["intake"])]
    with pytest.raises(Exception) as e:
        survey(users, october[0])
    assert getattr(e.value, "code", "") in ("already_followed_up", "not_closed")
    assert Survey.objects.filter(case=case).count() == 1


def test_not_resolved_reopens_the_case(users, october):
    from gridgov.cases.models import Case

    s = survey(users, october[1], result=2, resolved=False, remark="垃圾第二天又堆起来了")
    case = Case.objects.get(number=october[1])
    assert case.status == "registered" and case.reopen_count == 1 and case.satisfaction == 2
    assert case.assignee_department_id is None  # back to the dispatcher
    assert s.resolved is False and s.department.code == "110101-HW"  # the survey keeps who handled it
    event = case.events.order_by("-id").first()
    assert event.action == "reopen" and "垃圾第二天又堆起来了" in event.data["reason"]


@pytest.mark.parametrize("bad,code", [
    ({"attitude": 0}, "invalid_score"), ({"result": 6}, "invalid_satisfaction"), ({"efficiency": "x"}, "invalid_score"),
    ({"resolved": None}, "resolved_required"), ({"resolved": False, "remark": ""}, "reason_required")])
def test_bad_survey_input_writes_nothing(users, october, bad, code):
    from gridgov.cases.models import Case
    from gridgov.errors import DomainError
    from gridgov.evaluation.models import Survey

    before = AuditRecord.objects.count()
    with pytest.raises(DomainError) as e:
        survey(users, october[2], **bad)
    assert e.value.code == code
    assert AuditRecord.objects.count() == before and not Survey.objects.filter(case__number=october[2]).exists()
    assert not Case.objects.get(number=october[2]).followed_up


def test_three_calls_not_through_make_it_unreachable(users, october, client_for):
    from gridgov.evaluation import services
    from gridgov.evaluation.models import CallAttempt, Survey

    c = client_for("intake")
    for n in (1, 2, 3):
        r = c.post(f"/api/v1/evaluation/queue/{october[2]}/calls", {"note": "无人接听"},
                   content_type="application/json")
        assert r.status_code == 201 and r.json() == {"number": october[2], "calls": n, "unreachable": n == 3}
    s = Survey.objects.get(case__number=october[2])
    assert (s.outcome, s.attempts, s.result) == ("unreachable", 3, None)
    assert CallAttempt.objects.filter(case__number=october[2]).count() == 3  # the attempts are kept
    assert october[2] not in [x.number for x in services.queue(users["intake"])]
    r = c.post(f"/api/v1/evaluation/queue/{october[2]}/calls", {}, content_type="application/json")
    assert r.status_code == 409


def test_the_month_figures_per_street_and_department(users, october):
    from gridgov.evaluation import services

    survey(users, october[0], attitude=5, efficiency=4, result=5)
    survey(users, october[1], attitude=3, efficiency=2, result=2, resolved=False, remark="没有清理干净")
    # October 2026, 东华门街道 and 区环境卫生服务中心: 3 closings (2 still closed + 1 reopened by its survey),
    # 2 surveyed → 回访率 2/3 = 0.6667; 态度 (5+3)/2 = 4.0, 效率 (4+2)/2 = 3.0, 结果 (5+2)/2 = 3.5;
    # 满意率: 结果 ≥ 3 → 1 of 2 = 0.5; 解决率 0.5
    f = services.figures("2026-10", "110101")
    want = {"closed": 3, "surveyed": 2, "unreachable": 0, "follow_up_rate": 0.6667,
            "means": {"attitude": 4.0, "efficiency": 3.0, "result": 3.5}, "satisfied_share": 0.5,
            "resolved_share": 0.5}
    assert f["streets"]["110101001"]["satisfaction"] == want
    assert f["streets"]["110101001"]["name"] == "东华门街道"
    assert f["departments"]["110101-HW"]["satisfaction"] == want
    assert f["departments"]["110101-ZF"]["satisfaction"]["closed"] == 0


def test_each_post_sees_its_own_figures(users, october, client_for):
    survey(users, october[0], remark="环卫工人态度很好")
    handler = client_for("handler").get("/api/v1/evaluation/figures?period=2026-10").json()
    assert list(handler["departments"]) == ["110101-HW"] and handler["streets"] == {}
    supervisor = client_for("supervisor").get("/api/v1/evaluation/figures?period=2026-10").json()
    assert list(supervisor["streets"]) == ["110101001"] and supervisor["departments"] == {}
    leader = client_for("leader").get("/api/v1/evaluation/figures?period=2026-10").json()
    assert "110101-ZF" in leader["departments"] and "110101002" in leader["streets"]
    # the department reads the surveys of its cases, remarks included, on its page
    page = client_for("handler").get("/evaluation/figures/?period=2026-10")
    assert page.status_code == 200 and "环卫工人态度很好" in page.content.decode()
    assert client_for("gridworker").get("/evaluation/figures/").status_code == 403
    assert client_for("dispatcher").get("/api/v1/evaluation/figures").status_code == 403


# ---------------------------------------------------------------- 条块双向考核


def rate_as(client, body):
    return client.post("/api/v1/evaluation/ratings", body, content_type="application/json")


STREET_SCORES = {"speed": 4, "quality": 5, "cooperation": 3}


def test_a_street_rates_a_department_once_a_month_replaced_and_audited(client_for, time_machine):
    from gridgov.evaluation.models import Rating

    time_machine.move_to(dt.datetime(2026, 12, 3, 10, 0, tzinfo=SH), tick=False)
    c = client_for("supervisor")
    r = rate_as(c, {"period": "2026-11", "ratee": "110101-HW", "scores": STREET_SCORES, "remark": "响应快"})
    assert r.status_code == 201, r.content
    r = rate_as(c, {"period": "2026-11", "ratee": "110101-HW", "scores": STREET_SCORES | {"speed": 2}})
    assert r.status_code == 200 and r.json()["revision"] == 1
    rows = Rating.objects.filter(period="2026-11", rater_code="110101001", ratee_code="110101-HW")
    assert [(x.scores, x.remark) for x in rows] == [({"speed": 2, "quality": 5, "cooperation": 3}, "")]
    audit = list(AuditRecord.objects.filter(object_type="rating").order_by("id").values_list("action", flat=True))
    assert audit[-2:] == ["create", "update"]


def test_after_the_fifth_working_day_the_window_is_closed_and_nothing_is_written(client_for, time_machine):
    from gridgov.evaluation.models import Rating

    # November 2026: the window runs to the 5th working day of December — Tue 1 … Mon 7 (no holiday then)
    time_machine.move_to(dt.datetime(2026, 12, 7, 23, 0, tzinfo=SH), tick=False)
    assert rate_as(client_for("handler"), {"period": "2026-11", "scores": {
        "accuracy": 5, "clarity": 4, "coordination": 4}}).status_code == 201
    time_machine.move_to(dt.datetime(2026, 12, 8, 8, 0, tzinfo=SH), tick=False)
    before = (AuditRecord.objects.count(), Rating.objects.count())
    r = rate_as(client_for("supervisor"), {"period": "2026-11", "ratee": "110101-HW", "scores": STREET_SCORES})
    assert r.status_code == 409 and r.json()["code"] == "rating_window_closed"
    assert "2026-12-07" in r.json()["message"]
    r = rate_as(client_for("supervisor"), {"period": "2027-01", "ratee": "110101-HW", "scores": STREET_SCORES})
    assert r.status_code == 400 and r.json()["code"] == "period_not_started"
    assert (AuditRecord.objects.count(), Rating.objects.count()) == before


@pytest.mark.parametrize("body,status,code", [
    ({"ratee": "110101-HW", "scores": {"speed": 4, "quality": 5}}, 400, "invalid_score"),
    ({"ratee": "110101-HW", "scores": STREET_SCORES | {"speed": 0}}, 400, "invalid_score"),
    ({"ratee": "110101-HW", "scores": STREET_SCORES | {"price": 3}}, 400, "unknown_dimension"),
    ({"ratee": "110102-XX", "scores": STREET_SCORES}, 404, "unknown_department"),
])
def test_bad_ratings_are_refused(client_for, time_machine, body, status, code):
    time_machine.move_to(dt.datetime(2026, 12, 3, 10, 0, tzinfo=SH), tick=False)
    before = AuditRecord.objects.count()
    r = rate_as(client_for("supervisor"), {"period": "2026-11", **body})
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert AuditRecord.objects.count() == before


def test_a_unit_sees_the_means_and_remarks_of_what_it_received_not_who(client_for, users, time_machine):
    from gridgov.accounts.models import User
    from gridgov.accounts.roles import Role

    time_machine.move_to(dt.datetime(2026, 12, 3, 10, 0, tzinfo=SH), tick=False)
    other = User.objects.filter(role=Role.GRID_SUPERVISOR, node_key="110101002").first()
    assert other is not None
    from gridgov.evaluation import services

    services.rate(users["supervisor"], "2026-11", "110101-HW", {"speed": 5, "quality": 4, "cooperation": 4}, "响应快")
    services.rate(other, "2026-11", "110101-HW", {"speed": 3, "quality": 4, "cooperation": 2}, "配合一般")
    # 区环境卫生服务中心: speed (5+3)/2 = 4.0, quality 4.0, cooperation (4+2)/2 = 3.0 → overall 3.67
    got = client_for("handler").get("/api/v1/evaluation/figures?period=2026-11").json()
    hw = got["departments"]["110101-HW"]["ratings"]
    assert hw == {"raters": 2, "means": {"speed": 4.0, "quality": 4.0, "cooperation": 3.0}, "overall": 3.67,
                  "remarks": ["响应快", "配合一般"]}
    page = client_for("handler").get("/evaluation/results/?period=2026-11").content.decode()
    assert "配合一般" in page and "110101002" not in page and "东华门" not in page
    # the centre's results and their Excel
    x = client_for("leader").get("/evaluation/results/export/?period=2026-11")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert client_for("leader").get("/api/v1/evaluation/results/export?period=2026-11").status_code == 200


def test_the_monthly_notice_reaches_the_departments(users, october, client_for):
    from gridgov.notify.models import Notification

    survey(users, october[0])
    r = client_for("shift").post("/api/v1/evaluation/notices", {"period": "2026-10"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["departments"] >= 1
    note = Notification.objects.filter(user=users["handler"], kind="evaluation").order_by("-id").first()
    assert note is not None and "2026-10" in note.title and "回访 1 件" in note.body
    assert client_for("handler").post("/api/v1/evaluation/notices", {"period": "2026-10"},
                                      content_type="application/json").status_code == 403


def public_closed_case(users, point, time_machine, client) -> str:
    """A person's report by phone number (no account) closed on 15 October; the person opens it on 16 October."""
    from gridgov.cases import services as cases
    from gridgov.cases.services import public

    time_machine.move_to(dt.datetime(2026, 10, 15, 9, 0, tzinfo=SH), tick=False)
    number = public.report(None, phone=PHONE, lon=point[0], lat=point[1], description="楼下垃圾桶满了").case.number
    for i, (who, action, data) in enumerate(LOOP):
        time_machine.move_to(dt.datetime(2026, 10, 15, 9, 0, tzinfo=SH) + dt.timedelta(minutes=10 * (i + 1)), tick=False)
        cases.transition(users[who], number, action, data)
    time_machine.move_to(dt.datetime(2026, 10, 16, 9, 0, tzinfo=SH), tick=False)
    assert client.post("/r/track/", {"number": number, "phone": PHONE}).status_code == 302  # opens the case
    return number


def test_the_resident_evaluates_on_the_public_page(users, point, time_machine, client):
    """The person who reported (by phone number, no account) rates on /r/case/<number>/: 态度 and 效率 optional,
    满意度 = 结果; the survey is stored beside the case's follow_up."""
    from gridgov.cases.models import Case
    from gridgov.evaluation.models import Survey

    number = public_closed_case(users, point, time_machine, client)  # opens the case
    r = client.post(f"/r/case/{number}/", {"what": "rate", "attitude": "4", "satisfaction": "5", "note": "很满意"})
    assert r.status_code == 302, r.content[:300]
    s = Survey.objects.get(case__number=number)
    assert (s.channel, s.attitude, s.efficiency, s.result, s.resolved, s.remark) == ("web", 4, None, 5, True, "很满意")
    assert Case.objects.get(number=number).satisfaction == 5


def test_the_pages_survey_and_rate_through_forms(users, october, client_for, time_machine):
    from gridgov.cases.models import Case
    from gridgov.evaluation.models import Rating

    c = client_for("intake")
    page = c.get(f"/evaluation/case/{october[0]}/")
    assert page.status_code == 200 and "139****1111" in page.content.decode()
    shown = c.post(f"/evaluation/case/{october[0]}/", {"what": "phone", "reason": "满意度回访"})
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    bad = c.post(f"/evaluation/case/{october[0]}/", {"what": "survey", "attitude": "5", "efficiency": "4"})
    assert bad.status_code == 400 and "「结果」应为 1～5 的整数" in bad.content.decode()
    ok = c.post(f"/evaluation/case/{october[0]}/", {"what": "survey", "attitude": "5", "efficiency": "4",
                                                   "result": "5", "resolved": "yes", "remark": ""})
    assert ok.status_code == 302 and Case.objects.get(number=october[0]).satisfaction == 5
    # 条块双向: the street's supervisor rates a department on the page, the handler the centre
    time_machine.move_to(dt.datetime(2026, 12, 2, 10, 0, tzinfo=SH), tick=False)
    s = client_for("supervisor")
    assert s.get("/evaluation/rate/?period=2026-11").status_code == 200
    r = s.post("/evaluation/rate/?period=2026-11", {"period": "2026-11", "ratee": "110101-HW", "score-speed": "4",
                                                    "score-quality": "5", "score-cooperation": "3", "remark": "好"})
    assert r.status_code == 302
    h = client_for("handler")
    form = h.get("/evaluation/rate/?period=2026-11").content.decode()
    assert "区指挥中心" in form and "派遣准确" in form
    assert h.post("/evaluation/rate/", {"period": "2026-11", "score-accuracy": "5", "score-clarity": "4",
                                        "score-coordination": "4"}).status_code == 302
    assert Rating.objects.filter(period="2026-11").count() == 2
    results = client_for("leader").get("/evaluation/results/?period=2026-11").content.decode()
    assert "区环境卫生服务中心" in results and "区指挥中心（派遣）" in results
    assert client_for("intake").get("/evaluation/rate/").status_code == 403


def test_the_residents_not_solved_is_a_survey_and_reopens(users, point, time_machine, client):
    from gridgov.cases.models import Case
    from gridgov.evaluation.models import Survey

    number = public_closed_case(users, point, time_machine, client)
    r = client.post(f"/r/case/{number}/", {"what": "reopen", "reason": "还是满的"})
    assert r.status_code == 302
    s = Survey.objects.get(case__number=number)
    assert (s.channel, s.result, s.resolved, s.remark, s.department.code) == ("web", None, False, "还是满的",
                                                                             "110101-HW")
    case = Case.objects.get(number=number)
    assert case.status == "registered" and case.events.order_by("-id").first().data["reason"] == "还是满的"


def test_the_monthly_command_sends_the_notices(users, october):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from gridgov.notify.models import Notification

    survey(users, october[0], result=5)
    out = io.StringIO()
    call_command("evaluation_notices", "--period", "2026-10", "--district", "110101", stdout=out)
    assert "2026-10：已向" in out.getvalue()
    note = Notification.objects.filter(user=users["handler"], kind="evaluation").order_by("-id").first()
    # 区环境卫生服务中心 in October: 3 closed, 1 surveyed (结果 5) → 回访率 33.3%, 满意率 100.0%
    assert "本月结案 3 件，回访 1 件（回访率 33.3%），满意率 100.0%" in note.body
    assert AuditRecord.objects.filter(object_type="evaluation_notice", object_id="2026-10", actor=None).exists()
    with pytest.raises(CommandError):
        call_command("evaluation_notices", "--period", "2026-10", "--district", "999999")


@pytest.mark.parametrize("username,url", [
    ("intake", "/evaluation/"), ("shift", "/evaluation/figures/"), ("handler", "/evaluation/figures/"),
    ("supervisor", "/evaluation/rate/"), ("handler", "/evaluation/rate/"), ("leader", "/evaluation/results/"),
])
def test_every_form_field_of_the_evaluation_pages_has_a_label(username, url, client_for):
    from tests.e2e.test_pages import _Fields

    r = client_for(username).get(url)
    assert r.status_code == 200
    page = _Fields()
    page.feed(r.content.decode())
    assert page.unlabelled() == []


def test_every_form_field_of_the_follow_up_page_has_a_label(users, october, client_for):
    from tests.e2e.test_pages import _Fields

    page = _Fields()
    page.feed(client_for("intake").get(f"/evaluation/case/{october[0]}/").content.decode())
    assert page.fields and page.unlabelled() == []
