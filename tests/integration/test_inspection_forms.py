"""The page forms of 检查 over HTTP (Django test client): 新建监督检查计划, 增加检查对象 and 签订门前三包责任书 — each
saves through its service; each refusal comes back on the form next to the field it is about (status 400) with
nothing written. inspection.plan is held by the administrator, the street's 网格督导员 and the 网格长; a grid worker
gets the 403 page and sees no link."""

import datetime as dt
import re
import zoneinfo

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.inspection.models import FrontageAgreement, Plan, Target

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
STREET = "110101001"  # 东华门街道: the demo 督导员's street
GRID = "110101001001W001"


def field_errors(html: str, name: str) -> list[str]:
    """The error messages drawn next to the field ``name`` (basedata/_field.html: data-field, p.error)."""
    m = re.search(rf'<div class="bd-field has-error" data-field="{name}">(.*?)(?:data-field=|<button)', html, re.S)
    return re.findall(r'<p class="error"[^>]*>(.*?)</p>', m.group(1)) if m else []


@pytest.fixture
def orgs():
    from gridgov.basedata.models import Organisation

    rows = Organisation.objects.filter(scope_key__startswith=STREET, lon__isnull=False).order_by("id")[:2]
    assert len(rows) == 2
    return rows


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 17, 10, tzinfo=SH), tick=False)


def test_plan_form_creates_a_plan_with_its_targets(client_for, orgs, frozen):
    c = client_for("supervisor")
    page = c.get("/inspection/plans/new/").content.decode()
    assert f'value="{orgs[0].pk}"' in page and 'value="fire"' in page and 'value="frontage"' not in page
    assert "/inspection/plans/new/" in c.get("/inspection/results/").content.decode()
    body = {"name": "东华门消防月查（页面）", "template": "fire", "frequency": "monthly", "start_on": "2026-11-01",
            "node": "", "inspector": "inspector", "inspector_role": "", "organisations": [str(orgs[0].pk)],
            "grids": GRID}
    r = c.post("/inspection/plans/new/", body)
    assert r.status_code == 302 and r["Location"] == "/inspection/results/#h-plans"
    plan = Plan.objects.get(name=body["name"])
    assert (plan.template.code, plan.frequency, plan.start_on, plan.scope_key, plan.inspector.username) == (
        "fire", "monthly", dt.date(2026, 11, 1), STREET, "inspector")  # no area given: the supervisor's street
    assert sorted(plan.targets.values_list("kind", flat=True)) == ["grid", "organisation"]
    assert "检查计划「东华门消防月查（页面）」已建立，2 个检查对象。" in c.get(r["Location"]).content.decode()


def test_plan_form_refusals_are_next_to_their_field_and_write_nothing(client_for, orgs, frozen):
    c = client_for("supervisor")
    body = {"name": "东华门消防月查（拒绝）", "template": "fire", "frequency": "monthly", "start_on": "2026-11-01",
            "node": "", "inspector": "nobody", "inspector_role": "", "organisations": [str(orgs[0].pk)], "grids": ""}
    audits = AuditRecord.objects.count()
    r = c.post("/inspection/plans/new/", body)
    assert r.status_code == 400 and field_errors(r.content.decode(), "inspector") == ["「nobody」不是可以检查的人员"]
    r = c.post("/inspection/plans/new/", {**body, "inspector": "", "node": "110101002"})  # another street
    assert r.status_code == 400 and field_errors(r.content.decode(), "node") == ["不在您的管辖范围内"]
    r = c.post("/inspection/plans/new/", {**body, "inspector": "", "grids": "110101002001W001"})
    assert r.status_code == 400
    assert field_errors(r.content.decode(), "grids") == ["网格「110101002001W001」不存在或不在您的管辖范围内"]
    assert not Plan.objects.filter(name=body["name"]).exists() and AuditRecord.objects.count() == audits
    gw = client_for("gridworker")
    assert gw.get("/inspection/plans/new/").status_code == 403
    assert gw.post("/inspection/plans/new/", {**body, "inspector": ""}).status_code == 403
    assert not Plan.objects.filter(name=body["name"]).exists()
    assert "/inspection/plans/new/" not in gw.get("/inspection/results/").content.decode()


