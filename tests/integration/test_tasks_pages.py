"""The page forms of 专项工作 over HTTP (Django test client): 发起专项行动, 派发任务, 新建演练 and 记录演练情况 — each
saves through its service, and each refusal comes back on the form next to the field it is about (status 400)
with nothing written. Who may: 专项行动 and 任务 the holders of tasks.issue (admin, 值班长, 网格督导员), 演练 the holders
of tasks.organise (admin, 值班长, 网格督导员, 网格长); a grid worker gets the 403 page."""

import datetime as dt
import re
import zoneinfo

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.tasks.models import Campaign, Drill, Task

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def field_errors(html: str, name: str) -> list[str]:
    """The error messages drawn next to the field ``name`` (basedata/_field.html: data-field, p.error)."""
    m = re.search(rf'<div class="bd-field has-error" data-field="{name}">(.*?)(?:data-field=|<fieldset class="tk-phases|'
                  r'<button)', html, re.S)
    return re.findall(r'<p class="error"[^>]*>(.*?)</p>', m.group(1)) if m else []


CAMPAIGN = {"name": "背街小巷环境整治专项行动（页面）", "summary": "每条背街小巷见底", "start": "2026-07-01",
            "end": "2026-10-31", "report_day": "27", "units": ["110101001", "110101-HW"],
            "deploy_start": "2026-07-01", "deploy_end": "2026-07-05",
            "implement_start": "2026-07-06", "implement_end": "2026-09-30"}


def test_campaign_form_creates_the_campaign_with_its_phases_and_units(client_for, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 20, 10, tzinfo=SH), tick=False)
    c = client_for("admin")
    page = c.get("/tasks/campaigns/new/").content.decode()
    assert "东华门街道（110101001）" in page and 'value="110101-HW"' in page  # the district's streets and departments
    assert "/tasks/campaigns/new/" in c.get("/tasks/campaigns/").content.decode()  # linked from the list
    r = c.post("/tasks/campaigns/new/", CAMPAIGN)
    campaign = Campaign.objects.get(name=CAMPAIGN["name"])
    assert r.status_code == 302 and r["Location"] == f"/tasks/campaigns/{campaign.pk}/"
    assert (campaign.start, campaign.end, campaign.report_day) == (dt.date(2026, 7, 1), dt.date(2026, 10, 31), 27)
    assert sorted(campaign.units.values_list("name", flat=True)) == ["东华门街道", "区环境卫生服务中心"]
    assert sorted(campaign.phases.values_list("kind", "start", "end", "reporting")) == [
        ("deploy", dt.date(2026, 7, 1), dt.date(2026, 7, 5), False),
        ("implement", dt.date(2026, 7, 6), dt.date(2026, 9, 30), True)]  # reports are due in 检查实施


def test_campaign_form_refusals_are_next_to_their_field_and_write_nothing(client_for, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 20, 10, tzinfo=SH), tick=False)
    c = client_for("admin")
    audits = AuditRecord.objects.count()
    # the service's refusal: the end before the start → next to 结束日期
    r = c.post("/tasks/campaigns/new/", {**CAMPAIGN, "end": "2026-06-30"})
    html = r.content.decode()
    assert r.status_code == 400
    assert field_errors(html, "end") == ["专项行动的结束日期（2026-06-30）早于开始日期（2026-07-01）"]
    assert 'value="背街小巷环境整治专项行动（页面）"' in html  # what was typed is kept
    # the form's own: no unit chosen, a phase ending before it starts (the service's words, by the phase)
    r = c.post("/tasks/campaigns/new/", {**CAMPAIGN, "units": []})
    assert r.status_code == 400 and field_errors(r.content.decode(), "units") == ["请至少选择一个责任单位"]
    r = c.post("/tasks/campaigns/new/", {**CAMPAIGN, "deploy_end": "2026-06-28"})
    assert r.status_code == 400
    assert "「动员部署」阶段的结束日期（2026-06-28）早于开始日期（2026-07-01）" in r.content.decode()
    assert not Campaign.objects.filter(name=CAMPAIGN["name"]).exists() and AuditRecord.objects.count() == audits
    # a grid worker may not issue: the 403 page, nothing written
    gw = client_for("gridworker")
    assert gw.get("/tasks/campaigns/new/").status_code == 403
    assert gw.post("/tasks/campaigns/new/", CAMPAIGN).status_code == 403
    assert not Campaign.objects.filter(name=CAMPAIGN["name"]).exists()
    assert "/tasks/campaigns/new/" not in gw.get("/tasks/campaigns/").content.decode()


