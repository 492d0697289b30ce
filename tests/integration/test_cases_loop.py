"""The closed loop through the API, as the right people — and refused, with nothing written, for the wrong ones."""

import io
import json

import pytest
from PIL import Image

from gridgov.audit.models import AuditRecord
from gridgov.audit.services import verify_chain
from gridgov.cases.models import Case, CaseAlert, CaseEvent, CaseReport, RoutingDecision
from gridgov.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def point():
    """A point in 东华门街道 多福巷社区 (the demo accounts' street and community)."""
    from gridgov.geo.models import Grid

    g = Grid.objects.filter(layer__code="unit", community__code="110101001001").order_by("code").first()
    p = g.shape.representative_point()
    return p.x, p.y, g


class Api:
    def __init__(self, client_for):
        self.client_for = client_for
        self.clients = {}

    def c(self, who):
        if who not in self.clients:
            self.clients[who] = self.client_for(who)
        return self.clients[who]

    def post(self, who, path, body, status=200):
        r = self.c(who).post(path, data=json.dumps(body), content_type="application/json")
        assert r.status_code == status, (who, path, r.status_code, r.content.decode()[:400])
        return r.json()

    def get(self, who, path, status=200):
        r = self.c(who).get(path)
        assert r.status_code == status, (who, path, r.status_code, r.content.decode()[:400])
        return r.json()

    def act(self, who, number, action, status=200, **data):
        return self.post(who, f"/api/v1/cases/{number}/actions/{action}", data, status)

    def report(self, who, lon, lat, status=201, **extra):
        body = {"source": extra.pop("source", "grid_worker"), "lon": lon, "lat": lat, "description": "路边有暴露垃圾",
                "matter": "06010", **extra}
        return self.post(who, "/api/v1/cases", body, status)


@pytest.fixture
def api(client_for):
    return Api(client_for)


def snapshot(number):
    c = Case.objects.get(number=number)
    return (c.status, c.version, CaseEvent.objects.filter(case=c).count(), AuditRecord.objects.count())


def test_resident_report_goes_round_the_whole_loop(api, point):
    lon, lat, grid = point
    r = api.report("resident", lon, lat, source="resident", matter=None, reporter_phone="13900001111")
    case = r["case"]
    n = case["number"]
    assert r["created"] and case["status"] == "reported" and case["unit_grid"] == grid.code
    assert r["routing_suggestion"]["department"] == "区城市管理委员会"  # no matter yet: the rule for any matter
    shown = api.get("intake", f"/api/v1/cases/{n}")
    assert shown["reports"][0]["reporter_phone"] == "139****1111", "personal data is masked"
    from django.db import connection

    with connection.cursor() as cur:  # and encrypted at rest: the number is nowhere in the row
        cur.execute("SELECT * FROM cases_casereport WHERE case_id = %s", [Case.objects.get(number=n).pk])
        row = cur.fetchone()
    assert not any(b"13900001111" in bytes(v) if isinstance(v, (bytes, memoryview)) else "13900001111" in str(v)
                   for v in row)
    # an unverified resident report cannot be registered yet, so 立案 is not offered
    assert [a["action"] for a in shown["actions"]] == ["assign_verify", "decline", "merge"]
    assert n.startswith("110101-") and len(n.split("-")[1]) == 8
    # a resident's report must be verified before it is registered
    api.act("intake", n, "register", 409, matter="06010")
    api.act("intake", n, "assign_verify")
    api.act("inspector", n, "confirm")
    detail = api.act("intake", n, "register", matter="06010")
    assert detail["status"] == "registered" and detail["routing_suggestion"]["department"] == "区环境卫生服务中心"
    assert detail["stage"] == "dispatch" and detail["light"] == "green"
    api.act("dispatcher", n, "dispatch", department="110101-HW", assist=["110101-ZF"])
    d = api.act("handler", n, "accept")
    assert d["stage"] == "handle" and d["times"]["accepted"]
    api.act("handler", n, "handle", feedback="已清运")
    api.act("inspector", n, "inspect_pass")
    api.act("intake", n, "close")
    api.act("resident", n, "follow_up", satisfaction=5)
    final = api.act("shift", n, "archive")
    assert final["status"] == "archived" and final["satisfaction"] == 5 and final["actions"] == []
    steps = [e["action"] for e in api.get("intake", f"/api/v1/cases/{n}/timeline")["items"]]
    assert steps == ["report", "assign_verify", "confirm", "register", "dispatch", "accept", "handle",
                     "inspect_pass", "close", "follow_up", "archive"]
    public = api.get("resident", f"/api/v1/cases/{n}/timeline")["items"]
    assert all(e["actor"] == "" for e in public), "staff names are hidden from the resident"
    decision = RoutingDecision.objects.get(case__number=n)
    assert decision.suggested_department.code == "110101-HW" and not decision.overridden
    assert AuditRecord.objects.filter(object_type="case", object_id=n).count() == 11
    assert verify_chain().ok
    # 首接负责: the intake clerk who first received it heard of every step
    assert Notification.objects.filter(user__username="intake", object_id=n).count() >= 5


