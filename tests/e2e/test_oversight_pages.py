"""市区督办 pages (/oversight/, /oversight/city/, a notice and its print copy): each post sees the objects made
for it — the city its 派件 and figures, the district the 派件 to sign and answer and the notice to reply to, the
centre the contested dispatch to rule on (on the case page) — and the posts without the page get the 403 page.
A refused form shows the Chinese reason and writes nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 16, 9, 0, tzinfo=SH)


@pytest.fixture
def made(time_machine, users, point):
    from gridgov.accounts.models import User
    from gridgov.cases import services as cases
    from gridgov.oversight import services
    from gridgov.oversight.models import CityDispatch, Notice

    time_machine.move_to(MONDAY, tick=False)
    CityDispatch.objects.all().delete()
    Notice.objects.all().delete()
    shift = User.objects.update_or_create(username="p-city-shift", defaults={"role": "shift_leader", "node_key": "1101"})[0]
    User.objects.update_or_create(username="p-city-leader", defaults={"role": "leader", "node_key": "1101"})
    lon, lat = point
    n = cases.intake(shift, source="leader", lon=lon, lat=lat, description="市领导交办：暴露垃圾", matter="06010").case.number
    cases.transition(shift, n, "register", {"matter": "06010"})
    d = services.dispatch_to_district(shift, n, "110101", MONDAY + dt.timedelta(days=3), "请三日内办结")
    cases.transition(users["dispatcher"], n, "accept")
    notice = services.issue_notice(shift, title="关于暴露垃圾的督办", text="请整改", node="110101", cases=[n],
                                   due_at=MONDAY + dt.timedelta(days=4))
    c = cases.intake(users["inspector"], source="inspector", lon=lon, lat=lat, description="井盖旁垃圾",
                     matter="06010").case.number
    cases.transition(users["intake"], c, "register", {"matter": "06010"})
    cases.transition(users["dispatcher"], c, "dispatch", {"department": "110101-HW"})
    cases.transition(users["handler"], c, "contest", {"reason": "属市政设施"})
    return {"case": n, "dispatch": d.pk, "notice": notice.pk, "contested": c}


def text(client_for, who, url, status=200) -> str:
    r = client_for(who).get(url)
    assert r.status_code == status, (who, url, r.status_code)
    return r.content.decode()


def test_each_post_sees_its_part(made, client_for):
    city = text(client_for, "p-city-leader", "/oversight/city/")
    assert 'data-district="110101"' in city and 'data-district="110102"' in city
    assert '<td class="num" data-k="city_dispatches">1</td>' in city  # 东城区's one 派件
    home = text(client_for, "p-city-leader", "/oversight/")
    assert made["case"] in home and "已签收（办理中）" in home
    assert 'name="case"' not in home  # the leader reads: no 派件 form
    assert 'name="case"' in text(client_for, "p-city-shift", "/oversight/")  # the city centre sends
    district = text(client_for, "dispatcher", "/oversight/")
    assert made["case"] in district and f"/oversight/dispatches/{made['dispatch']}/answer/" in district
    assert "关于暴露垃圾的督办" in text(client_for, "shift", "/oversight/")  # the notice in the district's inbox
    page = text(client_for, "shift", f"/oversight/notices/{made['notice']}/")
    assert "回复整改情况" in page and "通过，办结" not in page
    assert "北京市网格督〔2026〕1号" in text(client_for, "shift", f"/oversight/notices/{made['notice']}/print/")
    # the contested dispatch: waiting on the oversight page, and the rulings on the case page for the centre
    assert made["contested"] in text(client_for, "dispatcher", "/oversight/")
    case_page = text(client_for, "dispatcher", f"/cases/{made['contested']}/")
    assert "裁定争议成立（改派）" in case_page and "裁定争议不成立（维持派遣）" in case_page
    assert "裁定争议成立（改派）" not in text(client_for, "handler", f"/cases/{made['contested']}/")
    # posts without the page
    text(client_for, "gridworker", "/oversight/", 403)
    text(client_for, "handler", "/oversight/city/", 403)
    text(client_for, "resident", "/oversight/", 403)
    text(client_for, "gridleader", f"/oversight/notices/{made['notice']}/", 403)


def test_a_refused_form_says_why_and_writes_nothing(made, client_for):
    c = client_for("p-city-shift")
    before = AuditRecord.objects.count()
    r = c.post("/oversight/notices/new/", {"title": "督办", "text": "请整改", "addressee": "n:110101",
                                           "due": "2026-03-01"}, follow=True)
    assert r.status_code == 200 and "整改期限须晚于现在" in r.content.decode()
    assert AuditRecord.objects.count() == before
    r = c.post("/oversight/dispatches/new/", {"case": made["contested"], "district": "110101", "due": "2026-03-20"},
               follow=True)
    assert "不能市级派件" in r.content.decode() and AuditRecord.objects.count() == before
    r = c.post("/oversight/notices/new/", {"title": "督办", "text": "请整改", "addressee": "n:110102",
                                           "due": "2026-03-25"})
    assert r.status_code == 302 and AuditRecord.objects.count() == before + 1