def test_task_form_sends_one_task_per_unit_and_refuses_a_past_deadline(client_for, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 17, 10, tzinfo=SH), tick=False)
    c = client_for("supervisor")  # 东华门街道's 督导员: the street's communities
    page = c.get("/tasks/tasks/new/").content.decode()
    assert 'value="110101001001"' in page and 'value="110101-HW"' not in page  # not the district's departments
    body = {"title": "排查辖区内群租房（页面）", "detail": "逐户排查，月底前反馈", "deadline": "2026-11-16",
            "units": ["110101001001", "110101001002"]}
    audits = AuditRecord.objects.count()
    r = c.post("/tasks/tasks/new/", body)  # yesterday
    assert r.status_code == 400 and field_errors(r.content.decode(), "deadline") == ["完成期限不能早于今天"]
    assert not Task.objects.filter(title=body["title"]).exists() and AuditRecord.objects.count() == audits
    r = c.post("/tasks/tasks/new/", {**body, "deadline": "2026-11-30"})
    assert r.status_code == 302 and r["Location"] == "/tasks/tasks/"
    tasks = Task.objects.filter(title=body["title"]).order_by("scope_key")
    assert [(t.scope_key, t.deadline, t.issuer_key) for t in tasks] == [
        ("110101001001", dt.date(2026, 11, 30), "110101001"), ("110101001002", dt.date(2026, 11, 30), "110101001")]
    assert client_for("gridworker").get("/tasks/tasks/new/").status_code == 403


def test_drill_form_plans_a_drill_and_the_record_form_refuses_a_day_to_come(client_for, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 17, 10, tzinfo=SH), tick=False)
    c = client_for("gridleader")  # tasks.organise
    body = {"title": "社区消防疏散演练（页面）", "kind": "fire", "planned_on": "2026-11-20", "place": "社区广场",
            "organiser_name": "", "participants": "居民、物业", "participant_count": "40"}
    r = c.post("/tasks/drills/new/", {**body, "planned_on": "1999-11-20"})
    assert r.status_code == 400
    assert field_errors(r.content.decode(), "planned_on") == ["日期 1999-11-20 超出范围（应在 2000—2099 年之间）"]
    assert not Drill.objects.filter(title=body["title"]).exists()
    r = c.post("/tasks/drills/new/", body)
    d = Drill.objects.get(title=body["title"])
    assert r.status_code == 302 and r["Location"] == f"/tasks/drills/{d.pk}/"
    assert (d.planned_on, d.place, d.participant_count, d.held_on) == (dt.date(2026, 11, 20), "社区广场", 40, None)
    assert d.organiser_name  # empty: the organiser's own office
    assert f"/tasks/drills/{d.pk}/record/" in c.get(f"/tasks/drills/{d.pk}/").content.decode()
    # what happened: a day to come is refused next to 实际演练日期, nothing changes
    record = {"held_on": "2026-11-18", "place": "社区广场", "participants": "居民、物业", "participant_count": "38",
              "findings": "三号楼楼道堆物影响疏散"}
    audits = AuditRecord.objects.count()
    r = c.post(f"/tasks/drills/{d.pk}/record/", record)
    assert r.status_code == 400 and field_errors(r.content.decode(), "held_on") == ["实际演练日期不能晚于今天"]
    d.refresh_from_db()
    assert d.held_on is None and d.findings == "" and AuditRecord.objects.count() == audits
    r = c.post(f"/tasks/drills/{d.pk}/record/", {**record, "held_on": "2026-11-17"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert (d.held_on, d.participant_count, d.findings) == (dt.date(2026, 11, 17), 38, "三号楼楼道堆物影响疏散")
    # a grid worker neither plans nor records
    gw = client_for("gridworker")
    assert gw.get("/tasks/drills/new/").status_code == 403
    assert gw.post(f"/tasks/drills/{d.pk}/record/", record).status_code == 403