def test_wrong_role_or_scope_is_refused_and_writes_nothing(api, point, client_for):
    lon, lat, _ = point
    n = api.report("gridworker", lon, lat)["case"]["number"]
    api.act("intake", n, "register")
    before = snapshot(n)
    assert client_for(None).post(f"/api/v1/cases/{n}/actions/dispatch", data="{}",
                                 content_type="application/json").status_code == 401
    r = api.act("gridworker", n, "dispatch", 403, department="110101-HW")
    assert r["code"] == "role_not_allowed"
    api.act("handler", n, "accept", 404)  # not sent to the handler's department: invisible
    api.act("leader", n, "urge", 403, reason="快办")  # 领导 is read-only
    assert api.act("dispatcher", n, "accept", 409)["code"] == "illegal_transition"  # not dispatched yet
    api.act("dispatcher", n, "dispatch", 400)  # no department given
    api.act("dispatcher", n, "dispatch", 404, department="110102-XX")
    api.act("dispatcher", n, "fly", 404)
    assert snapshot(n) == before
    api.act("dispatcher", n, "dispatch", department="110101-ZF")
    before = snapshot(n)
    assert api.act("dispatcher", n, "accept", 403)["code"] == "guard_failed"  # only the department sent to
    assert snapshot(n) == before
    # a grid leader of the next community does not see it at all
    from gridgov.accounts.models import User

    other = User.objects.filter(role="grid_leader").exclude(node_key="110101001001").first()
    c = client_for(other.username)
    assert c.get(f"/api/v1/cases/{n}").status_code == 404
    assert n not in [x["number"] for x in c.get("/api/v1/cases?limit=500").json()["items"]]


def test_two_dispatchers_at_once_exactly_one_wins(api, point):
    lon, lat, _ = point
    n = api.report("gridworker", lon, lat)["case"]["number"]
    v = api.act("intake", n, "register")["version"]
    first = api.act("dispatcher", n, "dispatch", department="110101-HW", version=v)
    assert first["version"] == v + 1
    before = snapshot(n)
    r = api.act("shift", n, "dispatch", 409, department="110101-ZF", version=v)
    assert r["code"] == "version_conflict"
    assert snapshot(n) == before and Case.objects.get(number=n).assignee_department.code == "110101-HW"


def test_intake_is_idempotent(api, point):
    lon, lat, _ = point
    a = api.report("gridworker", lon, lat, client_key="phone-42-0001")
    b = api.report("gridworker", lon, lat, client_key="phone-42-0001", status=200)
    assert a["case"]["number"] == b["case"]["number"] and b["created"] is False
    assert CaseReport.objects.filter(client_key="phone-42-0001").count() == 1


def test_bad_intake_is_refused_clearly(api, point):
    lon, lat, _ = point
    n_before = Case.objects.count()
    assert api.report("gridworker", 116.0, 39.5, 400)["code"] == "outside_jurisdiction"
    assert api.report("gridworker", 200, 39.5, 400)["code"] == "coordinates_out_of_range"
    assert api.report("gridworker", lon, lat, 404, matter="99999")["code"] == "unknown_matter"
    assert api.report("gridworker", lon, lat, 400, source="hotline")["code"] == "source_not_allowed"
    assert api.report("gridworker", lon, lat, 400, description=" ")["code"] == "description_required"
    assert api.report("leader", lon, lat, 403)["code"] == "forbidden"
    # a point in 西城区 (the system serves it) is not a 东城区 grid worker's or clerk's to report
    from gridgov.geo.models import Grid

    west = Grid.objects.filter(layer__code="unit", community__code__startswith="110102").first().shape
    wlon, wlat = west.representative_point().x, west.representative_point().y
    for who in ("gridworker", "intake"):
        r = api.report(who, wlon, wlat, 400, source="grid_worker" if who == "gridworker" else "hotline")
        assert r["code"] == "outside_district" and "西城区" in r["message"] and "东城区" in r["message"]
    assert Case.objects.count() == n_before


