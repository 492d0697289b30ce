"""The field pages over HTTP (Django test client): 我的任务 per post and scope, the report page (position, photos,
matter search, idempotency by the phone's key, errors next to their fields, nothing written when refused), and
the service worker that keeps the report page usable offline."""

import io
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from gridgov.cases import services
from gridgov.cases.models import Case, CaseCounter, CasePhoto, CaseReport
from gridgov.geo.models import Grid

pytestmark = pytest.mark.django_db

MY_GRID = "110101001001W001"  # the demo grid worker's management grid
REPORT = "/cases/field/report/"
SHANGHAI_POINT = (121.4737, 31.2304)  # not in any district of the test world


def point_in(grid_code: str) -> tuple[float, float]:
    p = Grid.objects.get(layer__code="management", code=grid_code).shape.representative_point()
    return round(p.x, 7), round(p.y, 7)


def other_grid(prefix: str) -> str:
    """A management grid of the same street as the demo accounts, but not the grid worker's."""
    return Grid.objects.filter(layer__code="management", code__startswith=prefix).exclude(code=MY_GRID).order_by(
        "code").values_list("code", flat=True).first()


def jpeg(width=640, height=480, colour=(200, 80, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def upload(name: str, data: bytes, content_type="image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def report_data(lon, lat, **extra) -> dict:
    return {"lon": lon, "lat": lat, "description": "胡同口有一堆暴露垃圾", "address": "多福巷 3 号门前",
            "urgency": "normal", "matter": "06010", "client_key": uuid.uuid4().hex, **extra}


def section(html: str, name: str) -> str:
    """The <ul data-list="name"> of 我的任务."""
    m = re.search(rf'<ul class="fd-list" data-list="{name}">(.*?)</ul>', html, re.S)
    assert m, f"no list {name}"
    return m.group(1)


def field_block(html: str, name: str) -> str:
    """The report form's block of one field (up to the next field's block)."""
    chunks = html.split('data-field="')
    block = next((c for c in chunks[1:] if c.startswith(f'{name}"')), None)
    assert block is not None, f"no field {name}"
    return block


def file_case(user, lon, lat, **kw):
    return services.intake(user, source=kw.pop("source", "grid_worker"), lon=lon, lat=lat,
                           description=kw.pop("description", "路边有暴露垃圾"), matter=kw.pop("matter", "06010"),
                           **kw).case


# ---------------------------------------------------------------- access


def test_field_pages_are_for_field_posts(client_for):
    r = client_for(None).get("/cases/field/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    for username in ["resident", "handler", "dispatcher"]:
        r = client_for(username).get("/cases/field/")
        assert r.status_code == 403 and "无权访问" in r.content.decode(), username
    r = client_for("handler").get(REPORT)
    assert r.status_code == 403
    for username in ["gridworker", "gridleader", "supervisor", "inspector"]:
        r = client_for(username).get("/cases/field/")
        assert r.status_code == 200 and "我的任务" in r.content.decode() and "上报问题" in r.content.decode(), username


def test_grid_worker_logs_in_to_my_tasks(client):
    r = client.post("/accounts/login/", {"username": "gridworker", "password": "gridgov-demo"}, follow=True)
    assert r.redirect_chain[-1][0] == "/cases/field/"
    assert "我的任务" in r.content.decode()


# ---------------------------------------------------------------- 我的任务


def test_grid_worker_sees_the_open_cases_of_own_grid_only(users, client_for):
    worker, supervisor = users["gridworker"], users["supervisor"]
    here = file_case(supervisor, *point_in(MY_GRID), description="本网格：井盖松动有响声", matter="01002")
    there = file_case(supervisor, *point_in(other_grid("110101001")), description="隔壁网格：水果摊占道",
                      matter="09006")
    mine = file_case(worker, *point_in(MY_GRID), description="我报的：电线杆上贴满小广告", matter="07001")
    html = client_for("gridworker").get("/cases/field/").content.decode()
    everything = section(html, "todo") + section(html, "open")
    assert here.number in section(html, "open")
    assert there.number not in html, "another grid's case is not shown"
    # my own report can be handled on the spot (自行处置): it is a task, and in my recent reports
    assert mine.number in section(html, "todo") and "自行处置" in section(html, "todo")
    assert mine.number in section(html, "reported") and here.number not in section(html, "reported")
    assert f'href="/cases/{here.number}/"' in everything
    # each open case shows its light and countdown
    assert re.search(rf"{here.number}.*?剩余 \d", section(html, "open"), re.S)
    assert "fd-lamp-green" in section(html, "open")


def test_grid_leader_gets_the_cases_sent_down_to_the_community(users, client_for):
    c = file_case(users["supervisor"], *point_in(other_grid("110101001001")), description="楼道口乱堆杂物",
                  matter="06036")
    services.transition(users["intake"], c.number, "register")
    services.transition(users["dispatcher"], c.number, "delegate", {"node": "110101001001"})
    html = client_for("gridleader").get("/cases/field/").content.decode()
    todo = section(html, "todo")
    assert c.number in todo and "签收" in todo
    assert c.number not in section(html, "open"), "listed once"
    assert "本社区在办案件" in html
    # the grid worker of one grid of that community sees it among the open cases, with nothing to do
    worker_html = client_for("gridworker").get("/cases/field/").content.decode()
    assert (c.number in worker_html) == c.scope_key.startswith(MY_GRID)
    assert c.number not in section(worker_html, "todo")


def test_grid_supervisor_sees_the_street(users, client_for):
    there = file_case(users["gridworker"], *point_in(other_grid("110101001")), description="隔壁网格：垃圾桶满溢",
                      matter="06042")
    html = client_for("supervisor").get("/cases/field/").content.decode()
    assert there.number in html


def _verifying(users, reporter, lon, lat, text, source):
    c = services.intake(reporter, source=source, lon=lon, lat=lat, description=text).case
    return services.transition(users["intake"], c.number, "assign_verify")


def _handled_by_department(users, reporter, lon, lat, text, source):
    c = services.intake(reporter, source=source, lon=lon, lat=lat, description=text, matter="06010").case
    services.transition(users["intake"], c.number, "register")
    services.transition(users["dispatcher"], c.number, "dispatch", {"department": "110101-HW"})
    services.transition(users["handler"], c.number, "accept")
    return services.transition(users["handler"], c.number, "handle", {"feedback": "已清运"})


def test_inspector_gets_verify_and_inspect_tasks_where_independent(users, client_for):
    inspector = users["inspector"]
    lon, lat = point_in(other_grid("110101001"))
    to_verify = _verifying(users, users["resident"], lon, lat, "居民反映：楼道口乱堆杂物", "resident")
    own_verify = _verifying(users, inspector, lon, lat, "监督员自报：路面有油污", "inspector")
    to_inspect = file_case(users["gridworker"], *point_in(MY_GRID), description="网格员自行处置：小广告")
    services.transition(users["gridworker"], to_inspect.number, "self_handle", {"feedback": "已清除"})
    own_inspect = _handled_by_department(users, inspector, lon, lat, "监督员自报：垃圾未清运", "inspector")
    elsewhere = Grid.objects.filter(layer__code="management", code__startswith="110101002").order_by("code").first()
    p = elsewhere.shape.representative_point()
    other_street = _verifying(users, users["resident"], p.x, p.y, "别的街道：共享单车堆放", "resident")
    assert {to_verify.status, own_verify.status, other_street.status} == {"verifying"}
    assert own_inspect.status == "handled"

    html = client_for("inspector").get("/cases/field/").content.decode()
    verify, inspect = section(html, "verify"), section(html, "inspect")
    assert to_verify.number in verify
    assert own_verify.number not in verify, "nobody verifies what they reported"
    assert other_street.number not in html, "another street is outside the inspector's scope"
    assert to_inspect.number in inspect
    assert own_inspect.number not in inspect, "nobody inspects what they reported (监督与处置分离)"
    assert own_inspect.number in section(html, "reported") and own_verify.number in section(html, "reported")
    assert f'href="/cases/{to_inspect.number}/"' in inspect
    # the task opens the case page, where the inspector's actions are
    case_page = client_for("inspector").get(f"/cases/{to_inspect.number}/").content.decode()
    assert "核查通过" in case_page


def test_task_list_query_count_does_not_grow(users, client_for):
    worker = users["gridworker"]
    lon, lat = point_in(MY_GRID)

    def count(username):
        c = client_for(username)
        c.get("/cases/field/")  # warm caches (session, catalog)
        with CaptureQueriesContext(connection) as ctx:
            r = c.get("/cases/field/")
        assert r.status_code == 200
        return len(ctx.captured_queries), r.content.decode()

    file_case(worker, lon, lat, description="一件")
    _verifying(users, users["resident"], lon, lat, "一件待核实", "resident")
    few_worker, _ = count("gridworker")
    few_inspector, _ = count("inspector")
    for i in range(8):
        c = file_case(worker, lon + i * 1e-5, lat, description=f"第 {i} 件：暴露垃圾", matter="06010")
        if i % 2:
            services.transition(worker, c.number, "self_handle", {"feedback": "已处置"})
        _verifying(users, users["resident"], lon, lat + i * 1e-5, f"第 {i} 件待核实", "resident")
    many_worker, html = count("gridworker")
    many_inspector, html_i = count("inspector")
    assert html.count('class="fd-task') >= 18 and html_i.count('class="fd-task') >= 9
    assert many_worker == few_worker
    assert many_inspector == few_inspector


# ---------------------------------------------------------------- 上报问题


def test_report_page_has_a_label_for_every_field(client_for):
    html = client_for("gridworker").get(REPORT).content.decode()
    assert r'id="report-map"' in html and "定位" in html and 'id="map-data"' in html
    for label in ["现场照片", "问题类别", "紧急程度", "问题描述", "地址"]:
        assert label in html
    for input_id in ["id_photos", "matter-q", "id_description", "id_address"]:
        assert f'for="{input_id}"' in html, input_id
    assert re.search(r'name="client_key" value="[0-9a-f]{32}"', html)
    assert MY_GRID in html, "the grid worker's grid is drawn on the map"
    assert not re.search(r'(src|href)="https?://', html), "nothing from the internet"


def test_report_with_a_photo_makes_one_case_in_the_right_grid(users, client_for):
    c = client_for("gridworker")
    lon, lat = point_in(MY_GRID)
    data = report_data(lon, lat)
    r = c.post(REPORT, {**data, "photos": [upload("现场.jpg", jpeg())]})
    assert r.status_code == 302
    number = r["Location"].rstrip("/").rsplit("/", 1)[1]
    case = Case.objects.select_related("management_grid", "unit_grid", "matter").get(number=number)
    assert case.management_grid.code == MY_GRID and case.unit_grid.code.startswith("110101001001")
    assert case.source == "grid_worker" and case.reporter == users["gridworker"] and case.matter.code == "06010"
    assert case.address == "多福巷 3 号门前" and case.description == data["description"]
    assert CasePhoto.objects.filter(case=case, kind="report").count() == 1
    page = c.get(r["Location"]).content.decode()
    assert number in page and f'href="/cases/{number}/"' in page
    assert f'href="/cases/{number}/#actions">自行处置' in page, "the reporter may handle it on the spot"
    assert "1 张" in page


def test_inspector_reports_as_inspector_and_gets_no_self_handle(client_for):
    c = client_for("inspector")
    lon, lat = point_in(other_grid("110101001"))
    r = c.post(REPORT, report_data(lon, lat), HTTP_ACCEPT="application/json")
    assert r.status_code == 200 and r.json()["ok"]
    case = Case.objects.get(number=r.json()["number"])
    assert case.source == "inspector"
    page = c.get(r.json()["url"]).content.decode()
    assert case.number in page and "自行处置" not in page


def test_the_same_client_key_twice_makes_one_case(client_for):
    c = client_for("gridworker")
    data = report_data(*point_in(MY_GRID))
    before = Case.objects.count()
    first = c.post(REPORT, {**data, "photos": [upload("a.jpg", jpeg())]}, HTTP_ACCEPT="application/json").json()
    again = c.post(REPORT, {**data, "photos": [upload("a.jpg", jpeg())]}, HTTP_ACCEPT="application/json").json()
    assert first["ok"] and again["ok"] and first["number"] == again["number"]
    assert Case.objects.count() == before + 1
    assert CaseReport.objects.filter(client_key=data["client_key"]).count() == 1
    assert CasePhoto.objects.filter(case__number=first["number"]).count() == 1
    assert "此前已经收到" in c.get(again["url"]).content.decode()


def test_a_broken_photo_is_refused_and_the_case_still_filed(client_for):
    c = client_for("gridworker")
    data = report_data(*point_in(MY_GRID))
    broken = jpeg()[:200]  # a truncated JPEG
    r = c.post(REPORT, {**data, "photos": [upload("好的.jpg", jpeg()), upload("坏的.jpg", broken)]}, follow=True)
    html = r.content.decode()
    case = Case.objects.get(reports__client_key=data["client_key"])
    assert case.number in html
    assert CasePhoto.objects.filter(case=case).count() == 1
    assert re.search(r"「坏的\.jpg」不是有效的图片.*?未保存", html), "the refused photo is named with its reason"


def test_outside_the_district_is_refused_next_to_the_position_and_nothing_written(client_for):
    c = client_for("gridworker")
    cases, counters, reports = Case.objects.count(), list(CaseCounter.objects.values_list("last", flat=True)), \
        CaseReport.objects.count()
    r = c.post(REPORT, {**report_data(*SHANGHAI_POINT), "photos": [upload("a.jpg", jpeg())]})
    assert r.status_code == 422
    html = r.content.decode()
    assert "不在辖区范围内" in field_block(html, "position")
    assert "胡同口有一堆暴露垃圾" in html, "what was typed is kept"
    # a point in the neighbouring district (西城区): in the system, but not the grid worker's district
    xicheng = Grid.objects.filter(layer__code="management", code__startswith="110102").first()
    p = xicheng.shape.representative_point()
    r = c.post(REPORT, report_data(p.x, p.y), HTTP_ACCEPT="application/json")
    assert r.status_code == 422 and "不在您的辖区" in " ".join(r.json()["errors"]["position"])
    assert Case.objects.count() == cases and CaseReport.objects.count() == reports
    assert list(CaseCounter.objects.values_list("last", flat=True)) == counters, "no case number was taken"
    assert CasePhoto.objects.filter(uploaded_by__username="gridworker").count() == 0


def test_description_too_short_and_missing_position_are_said_next_to_their_fields(client_for):
    c = client_for("gridworker")
    before = Case.objects.count()
    r = c.post(REPORT, report_data(*point_in(MY_GRID), description="脏"))
    assert r.status_code == 422
    assert "至少 2 个字" in field_block(r.content.decode(), "description")
    r = c.post(REPORT, report_data("", ""), HTTP_ACCEPT="application/json")
    errors = r.json()["errors"]
    assert r.status_code == 422 and "定位" in errors["position"][0]
    r = c.post(REPORT, report_data("东经116", "39.9"), HTTP_ACCEPT="application/json")
    assert "坐标无效" in r.json()["errors"]["position"][0]
    r = c.post(REPORT, report_data("nan", "39.9"), HTTP_ACCEPT="application/json")
    assert r.status_code == 422 and r.json()["errors"]["position"]
    r = c.post(REPORT, report_data(*point_in(MY_GRID), description=""), HTTP_ACCEPT="application/json")
    assert r.json()["errors"]["description"] == ["请填写此项"]
    r = c.post(REPORT, report_data(*point_in(MY_GRID), matter="99999"), HTTP_ACCEPT="application/json")
    assert "不在目录中" in r.json()["errors"]["matter"][0]
    assert Case.objects.count() == before


def test_matter_search_by_name_and_pinyin_initials(client_for):
    c = client_for("gridworker")
    html = c.get("/cases/field/matters/", {"q": "blj"}).content.decode()
    first = re.search(r'name="matter" value="(\d{5})" data-name="([^"]+)"', html)
    assert first.groups() == ("06010", "暴露垃圾"), "the exact initials come first"
    assert "暴露垃圾" in c.get("/cases/field/matters/", {"q": "暴露"}).content.decode()
    assert 'value="06010"' in c.get("/cases/field/matters/", {"q": "bllj"}).content.decode()
    assert 'value="09006"' in c.get("/cases/field/matters/", {"q": "zdjy"}).content.decode()  # 占道经营
    assert 'value="09006"' in c.get("/cases/field/matters/", {"q": "ZDJY"}).content.decode()
    assert 'value="06036"' in c.get("/cases/field/matters/", {"q": "06036"}).content.decode()
    assert "没有找到" in c.get("/cases/field/matters/", {"q": "qqqqqq"}).content.decode()


def test_pinyin_initials_of_names():
    from gridgov.catalog.search import initials_of

    assert initials_of("暴露垃圾")[0] == "bllj"
    assert initials_of("行道树缺株")[0] == "xdsqz"
    assert "yj" in initials_of("乐家") or "lj" in initials_of("乐家")


def test_service_worker_covers_the_field_pages(client):
    r = client.get("/cases/field/sw.js")
    body = r.content.decode()
    assert r.status_code == 200 and r["Content-Type"].startswith("application/javascript")
    assert '"/cases/field/report/"' in body and "/static/gridgov/field.js" in body
    assert "/static/vendor/leaflet/leaflet.js" in body
    for path in ["/static/gridgov/field.js", "/static/gridgov/field.css"]:
        assert client.get(path).status_code == 200


def test_more_photos_than_allowed_keeps_the_report_and_names_the_extra(client_for):
    c = client_for("gridworker")
    data = report_data(*point_in(MY_GRID))
    files = [upload(f"p{i}.jpg", jpeg(colour=(i * 30, 90, 90))) for i in range(7)]
    html = c.post(REPORT, {**data, "photos": files}, follow=True).content.decode()
    case = Case.objects.get(reports__client_key=data["client_key"])
    assert CasePhoto.objects.filter(case=case).count() == 6
    assert "最多上传 6 张照片" in html and "「p6.jpg」未保存" in html
