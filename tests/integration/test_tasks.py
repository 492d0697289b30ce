"""专项行动 / 专项工作 / 演练 / 例会 (issue 15 items 6 and 7), with the expected figures typed by hand.

The campaign follows seed 003 篇6: 检查实施阶段 with reports 「于每月27日前」, two responsible units, one late report.
The clock is frozen with ``time_machine``; every test makes its own campaign, tasks, drills and meetings.
"""

import datetime as dt
import io
import zoneinfo

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.notify.models import Notification

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
API = "/api/v1/tasks"


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def audit_count() -> int:
    return AuditRecord.objects.count()


@pytest.fixture
def campaign(time_machine, client_for):
    """背街小巷环境整治 of 东城区: 东华门街道 and 区环境卫生服务中心; 实施 2026-07-01 … 09-30, reports by the 27th."""
    time_machine.move_to(at(2026, 6, 20), tick=False)
    r = post(client_for("admin"), f"{API}/campaigns", {
        "name": "背街小巷环境整治专项行动（测试）", "start": "2026-06-25", "end": "2026-10-31", "report_day": 27,
        "phases": [{"kind": "deploy", "start": "2026-06-25", "end": "2026-06-30"},
                   {"kind": "implement", "start": "2026-07-01", "end": "2026-09-30"},
                   {"kind": "summary", "start": "2026-10-01", "end": "2026-10-31"},
                   {"kind": "long_term", "start": "2026-11-01"}],
        "units": [{"unit": "110101001", "duty": "东华门街道背街小巷"}, {"unit": "110101-HW", "duty": "垃圾清运"}]})
    assert r.status_code == 201, r.content
    return r.json()["id"]


# when each unit reported: (account, unit, month, submitted at, figures)
REPORTS = [
    ("supervisor", "110101001", "2026-07", at(2026, 7, 20), {"排查背街小巷（条）": 10}),
    ("handler", "110101-HW", "2026-07", at(2026, 7, 27, 9), {"清运垃圾（吨）": 3.5}),
    ("supervisor", "110101001", "2026-08", at(2026, 8, 27, 18), {"排查背街小巷（条）": 12}),  # on the 27th: on time
    ("handler", "110101-HW", "2026-08", at(2026, 8, 29), {"清运垃圾（吨）": 4}),               # the 29th: late
    ("supervisor", "110101001", "2026-09", at(2026, 9, 26), {"排查背街小巷（条）": 8}),
    ("handler", "110101-HW", "2026-09", at(2026, 9, 25), {"清运垃圾（吨）": 2.5}),
]


