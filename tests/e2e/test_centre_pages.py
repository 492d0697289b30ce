"""The command centre's pages and the case page over HTTP (Django test client, the demo world): what each post
sees and may do, the one act endpoint (refusals write nothing), the live queue with filters, saved views and
polling, the overdue board with 督办, and query-count guards."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from gridgov.audit.models import AuditRecord
from gridgov.cases import services
from gridgov.cases.models import Case, CaseEvent, CasePhoto

pytestmark = pytest.mark.django_db


@pytest.fixture
def point():
    """A point in 东华门街道 多福巷社区 (the demo accounts' street and community)."""
    from gridgov.geo.models import Grid

    g = Grid.objects.filter(layer__code="unit", community__code="110101001001").order_by("code").first()
    p = g.shape.representative_point()
    return p.x, p.y


@pytest.fixture
def report(users, point):
    """report(description=…, **intake args) → a new case reported by the grid worker (or ``who``)."""

    def make(description="路边有暴露垃圾未清运", who="gridworker", **kw):
        lon, lat = kw.pop("at", point)
        kw.setdefault("source", "grid_worker")
        kw.setdefault("matter", "06010")
        return services.intake(users[who], lon=lon, lat=lat, description=description, find_duplicates=False,
                               **kw).case

    return make


def snapshot(number):
    c = Case.objects.get(number=number)
    return (c.status, c.version, c.assignee_department_id, CaseEvent.objects.filter(case=c).count(),
            AuditRecord.objects.count())


def action_names(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def field_block(html: str, action: str, field: str) -> str:
    """The markup of one field of one action's form (to check an error sits next to its field)."""
    form = html.split(f'data-action="{action}"', 1)[1].split("</details>", 1)[0]
    return form.split(f'data-field="{field}"', 1)[1].split('<div class="cs-field', 1)[0]


def act(client, number, action, status=302, **data):
    c = Case.objects.get(number=number)
    r = client.post(f"/cases/{number}/act/{action}/", {"version": c.version, **data})
    assert r.status_code == status, (action, r.status_code, r.content.decode()[:2000])
    return r


# ------------------------------------------------------------------ the case page and its actions


def test_case_page_shows_the_case_and_exactly_the_allowed_actions_per_post(client_for, report):
    case = report(reporter_name="王小明", reporter_phone="13912345678", address="东华门大街 1 号", who="intake",
                  source="hotline", urgency="urgent")
    r = client_for("intake").get(f"/cases/{case.number}/")
    html = r.content.decode()
    assert r.status_code == 200
    for shown in [case.number, "已上报", "东华门大街 1 号", "路边有暴露垃圾未清运", "12345 热线", "紧急", "案件过程",
                  "139****5678", "王*", 'id="casemap"']:
        assert shown in html, shown
    assert "13912345678" not in html and "王小明" not in html, "personal data is masked"
    assert re.search(r"cs-light cs-(green|yellow|red)", html) and ("剩余" in html or "超期" in html)
    # intake: exactly what the table allows (urgent hotline cases may be registered without verification)
    assert action_names(html) == set(services.available_actions(case.reporter, case)) == {
        "assign_verify", "register", "decline", "merge"}
    # the shift leader may also void and urge; the dispatcher may do nothing yet; grid worker: a case page, no actions
    html = client_for("shift").get(f"/cases/{case.number}/").content.decode()
    assert {"register", "void", "urge"} <= action_names(html)
    html = client_for("dispatcher").get(f"/cases/{case.number}/").content.decode()
    assert action_names(html) == set() and "您当前没有可对此案件执行的操作" in html
    assert "派遣建议" in html, "the routing suggestion is shown while the case waits for 立案/派遣"


def test_handler_sees_accept_only_on_a_case_dispatched_to_its_department(client_for, report):
    mine, other = report(), report("井盖松动有响声", matter="01002")
    for case, dept in [(mine, "110101-HW"), (other, "110101-SZ")]:
        act(client_for("intake"), case.number, "register")
        act(client_for("dispatcher"), case.number, "dispatch", department=dept)
    handler = client_for("handler")
    html = handler.get(f"/cases/{mine.number}/").content.decode()
    assert action_names(html) == {"accept", "return"} and "签收" in html
    r = handler.get(f"/cases/{other.number}/")
    assert r.status_code == 404 and "不在您的管辖范围内" in r.content.decode() and "井盖" not in r.content.decode()
    # the grid worker (its reporter) sees the case page, without actions
    html = client_for("gridworker").get(f"/cases/{mine.number}/").content.decode()
    assert action_names(html) == set() and "已派遣" in html


def test_register_then_dispatch_with_the_suggestion_preselected(client_for, report):
    case = report()
    intake = client_for("intake")
    r = act(intake, case.number, "register", urgency="urgent", note="现场核对无误")
    assert r["Location"] == f"/cases/{case.number}/"
    c = Case.objects.get(number=case.number)
    assert c.status == "registered" and c.urgency == "urgent"
    assert CaseEvent.objects.filter(case=c, action="register", data__note="现场核对无误").exists()
    page = intake.get(r["Location"]).content.decode()
    assert "已立案：" in page, "the success message is shown"

    dispatcher = client_for("dispatcher")
    html = dispatcher.get(f"/cases/{case.number}/").content.decode()
    assert action_names(html) >= {"dispatch", "delegate"}
    dept = field_block(html, "dispatch", "department")
    assert re.search(r'<option value="110101-HW" selected>[^<]*（推荐）</option>', dept), dept
    act(dispatcher, case.number, "dispatch", department="110101-HW", assist=["110101-ZF"])
    c = Case.objects.get(number=case.number)
    assert c.status == "dispatched" and c.assignee_department.code == "110101-HW"
    assert list(c.assists.values_list("department__code", flat=True)) == ["110101-ZF"]
    html = dispatcher.get(f"/cases/{case.number}/").content.decode()
    assert "协办部门" in html and "已派遣" in html and "派遣建议" not in html


def test_wrong_post_is_refused_with_403_and_nothing_written(client_for, report):
    case = report()
    before = snapshot(case.number)
    r = act(client_for("dispatcher"), case.number, "register", status=403)
    assert "您的岗位不能对此案件立案" in r.content.decode()
    assert snapshot(case.number) == before
    r = act(client_for("handler"), case.number, "register", status=404)  # not even visible to the handler
    assert snapshot(case.number) == before
    r = act(client_for("intake"), case.number, "accept", status=409)  # the wrong state: not now
    assert "不能签收" in r.content.decode() and snapshot(case.number) == before


def test_missing_reason_is_said_next_to_the_field_and_nothing_written(client_for, report):
    case = report()
    before = snapshot(case.number)
    r = act(client_for("intake"), case.number, "decline", status=400, reason="  ")
    html = r.content.decode()
    block = field_block(html, "decline", "reason")
    assert "请填写不予立案的原因" in block and 'aria-invalid="true"' in block
    assert re.search(r'<details class="cs-act" data-action="decline" open>', html), "the form with the error is open"
    assert snapshot(case.number) == before
    # an unknown department is said next to the department select
    act(client_for("intake"), case.number, "register")
    before = snapshot(case.number)
    r = act(client_for("dispatcher"), case.number, "dispatch", status=404, department="NOPE")
    assert "本区没有部门「NOPE」" in field_block(r.content.decode(), "dispatch", "department")
    assert snapshot(case.number) == before


def test_stale_version_is_a_conflict_and_nothing_written(client_for, report, users):
    case = report()
    seen = case.version  # the intake clerk's page shows this version
    services.transition(users["shift"], case.number, "urge", {"reason": "请尽快受理"})  # meanwhile: 督办
    before = snapshot(case.number)
    r = client_for("intake").post(f"/cases/{case.number}/act/decline/", {"version": seen, "reason": "重复上报"})
    assert r.status_code == 409 and "已被他人更新，请刷新" in r.content.decode()
    assert snapshot(case.number) == before
    # and when the change moved the case on (the action is no longer possible), the same message and the reason
    services.transition(users["shift"], case.number, "assign_verify")
    before = snapshot(case.number)
    r = client_for("intake").post(f"/cases/{case.number}/act/decline/", {"version": seen, "reason": "重复上报"})
    html = r.content.decode()
    assert r.status_code == 409 and "已被他人更新，请刷新" in html and "不能不予立案" in html
    assert snapshot(case.number) == before


def test_evidence_photos_are_stored_and_bad_ones_named(client_for, report, users):
    case = report()
    act(client_for("shift"), case.number, "assign_verify")
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(png, "PNG")
    png.seek(0)
    png.name = "现场.png"
    bad = io.BytesIO(b"not an image")
    bad.name = "坏.jpg"
    c = Case.objects.get(number=case.number)
    r = client_for("inspector").post(f"/cases/{case.number}/act/confirm/",
                                     {"version": c.version, "photos": [png, bad]}, follow=True)
    html = r.content.decode()
    assert Case.objects.get(number=case.number).status == "verified"
    assert list(CasePhoto.objects.filter(case=c).values_list("kind", flat=True)) == ["verify"]
    assert "已保存 1 张照片" in html and "文件「坏.jpg」不是有效的图片" in html
    p = CasePhoto.objects.get(case=c)
    assert f"/api/v1/cases/{case.number}/photos/{p.id}" in html and "核实照片" in html


def test_case_page_queries_do_not_grow_with_timeline_and_photos(client_for, report, users):
    from gridgov.cases.services.photos import store_photos

    png = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(png, "PNG")
    small, big = report(), report("垃圾袋堆在路口")
    store_photos(small, [("a.png", png.getvalue())], "report", users["gridworker"])
    store_photos(big, [(f"{i}.png", png.getvalue()) for i in range(5)], "report", users["gridworker"])
    for n in range(4):
        services.transition(users["shift"], big.number, "urge", {"reason": f"第 {n} 次"})
    client = client_for("intake")
    counts = []
    for case in (small, big):
        with CaptureQueriesContext(connection) as q:
            assert client.get(f"/cases/{case.number}/").status_code == 200
        counts.append(len(q))
    assert counts[0] == counts[1], counts