def test_targets_form_adds_all_or_none(client_for, orgs, users, frozen):
    from gridgov.inspection import services

    plan = services.create_plan(users["supervisor"], name="园区季度检查（页面）", template="park",
                                frequency="quarterly", start_on=dt.date(2026, 10, 1), targets=[("grid", GRID)])
    c = client_for("supervisor")
    url = f"/inspection/plans/{plan.pk}/targets/"
    assert url in c.get("/inspection/results/").content.decode()
    # one good organisation and one grid of another street: refused whole, next to 网格
    r = c.post(url, {"organisations": [str(orgs[1].pk)], "grids": "110101002001W001", "start_on": ""})
    assert r.status_code == 400
    assert field_errors(r.content.decode(), "grids") == ["网格「110101002001W001」不存在或不在您的管辖范围内"]
    assert Target.objects.filter(plan=plan).count() == 1
    r = c.post(url, {"organisations": [], "grids": "", "start_on": ""})
    assert r.status_code == 400 and field_errors(r.content.decode(), "organisations") == [
        "请至少选择一个单位或填写一个网格编码"]
    r = c.post(url, {"organisations": [str(orgs[0].pk), str(orgs[1].pk)], "grids": "", "start_on": ""})
    assert r.status_code == 302
    added = Target.objects.filter(plan=plan, kind="organisation").order_by("id")
    assert [(t.organisation_id, t.start_on) for t in added] == [(orgs[0].pk, dt.date(2026, 11, 17)),
                                                                (orgs[1].pk, dt.date(2026, 11, 17))]  # today
    assert client_for("gridworker").post(url, {"organisations": [str(orgs[0].pk)]}).status_code == 403


def test_agreement_form_registers_a_shop_and_refuses_bad_dates(client_for, orgs, frozen):
    c = client_for("gridleader")  # inspection.plan
    org = orgs[1]
    body = {"organisation": str(org.pk), "frontage": "门前至路缘石，东西各 5 米", "clean": "on", "orderly": "on",
            "signed_on": "2026-11-01", "expires_on": "2026-10-31"}
    audits = AuditRecord.objects.count()
    r = c.post("/inspection/frontage/new/", body)
    assert r.status_code == 400 and field_errors(r.content.decode(), "expires_on") == ["到期日期应晚于签订日期"]
    r = c.post("/inspection/frontage/new/", {**body, "expires_on": "", "clean": "", "orderly": ""})
    assert r.status_code == 400 and field_errors(r.content.decode(), "clean") == [
        "三包内容（市容整洁、秩序、绿化）至少选一项"]
    assert not FrontageAgreement.objects.filter(organisation=org, signed_on=dt.date(2026, 11, 1)).exists()
    assert AuditRecord.objects.count() == audits
    r = c.post("/inspection/frontage/new/", {**body, "expires_on": "2027-10-31"})
    assert r.status_code == 302 and r["Location"] == "/inspection/results/#h-rates"
    a = FrontageAgreement.objects.get(organisation=org, signed_on=dt.date(2026, 11, 1))
    assert (a.frontage, a.clean, a.orderly, a.green, a.expires_on) == (
        "门前至路缘石，东西各 5 米", True, True, False, dt.date(2027, 10, 31))
    # the same shop on the same day again: next to 签订日期
    r = c.post("/inspection/frontage/new/", {**body, "expires_on": "2027-10-31"})
    assert r.status_code == 400
    assert field_errors(r.content.decode(), "signed_on") == [f"「{org.name}」在 2026-11-01 已签订门前三包责任书"]
    assert client_for("gridworker").get("/inspection/frontage/new/").status_code == 403