def test_a_campaign_with_two_units_and_one_late_report_is_shown_and_exported(campaign, time_machine, client_for):
    from openpyxl import load_workbook

    for who, unit, month, when, figures in REPORTS:
        time_machine.move_to(when, tick=False)
        r = post(client_for(who), f"{API}/campaigns/{campaign}/reports",
                 {"unit": unit, "period": month, "text": f"{month} 工作开展情况", "figures": figures})
        assert r.status_code == 201, r.content
        assert r.json()["late"] is (when == at(2026, 8, 29))
    time_machine.move_to(at(2026, 10, 5), tick=False)

    detail = client_for("admin").get(f"{API}/campaigns/{campaign}").json()
    assert detail["months"] == ["2026-07", "2026-08", "2026-09"]
    assert [u["name"] for u in detail["units"]] == ["东华门街道", "区环境卫生服务中心"]
    assert detail["late"] == 1
    assert detail["totals"] == {"排查背街小巷（条）": 30, "清运垃圾（吨）": 10}
    assert [(c["period"], c["unit"], c["state"]) for c in detail["reports"] if c["late"]] == \
        [("2026-08", "110101-HW", "late")]

    page = client_for("supervisor").get(f"/tasks/campaigns/{campaign}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "逾期 1 份" in text
    assert text.count('data-state="late"') == 1 and 'data-state="missing"' not in text
    assert text.count('class="late" data-state="late"') == 1
    assert text.count('data-state="on_time"') == 5
    assert "检查实施" in text and "长效监管" in text

    r = client_for("admin").get(f"{API}/campaigns/{campaign}/export?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["月份", "责任单位", "截止日期", "上报时间", "状态", "逾期", "上报人", "工作开展情况",
                       "排查背街小巷（条）", "清运垃圾（吨）"]
    body = [r[:6] + r[7:] for r in rows[1:]]  # without the reporter's name
    assert body == [
        ["2026-07", "东华门街道", "2026-07-27", "2026-07-20 10:00", "按时", "否", "2026-07 工作开展情况", 10, None],
        ["2026-07", "区环境卫生服务中心", "2026-07-27", "2026-07-27 09:00", "按时", "否", "2026-07 工作开展情况", None, 3.5],
        ["2026-08", "东华门街道", "2026-08-27", "2026-08-27 18:00", "按时", "否", "2026-08 工作开展情况", 12, None],
        ["2026-08", "区环境卫生服务中心", "2026-08-27", "2026-08-29 10:00", "逾期上报", "是", "2026-08 工作开展情况",
         None, 4],
        ["2026-09", "东华门街道", "2026-09-27", "2026-09-26 10:00", "按时", "否", "2026-09 工作开展情况", 8, None],
        ["2026-09", "区环境卫生服务中心", "2026-09-27", "2026-09-25 10:00", "按时", "否", "2026-09 工作开展情况", None, 2.5],
    ]
    page_file = client_for("supervisor").get(f"/tasks/campaigns/{campaign}/export.xlsx")
    assert page_file.status_code == 200 and page_file.content[:2] == b"PK"


def test_a_missing_report_is_late_the_day_after_the_report_day(campaign, time_machine, client_for):
    time_machine.move_to(at(2026, 7, 27, 23, 59), tick=False)
    cells = client_for("admin").get(f"{API}/campaigns/{campaign}").json()["reports"]
    assert [(c["period"], c["unit"], c["state"]) for c in cells] == [
        ("2026-07", "110101001", "pending"), ("2026-07", "110101-HW", "pending"),
        ("2026-08", "110101001", "pending"), ("2026-08", "110101-HW", "pending"),
        ("2026-09", "110101001", "pending"), ("2026-09", "110101-HW", "pending")]
    time_machine.move_to(at(2026, 7, 28, 0, 1), tick=False)
    detail = client_for("admin").get(f"{API}/campaigns/{campaign}").json()
    assert [(c["period"], c["unit"], c["state_label"], c["late"]) for c in detail["reports"]][:3] == [
        ("2026-07", "110101001", "逾期未报", True), ("2026-07", "110101-HW", "逾期未报", True),
        ("2026-08", "110101001", "未到期", False)]
    assert detail["late"] == 2
    # the unit's 待办 names the report it owes
    todo = client_for("supervisor").get(f"{API}/todo").json()
    assert [(x["campaign"], x["period"], x["state"]) for x in todo["reports"] if x["campaign"] == campaign] == \
        [(campaign, "2026-07", "missing")]


# ---------------------------------------------------------------- bad input: a clear message, nothing written


def test_a_report_for_a_unit_not_in_the_campaign_is_refused(campaign, time_machine, client_for):
    from gridgov.tasks.models import Report

    time_machine.move_to(at(2026, 7, 10), tick=False)
    before = audit_count(), Report.objects.count()
    r = post(client_for("admin"), f"{API}/campaigns/{campaign}/reports",
             {"unit": "110101002", "period": "2026-07", "text": "景山街道"})
    assert r.status_code == 400
    assert r.json()["code"] == "unit_not_in_campaign"
    assert r.json()["message"] == "「110101002」不是本专项行动的责任单位"
    # a month outside the reporting phase, a month to come, twice the same month
    for period, code in (("2026-06", "not_a_report_month"), ("2026-08", "report_in_future")):
        r = post(client_for("supervisor"), f"{API}/campaigns/{campaign}/reports",
                 {"unit": "110101001", "period": period, "text": "x"})
        assert (r.status_code, r.json()["code"]) == (400, code)
    # the street's supervisor cannot report for the department
    r = post(client_for("supervisor"), f"{API}/campaigns/{campaign}/reports",
             {"unit": "110101-HW", "period": "2026-07", "text": "x"})
    assert (r.status_code, r.json()["code"]) == (403, "not_your_unit")
    assert (audit_count(), Report.objects.count()) == before
    ok = {"unit": "110101001", "period": "2026-07", "text": "第一次"}
    assert post(client_for("supervisor"), f"{API}/campaigns/{campaign}/reports", ok).status_code == 201
    r = post(client_for("supervisor"), f"{API}/campaigns/{campaign}/reports", ok)
    assert (r.status_code, r.json()["code"]) == (409, "already_reported")


def test_a_phase_ending_before_it_starts_is_refused(time_machine, client_for):
    from gridgov.tasks.models import Campaign

    time_machine.move_to(at(2026, 6, 20), tick=False)
    before = audit_count(), Campaign.objects.count()
    r = post(client_for("admin"), f"{API}/campaigns", {
        "name": "消防安全专项整治", "start": "2026-07-01",
        "phases": [{"kind": "implement", "start": "2026-08-01", "end": "2026-07-01"}],
        "units": [{"unit": "110101001"}]})
    assert r.status_code == 400
    assert r.json() == {"code": "phase_dates",
                        "message": "「检查实施」阶段的结束日期（2026-07-01）早于开始日期（2026-08-01）"}
    # a unit outside the issuing office's area (a street issues to its own communities only)
    r = post(client_for("supervisor"), f"{API}/campaigns", {
        "name": "消防安全专项整治", "start": "2026-07-01", "units": [{"unit": "110101002001"}]})
    assert (r.status_code, r.json()["code"]) == (400, "unit_out_of_reach")
    # dates outside 2000—2099 (a campaign's months are enumerated)
    r = post(client_for("admin"), f"{API}/campaigns", {
        "name": "消防安全专项整治", "start": "2026-07-01",
        "phases": [{"kind": "implement", "start": "2026-07-01", "end": "9999-12-31"}], "units": [{"unit": "110101001"}]})
    assert (r.status_code, r.json()["code"]) == (400, "date_out_of_range")
    assert (audit_count(), Campaign.objects.count()) == before


def assign_to_community(client_for, deadline="2026-07-10"):
    r = post(client_for("supervisor"), f"{API}/tasks", {
        "title": "核查辖区消防通道堵塞情况", "detail": "逐栋查看，拍照反馈", "deadline": deadline,
        "units": ["110101001001"]})
    assert r.status_code == 201, r.content
    (task,) = r.json()
    return task["id"]


def test_feedback_on_someone_elses_task_is_refused(time_machine, client_for):
    from gridgov.tasks.models import Task

    time_machine.move_to(at(2026, 7, 1), tick=False)
    pk = assign_to_community(client_for)
    before = audit_count()
    # the street's supervisor sees the task (it is in the street) but it is 多福巷社区's
    r = client_for("supervisor").post(f"{API}/tasks/{pk}/feedback", {"text": "代为反馈"})
    assert r.status_code == 403
    assert r.json() == {"code": "not_your_task", "message": "这是「多福巷社区居委会」的任务，您不能反馈"}
    # a department does not even see it
    assert client_for("handler").post(f"{API}/tasks/{pk}/feedback", {"text": "x"}).status_code == 404
    t = Task.objects.get(pk=pk)
    assert (t.status, t.feedback, t.feedback_at) == ("assigned", "", None)
    assert audit_count() == before


def test_confirming_minutes_one_was_not_sent_is_refused(time_machine, client_for):
    from gridgov.tasks.models import MeetingMember

    time_machine.move_to(at(2026, 7, 3, 15), tick=False)
    r = post(client_for("gridleader"), f"{API}/meetings", {
        "title": "网格员周例会", "held_at": "2026-07-03T15:00:00+08:00", "members": ["gridworker"]})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    # not yet sent: the member cannot confirm
    r = client_for("gridworker").post(f"{API}/meetings/{pk}/confirm")
    assert (r.status_code, r.json()["code"]) == (403, "minutes_not_sent_to_you")
    assert post(client_for("gridleader"), f"{API}/meetings/{pk}/minutes", {"minutes": "部署下周工作"}).status_code == 200
    before = audit_count()
    r = client_for("supervisor").post(f"{API}/meetings/{pk}/confirm")  # sees the meeting, was not a member
    assert r.status_code == 403
    assert r.json() == {"code": "minutes_not_sent_to_you", "message": "这次会议的纪要没有发送给您，无需确认"}
    assert audit_count() == before
    assert list(MeetingMember.objects.filter(meeting_id=pk).values_list("confirmed_at", flat=True)) == [None]


# ---------------------------------------------------------------- flows


def test_an_assigned_task_goes_down_is_returned_and_accepted_and_counts_as_work_done(time_machine, client_for,
                                                                                      users):
    from gridgov.tasks import services

    time_machine.move_to(at(2026, 7, 1), tick=False)
    pk = assign_to_community(client_for)
    assert Notification.objects.filter(user=users["gridleader"], kind="task.assigned", object_id=str(pk)).count() == 1
    time_machine.move_to(at(2026, 7, 8), tick=False)
    r = client_for("gridleader").post(f"{API}/tasks/{pk}/feedback",
                                      {"text": "已核查 12 栋", "attachment": _file("现场.png", png())})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["state"], r.json()["attachment"]) == \
        ("submitted", "on_time", f"/api/v1/tasks/tasks/{pk}/attachment")
    assert Notification.objects.filter(user=users["supervisor"], kind="task.feedback").count() >= 1
    assert client_for("gridleader").get(f"{API}/tasks/{pk}/attachment").content[:4] == b"\x89PNG"
    # returned without a reason: refused; with one: back to the unit
    r = post(client_for("supervisor"), f"{API}/tasks/{pk}/decision", {"accept": False})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_input")
    r = post(client_for("supervisor"), f"{API}/tasks/{pk}/decision", {"accept": False, "note": "缺少 3 号楼"})
    assert (r.json()["status"], r.json()["decision_note"]) == ("returned", "缺少 3 号楼")
    time_machine.move_to(at(2026, 7, 12), tick=False)  # after the deadline of the 10th
    r = client_for("gridleader").post(f"{API}/tasks/{pk}/feedback", {"text": "已补查 3 号楼"})
    assert (r.json()["state"], r.json()["late"]) == ("late", True)
    r = post(client_for("supervisor"), f"{API}/tasks/{pk}/decision", {"accept": True})
    assert r.json()["status"] == "accepted"
    r = post(client_for("supervisor"), f"{API}/tasks/{pk}/decision", {"accept": True})
    assert (r.status_code, r.json()["code"]) == (409, "nothing_to_decide")
    done = services.tasks_done(dt.date(2026, 7, 1), dt.date(2026, 7, 31), prefix="110101001001")
    assert (done.people, done.units) == ({users["gridleader"].pk: 1}, {"110101001001": 1})
    assert services.tasks_done(dt.date(2026, 8, 1), dt.date(2026, 8, 31), prefix="110101001001").units == {}