def test_rework_reopen_escalate_return_delegate(api, point):
    lon, lat, _ = point
    n = api.report("gridworker", lon, lat)["case"]["number"]
    api.act("intake", n, "register")
    api.act("dispatcher", n, "dispatch", department="110101-HW")
    r = api.act("handler", n, "return", reason="不属于本部门")
    assert r["status"] == "registered" and r["counts"]["return"] == 1
    assert RoutingDecision.objects.filter(case__number=n).count() == 1
    # 下派 to the community, where the grid leader takes it, then 上报上级 back to the centre
    api.act("dispatcher", n, "delegate", node="110101001001")
    api.act("gridleader", n, "accept")
    r = api.act("gridleader", n, "escalate", reason="需要执法部门处理")
    assert r["status"] == "registered" and r["assignee_node"] == ""
    api.act("dispatcher", n, "dispatch", department="110101-HW")
    api.act("handler", n, "accept")
    api.act("handler", n, "handle", feedback="已处理")
    r = api.act("inspector", n, "inspect_fail", reason="仍有垃圾")
    assert r["status"] == "accepted" and r["counts"]["rework"] == 1
    api.act("handler", n, "handle", feedback="已返工")
    api.act("inspector", n, "inspect_pass")
    api.act("intake", n, "close")
    r = api.act("intake", n, "reopen", reason="回访未解决", satisfaction=1)
    assert r["status"] == "registered" and r["counts"]["reopen"] == 1 and r["satisfaction"] == 1
    assert r["assignee_department"] is None and r["assignee_node"] == ""  # back to the dispatcher


def test_self_handling_is_still_inspected_by_someone_else(api, point):
    lon, lat, _ = point
    n = api.report("gridworker", lon, lat)["case"]["number"]
    r = api.act("gridworker", n, "self_handle", feedback="已现场清理")
    assert r["status"] == "handled"
    api.act("intake", n, "close", 409)  # 结案 only after 核查 passes
    api.act("inspector", n, "inspect_pass")
    assert api.act("intake", n, "close")["status"] == "closed"


def test_inspector_who_reported_cannot_inspect(api, point):
    lon, lat, _ = point
    n = api.report("inspector", lon, lat, source="inspector")["case"]["number"]
    api.act("intake", n, "register")
    api.act("dispatcher", n, "dispatch", department="110101-HW")
    api.act("handler", n, "accept")
    api.act("handler", n, "handle", feedback="ok")
    r = api.act("inspector", n, "inspect_pass", 403)
    assert "监督与处置分离" in r["message"]


def test_suspension_stops_the_clock_and_extension_lengthens_it(api, point):
    lon, lat, _ = point
    n = api.report("gridworker", lon, lat)["case"]["number"]
    api.act("intake", n, "register")
    api.act("dispatcher", n, "dispatch", department="110101-HW")
    due = api.act("handler", n, "accept")["stage_due_at"]
    api.act("handler", n, "request_extension", reason="需采购", amount=2)
    api.act("handler", n, "request_suspension", 409, reason="again")  # one request at a time
    later = api.act("shift", n, "approve_extension")["stage_due_at"]
    assert later > due
    api.act("handler", n, "request_suspension", reason="等待产权单位")
    r = api.act("shift", n, "approve_suspension")
    assert r["status"] == "suspended" and r["stage_due_at"] is None and r["light"] == "paused"
    r = api.act("handler", n, "resume")
    assert r["status"] == "accepted" and r["stage_due_at"] >= later


def test_merge_keeps_every_report(api, point):
    lon, lat, _ = point
    a = api.report("gridworker", lon, lat)["case"]["number"]
    r = api.report("inspector", lon + 0.0001, lat, source="inspector")
    b = r["case"]["number"]
    assert a in [d["number"] for d in r["duplicates"]], "a report 10 m away of the same matter is suggested"
    far = api.report("inspector", lon + 0.003, lat, source="inspector")
    assert a not in [d["number"] for d in far["duplicates"]]
    api.act("intake", b, "merge", into=a)
    survivor = api.get("intake", f"/api/v1/cases/{a}")
    assert len(survivor["reports"]) == 2 and Case.objects.get(number=b).status == "merged"
    assert {r.reporter.username for r in CaseReport.objects.filter(case__number=a)} == {"gridworker", "inspector"}


def test_duplicates_are_the_nearest_few_within_the_radius(api, point, settings):
    from gridgov.cases.services import duplicates_of

    lon, lat, _ = point
    settings.GRIDGOV = {**settings.GRIDGOV, "DUPLICATE_LIMIT": 3}
    # five reports 5, 10, … 25 m east (1e-5° of longitude ≈ 0.85 m here), and one 80 m away
    near = [api.report("gridworker", lon + k * 5.9e-5, lat)["case"]["number"] for k in (5, 1, 4, 2, 3)]
    api.report("gridworker", lon + 80 * 1.18e-5, lat)
    probe = Case.objects.get(number=api.report("gridworker", lon, lat)["case"]["number"])
    found = duplicates_of(probe)
    assert [d["number"] for d in found] == [near[1], near[3], near[4]], "the three nearest, nearest first"
    assert [d["distance_m"] for d in found] == sorted(d["distance_m"] for d in found)
    assert all(d["distance_m"] <= 50 for d in duplicates_of(probe, limit=50))
    assert len(duplicates_of(probe, limit=50)) == 5