def _file(name, data):
    f = io.BytesIO(data)
    f.name = name
    return f


def test_an_overdue_task_is_flagged_once_however_often_the_scan_runs(time_machine, client_for, users):
    from gridgov.tasks import services

    time_machine.move_to(at(2026, 7, 1), tick=False)
    pk = assign_to_community(client_for, deadline="2026-07-10")
    time_machine.move_to(at(2026, 7, 10, 23), tick=False)
    assert services.scan_overdue() == 0  # the deadline day itself is still on time
    time_machine.move_to(at(2026, 7, 11, 8), tick=False)
    assert services.scan_overdue() >= 1
    assert services.scan_overdue() == 0
    told = Notification.objects.filter(kind="task.overdue", object_id=str(pk)).values_list("user__username", flat=True)
    # the community's grid leaders (the demo has a second one there) and the sender
    assert sorted(told) == ["demo-l110101001001", "gridleader", "supervisor"]
    t = client_for("gridleader").get(f"{API}/tasks/{pk}").json()
    assert (t["state"], t["state_label"], t["late"]) == ("missing", "已逾期", True)
    page = client_for("gridleader").get("/tasks/").content.decode()
    assert "核查辖区消防通道堵塞情况" in page and "（已逾期）" in page


def test_minutes_go_to_the_members_and_the_page_lists_who_has_not_confirmed(time_machine, client_for, users):
    time_machine.move_to(at(2026, 7, 3, 15), tick=False)
    r = post(client_for("supervisor"), f"{API}/meetings", {
        "title": "街道网格工作例会", "held_at": "2026-07-03T15:00:00+08:00", "agenda": "本周采集数据排名",
        "members": ["gridworker", "gridleader", "inspector"]})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    # someone outside the organiser's street cannot be a member
    r = post(client_for("gridleader"), f"{API}/meetings", {
        "title": "例会", "held_at": "2026-07-03T15:00:00+08:00", "members": ["supervisor"]})
    assert (r.status_code, r.json()["code"]) == (400, "unknown_member")
    time_machine.move_to(at(2026, 7, 3, 17), tick=False)
    post(client_for("supervisor"), f"{API}/meetings/{pk}/minutes", {"minutes": "下周重点：消防通道核查"})
    assert Notification.objects.filter(kind="meeting.minutes", object_id=str(pk)).count() == 3
    assert client_for("gridworker").post(f"/tasks/meetings/{pk}/confirm/").status_code == 302
    m = client_for("supervisor").get(f"{API}/meetings/{pk}").json()
    assert sorted(m["unconfirmed"]) == ["gridleader", "inspector"]
    page = client_for("supervisor").get(f"/tasks/meetings/{pk}/").content.decode()
    assert "未确认阅读（2）" in page
    mine = client_for("gridworker").get(f"/tasks/meetings/{pk}/").content.decode()
    assert "您已于 2026-07-03 17:00 确认阅读" in mine