def test_urgent_case_alerts_the_centre(api, point):
    lon, lat, _ = point
    n = api.report("gridworker", lon, lat, urgency="urgent")["case"]["number"]
    assert Notification.objects.filter(user__username__in=["shift", "dispatcher"], kind="case.urgent",
                                       object_id=n).count() == 2


def test_deadline_scan_warns_each_level_once(api, point):
    import datetime as dt

    from gridgov.cases.services import scan

    lon, lat, _ = point
    n = api.report("gridworker", lon, lat)["case"]["number"]
    api.act("intake", n, "register")
    api.act("dispatcher", n, "dispatch", department="110101-HW")
    case = Case.objects.get(number=n)
    at_yellow = case.stage_yellow_at + dt.timedelta(seconds=1)
    scan(now=at_yellow)
    scan(now=at_yellow)
    assert list(CaseAlert.objects.filter(case=case).values_list("level", flat=True)) == ["yellow"]
    late = case.stage_due_at + dt.timedelta(hours=1)
    for _ in range(3):
        scan(now=late)
    assert sorted(CaseAlert.objects.filter(case=case).values_list("level", flat=True)) == ["red", "yellow"]
    assert Notification.objects.filter(user__username="handler", kind="case.red", object_id=n).count() == 1
    assert CaseEvent.objects.filter(case=case, action="urge").count() == 1  # 系统督办 once


def test_photos_checked_and_a_bad_file_does_not_lose_the_report(client_for, point, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    lon, lat, _ = point
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 50, 50)).save(buf, "JPEG")
    good = buf.getvalue()
    c = client_for("gridworker")
    r = c.post("/api/v1/cases/form", data={
        "source": "grid_worker", "lon": lon, "lat": lat, "description": "井盖破损", "matter": "01002",
        "photos": [_upload("scene.jpg", good), _upload("virus.exe", b"MZ\x90\x00not an image")],
    })
    assert r.status_code == 201, r.content
    body = r.json()
    assert [e["file"] for e in body["photo_errors"]] == ["virus.exe"] and "不是有效的图片" in body["photo_errors"][0]["message"]
    photos = body["case"]["photos"]
    assert len(photos) == 1
    img = c.get(photos[0]["url"])
    assert img.status_code == 200 and img["Content-Type"] == "image/jpeg" and img.content == good


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_lists_filter_and_scope(api, point):
    lon, lat, _ = point
    n = api.report("gridworker", lon, lat, urgency="urgent")["case"]["number"]
    items = api.get("intake", "/api/v1/cases?status=reported&urgency=urgent&limit=500")["items"]
    assert n in [i["number"] for i in items] and all(i["status"] == "reported" for i in items)
    assert n in [i["number"] for i in api.get("gridleader", "/api/v1/cases?grid=110101001001&limit=500")["items"]]
    assert n not in [i["number"] for i in api.get("intake", "/api/v1/cases?grid=110101002&limit=500")["items"]]
    handler_items = api.get("handler", "/api/v1/cases?limit=500")["items"]
    assert all(Case.objects.get(number=i["number"]).assignee_department.code == "110101-HW" or
               Case.objects.get(number=i["number"]).assists.filter(department__code="110101-HW").exists()
               for i in handler_items)
    assert api.get("intake", "/api/v1/cases?status=nope", 400)["code"] == "invalid_status"
    overdue = api.get("intake", "/api/v1/cases?overdue=true&limit=500")["items"]
    assert all(i["light"] == "red" for i in overdue)


def test_lists_do_not_grow_queries_with_rows(client_for, django_assert_max_num_queries):
    """Query-count guards: a page of 200 cases, a case with its timeline, and a layer of grids."""
    c = client_for("intake")
    assert Case.objects.count() >= 20
    with django_assert_max_num_queries(8):
        r = c.get("/api/v1/cases?limit=200")
    assert r.status_code == 200 and len(r.json()["items"]) >= 20
    number = r.json()["items"][0]["number"]
    with django_assert_max_num_queries(14):
        assert c.get(f"/api/v1/cases/{number}").status_code == 200
    with django_assert_max_num_queries(8):
        assert c.get(f"/api/v1/cases/{number}/timeline").status_code == 200
    with django_assert_max_num_queries(8):
        fc = c.get("/api/v1/grids?layer=unit").json()
    assert len(fc["features"]) > 100