def test_a_drill_with_photos_findings_and_follow_up(time_machine, client_for):
    time_machine.move_to(at(2026, 4, 10), tick=False)
    c = client_for("gridleader")
    r = post(c, f"{API}/drills", {"kind": "disaster", "title": "防灾减灾应急疏散演练", "planned_on": "2026-04-15",
                                  "place": "社区广场", "participants": "学生、志愿者和居民代表", "participant_count": 86})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = c.patch(f"{API}/drills/{pk}", {"held_on": "2026-04-20"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "drill_in_future")
    time_machine.move_to(at(2026, 4, 16), tick=False)
    r = c.patch(f"{API}/drills/{pk}", {"held_on": "2026-04-15", "findings": "3 号楼楼道堆物影响疏散"},
                content_type="application/json")
    assert (r.json()["held_on"], r.json()["findings"]) == ("2026-04-15", "3 号楼楼道堆物影响疏散")
    r = c.post(f"{API}/drills/{pk}/photos", {"photos": [_file("演练.png", png())]})
    assert r.status_code == 200 and len(r.json()["photos"]) == 1
    r = c.post(f"{API}/drills/{pk}/photos", {"photos": [_file("不是图片.png", b"not an image")]})
    assert (r.status_code, r.json()["code"]) == (400, "photo_not_image")
    r = post(c, f"{API}/drills/{pk}/actions", {"action": "清理 3 号楼楼道堆物", "responsible": "网格员",
                                                "due": "2026-04-23"})
    action = r.json()["actions"][0]["id"]
    r = post(c, f"{API}/drills/{pk}/actions/{action}/done", {"done_on": "2026-04-16"})
    assert r.json()["actions"][0]["done_on"] == "2026-04-16"
    r = post(c, f"{API}/drills/{pk}/actions/{action}/done", {})
    assert (r.status_code, r.json()["code"]) == (409, "already_done")
    page = c.get(f"/tasks/drills/{pk}/").content.decode()
    assert "3 号楼楼道堆物影响疏散" in page and "2026-04-16" in page
