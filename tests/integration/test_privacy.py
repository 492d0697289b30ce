"""Personal information (个人信息保护法): retention periods and the purge, a person's file (查询、复制), corrections
(更正) and erasure on request (删除). Expectations are typed by hand; the clock is frozen."""

import datetime as dt
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from gridgov.accounts.scope import NoRight
from gridgov.audit.models import AuditRecord
from gridgov.basedata import personal
from gridgov.basedata import services as basedata
from gridgov.basedata.models import (
    AccessLog,
    Dwelling,
    KeyCategory,
    Resident,
    ResidentEvent,
)
from gridgov.cases.models import Case, CaseReport
from gridgov.cases.services import intake
from gridgov.crypto import cipher
from gridgov.errors import DomainError
from gridgov.privacy import services
from tests.matrix import call

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
ID_NUMBER = "110101198507150029"  # a valid synthetic ID number (check character 9), born 1985-07-15, female
ID_MASKED = "110101********0029"
PHONE = "13712340001"
PHONE_MASKED = "137****0001"
OTHER_PHONE = "13712340002"
REPORT_PHONE_FIELD = "cases.report.phone"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST)


def audit_since(last_id: int, object_type: str | None = None) -> list[AuditRecord]:
    qs = AuditRecord.objects.filter(id__gt=last_id).order_by("id")
    return list(qs.filter(object_type=object_type) if object_type else qs)


def last_audit_id() -> int:
    return AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


def hotline_report(users, point, phone: str, name: str = "王小明", description: str = "楼下垃圾堆放多日"):
    lon, lat = point
    return intake(users["intake"], source="hotline", lon=lon, lat=lat, description=description,
                  reporter_name=name, reporter_phone=phone, find_duplicates=False).case


def archive(case: Case, when: dt.datetime) -> None:
    # test set-up: the case is put at the end of its loop directly (the loop itself is tested elsewhere)
    Case.objects.filter(pk=case.pk).update(status="archived", archived_at=when, closed_at=when)


# ---------------------------------------------------------------- retention: case reporters


def test_reporter_kept_on_8_july_and_erased_on_9_july_after_archiving_on_10_january(users, point, time_machine):
    time_machine.move_to(at(2026, 1, 5, 9, 0), tick=False)
    case = hotline_report(users, point, "13912345678")
    archive(case, at(2026, 1, 10, 18, 30))
    before = last_audit_id()

    time_machine.move_to(at(2026, 7, 8, 23, 59), tick=False)
    assert services.purge()["case_reporter"] == 0
    report = CaseReport.objects.get(case=case)
    assert cipher().decrypt(report.reporter_phone_cipher, REPORT_PHONE_FIELD) == "13912345678"
    assert (report.reporter_name, report.reporter_phone_masked) == ("王小明", "139****5678")
    assert audit_since(before) == []

    time_machine.move_to(at(2026, 7, 9, 0, 0, 30), tick=False)
    # field_track: patrol's eraser; governance_party: the governance app's
    assert services.purge() == {"case_reporter": 1, "access_log": 0, "field_track": 0, "governance_party": 0}
    report.refresh_from_db()
    assert (bytes(report.reporter_phone_cipher), report.reporter_phone_index, report.reporter_name,
            report.reporter_phone_masked) == (b"", "", "", "已按保存期限删除")
    assert Case.objects.get(pk=case.pk).description == "楼下垃圾堆放多日"  # the case itself stays
    records = audit_since(before)
    assert [(r.object_type, r.object_id, r.action, r.actor_id, r.after) for r in records] == [
        ("retention", "case_reporter", "purge", None, {"count": 1, "days": 180, "before": "2026-01-11"})]
    assert "13912345678" not in json.dumps(records[0].after) and "王小明" not in json.dumps(records[0].after)

    # idempotent: the next run (the next day) finds nothing and writes nothing
    time_machine.move_to(at(2026, 7, 10, 1, 0), tick=False)
    assert services.purge() == {"case_reporter": 0, "access_log": 0, "field_track": 0, "governance_party": 0}
    assert len(audit_since(before)) == 1


def test_reports_of_open_cases_are_kept_however_old(users, point, time_machine):
    time_machine.move_to(at(2025, 1, 5, 9, 0), tick=False)
    case = hotline_report(users, point, "13912345670")
    time_machine.move_to(at(2026, 7, 9, 9, 0), tick=False)
    services.purge()
    report = CaseReport.objects.get(case=case)
    assert (report.reporter_name, report.reporter_phone_masked) == ("王小明", "139****5670")


def test_the_period_is_configurable_and_each_change_audited(users, point, time_machine, client_for):
    time_machine.move_to(at(2026, 1, 5, 9, 0), tick=False)
    case = hotline_report(users, point, "13912345679")
    archive(case, at(2026, 1, 10, 18, 30))
    before = last_audit_id()
    admin = client_for("admin")
    resp = call(admin, "put", "/api/v1/privacy/retention/case_reporter", {"days": 30, "note": "本区规定"})
    assert resp.status_code == 200, resp.content
    assert {p["kind"]: p["days"] for p in resp.json()} == {
        "case_reporter": 30, "access_log": 1095, "resident_left": None, "field_track": 365,
        "governance_party": 1095}
    [rec] = audit_since(before)
    assert (rec.object_type, rec.object_id, rec.action, rec.actor_id, rec.before, rec.after) == (
        "retention", "case_reporter", "set_retention", users["admin"].pk, {"days": 180},
        {"days": 30, "note": "本区规定"})
    # 2026-01-10 + 30 days = 2026-02-09
    time_machine.move_to(at(2026, 2, 8, 12, 0), tick=False)
    assert services.purge()["case_reporter"] == 0
    time_machine.move_to(at(2026, 2, 9, 12, 0), tick=False)
    assert services.purge()["case_reporter"] == 1

    admin = client_for("admin")  # signed in again: the session of February has expired
    bad = call(admin, "put", "/api/v1/privacy/retention/access_log", {"days": 90})
    assert (bad.status_code, bad.json()) == (400, {"code": "invalid_retention", "message": "个人信息访问日志至少保存 180 天"})
    bad = call(admin, "put", "/api/v1/privacy/retention/nonsense", {"days": 90})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_retention")
    assert call(client_for("gridleader"), "put", "/api/v1/privacy/retention/case_reporter", {"days": 1}).status_code == 403
    assert call(client_for(None), "put", "/api/v1/privacy/retention/case_reporter", {"days": 1}).status_code == 401
    assert client_for("gridworker").get("/api/v1/privacy/retention").status_code == 403
    assert len(audit_since(before, "retention")) == 2  # the change and the purge; the refused changes wrote nothing
    with pytest.raises(NoRight):
        services.set_policy(users["leader"], "case_reporter", 10)


# ---------------------------------------------------------------- retention: access log, people who left


def test_access_log_lines_are_kept_1095_days(users, time_machine):
    time_machine.move_to(at(2023, 3, 1, 10, 0), tick=False)
    basedata.log_access(users["gridleader"], "unmask", "resident", 1, "id_number", 1, "核对身份")
    time_machine.move_to(at(2023, 3, 2, 10, 0), tick=False)
    basedata.log_access(users["gridleader"], "unmask", "resident", 2, "id_number", 1, "核对身份")
    old = set(AccessLog.objects.filter(at__lt=at(2023, 3, 3)).values_list("object_id", flat=True))
    assert old == {"1", "2"}
    # 2023-03-01 + 1095 days = 2026-02-28 (2024-02-29 lies between)
    time_machine.move_to(at(2026, 2, 27, 23, 0), tick=False)
    assert services.purge()["access_log"] == 0
    before = last_audit_id()
    time_machine.move_to(at(2026, 2, 28, 8, 0), tick=False)
    assert services.purge()["access_log"] == 1
    assert set(AccessLog.objects.filter(at__lt=at(2023, 3, 3)).values_list("object_id", flat=True)) == {"2"}
    [rec] = audit_since(before)
    assert (rec.object_id, rec.after) == ("access_log", {"count": 1, "days": 1095, "before": "2023-03-02"})


def new_person(users, time_machine, *, id_number=ID_NUMBER, phone=PHONE, household="PRIV-HH-1") -> Resident:
    time_machine.move_to(at(2026, 3, 2, 10, 0), tick=False)
    dwelling = Dwelling.objects.filter(scope_key__startswith="110101001001W001.").order_by("pk").first()
    assert not Resident.objects.filter(phone_index=basedata.phone_index(phone)).exists()
    return basedata.create_resident(users["gridleader"], {
        "name": "测试人", "id_number": id_number, "phone": phone, "dwelling_id": dwelling.pk,
        "household_number": household, "relation": "户主", "reg_type": "流动"})


def test_people_who_left_are_erased_only_once_a_period_is_set(users, time_machine):
    r = new_person(users, time_machine)
    time_machine.move_to(at(2026, 3, 5, 10, 0), tick=False)
    basedata.move_resident(users["gridleader"], r.pk, "move", dt.date(2026, 3, 5), "迁往外省")
    time_machine.move_to(at(2030, 1, 1, 10, 0), tick=False)
    assert "resident_left" not in services.purge()  # default: kept
    assert Resident.objects.get(pk=r.pk).name == "测试人"
    services.set_policy(users["admin"], "resident_left", 365)
    # moved out 2026-03-05 + 365 days = 2027-03-05
    time_machine.move_to(at(2027, 3, 4, 10, 0), tick=False)
    assert services.purge()["resident_left"] == 0
    before = last_audit_id()
    time_machine.move_to(at(2027, 3, 5, 10, 0), tick=False)
    assert services.purge()["resident_left"] == 1
    r.refresh_from_db()
    assert (r.name, r.id_masked, r.phone_masked, bytes(r.id_cipher), bytes(r.phone_cipher), r.phone_index) == (
        "已按保存期限删除", "已按保存期限删除", "已按保存期限删除", b"", b"", "")
    assert r.id_index == f"erased-{r.pk}"
    assert [(x.object_id, x.after) for x in audit_since(before)] == [
        ("resident_left", {"count": 1, "days": 365, "before": "2026-03-06"})]
    # the number is free again (someone registering with it is a new registration), and the person is not found
    assert services.person_file(users["admin"], id_number=ID_NUMBER, reason="本人申请查询")["residents"] == []
    assert services.purge()["resident_left"] == 0


def test_purge_command(users, point, time_machine):
    time_machine.move_to(at(2026, 1, 5, 9, 0), tick=False)
    archive(hotline_report(users, point, "13912345671"), at(2026, 1, 10, 18, 30))
    time_machine.move_to(at(2026, 7, 9, 9, 0), tick=False)
    out = io.StringIO()
    call_command("privacy", "purge", stdout=out)
    assert out.getvalue().splitlines() == [
        "案件上报人姓名和联系电话：保存 180 天，本次删除 1 条",
        "个人信息访问日志：保存 1095 天，本次删除 0 条",
        "已迁出、注销人员的身份证号、手机号和姓名：长期保存，不删除",
        "网格员巡查轨迹：保存 365 天，本次删除 0 条",  # the patrol app plugged in its eraser
        "调解当事人、信访人的姓名、联系电话和人员关联：保存 1095 天，本次删除 0 条",  # and the governance app its own
    ]


# ---------------------------------------------------------------- 查询、复制


@pytest.fixture
def person(users, point, time_machine):
    """A synthetic person with exactly: one resident record (household PRIV-HH-1, head), one key-population tag,
    one visit, one correction, and one case report with their phone (plus a report by someone else)."""
    r = new_person(users, time_machine)
    category = KeyCategory.objects.get(code="elderly_alone")
    basedata.tag_resident(users["gridleader"], r.pk, "elderly_alone", dt.date(2026, 3, 2), "独居")
    time_machine.move_to(at(2026, 3, 3, 15, 0), tick=False)
    basedata.record_visit(users["gridworker"], {"resident_id": r.pk, "issues": "反映楼道灯不亮", "follow_up": "已报修",
                                                "place": "家中"})
    time_machine.move_to(at(2026, 3, 4, 9, 30), tick=False)
    personal.correct_resident(users["gridleader"], r.pk, "name", "测试仁", "本人持身份证申请更正")
    time_machine.move_to(at(2026, 3, 4, 11, 0), tick=False)
    mine = hotline_report(users, point, PHONE, name="测女士", description="小区门口路灯不亮")
    hotline_report(users, point, OTHER_PHONE, name="别人", description="别人的问题")
    time_machine.move_to(at(2026, 3, 6, 10, 0), tick=False)
    return {"resident": r, "case": mine, "category": category}


def test_a_person_is_found_by_id_number_masked_and_the_search_is_logged(person, client_for, users):
    r, case = person["resident"], person["case"]
    logs_before = AccessLog.objects.count()
    resp = call(client_for("admin"), "post", "/api/v1/privacy/search", {"id_number": ID_NUMBER, "reason": "本人申请查阅"})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["query"] == {"by": "id_number", "value": ID_MASKED} and body["masked"] is True
    assert body["generated_at"] == "2026-03-06T02:00:00Z"
    assert body["case_reports"] == [{
        "case_number": case.number, "case_status": "已上报", "source": "12345 热线", "reporter_name": "测**",
        "phone": PHONE_MASKED, "description": "小区门口路灯不亮", "address": "", "reported_at": "2026-03-04T03:00:00Z"}]
    [res] = body["residents"]
    assert {k: v for k, v in res.items() if k not in ("history", "corrections", "key_population", "visits", "dwelling")} == {
        "id": r.pk, "name": "测**", "id_number": ID_MASKED, "phone": PHONE_MASKED, "gender": "女",
        "birth_date": "1985-07-15", "reg_type": "流动", "status": "在住", "moved_in": "2026-03-02",
        "household": "PRIV-HH-1", "relation": "户主", "scope_key": r.scope_key}
    assert [(h["kind"], h["date"], h["reason"], h["actor"]) for h in res["history"]] == [
        ("新增", "2026-03-02", "采集登记", "gridleader")]
    assert res["corrections"] == [{"field": "name", "old": "测**", "new": "测**", "reason": "本人持身份证申请更正",
                                   "actor": "gridleader", "at": "2026-03-04T01:30:00Z"}]
    assert res["key_population"] == [{"category": "elderly_alone", "name": "独居老人", "since": "2026-03-02",
                                      "until": None, "note": "独居"}]
    assert res["visits"] == [{"about": "本人", "visited_at": "2026-03-03T07:00:00Z", "place": "家中",
                              "issues": "反映楼道灯不亮", "follow_up": "已报修", "case_number": "", "worker": "gridworker"}]
    assert ID_NUMBER not in resp.content.decode() and PHONE not in resp.content.decode()
    # recorded: who, what, why — never the number searched for
    [log] = AccessLog.objects.order_by("-id")[: AccessLog.objects.count() - logs_before]
    assert (log.username, log.action, log.target, log.object_id, log.fields, log.count, log.reason) == (
        "admin", "search", "person", str(r.pk), "id_number", 2, "本人申请查阅")


def test_the_export_holds_exactly_the_persons_records_in_plain_form(person, client_for, users):
    r, case = person["resident"], person["case"]
    resp = call(client_for("admin"), "post", "/api/v1/privacy/export", {"phone": PHONE, "reason": "本人申请复制"})
    assert resp.status_code == 200, resp.content
    assert resp["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    assert resp["Cache-Control"] == "no-store"
    body = resp.json()
    assert body["query"] == {"by": "phone", "value": PHONE_MASKED} and body["masked"] is False
    [res] = body["residents"]
    assert (res["id"], res["name"], res["id_number"], res["phone"]) == (r.pk, "测试仁", ID_NUMBER, PHONE)
    assert len(res["history"]) == 1 and len(res["corrections"]) == 1 and len(res["key_population"]) == 1
    assert len(res["visits"]) == 1
    assert [(c["case_number"], c["reporter_name"], c["phone"]) for c in body["case_reports"]] == [
        (case.number, "测女士", PHONE)]
    log = AccessLog.objects.order_by("-id").first()
    assert (log.action, log.fields, log.count, log.reason) == ("export", "id_number,phone,name", 2, "本人申请复制")
    assert PHONE not in f"{log.object_id}{log.fields}{log.reason}"


def test_the_page_searches_masked_and_downloads_the_copy(person, client_for):
    c = client_for("admin")
    page = c.get("/privacy/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "保存期限" in html and "案件上报人姓名和联系电话" in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # no inline script (CSP script-src 'self')
    resp = c.post("/privacy/", {"id_number": ID_NUMBER, "phone": "", "reason": "本人申请查阅"})
    html = resp.content.decode()
    assert resp.status_code == 200 and ID_MASKED in html and PHONE_MASKED in html and person["case"].number in html
    assert PHONE not in html.replace(f'value="{PHONE}"', "")
    resp = c.post("/privacy/export/", {"id_number": ID_NUMBER, "phone": "", "reason": "本人申请复制"})
    assert resp.status_code == 200 and resp["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    assert json.loads(resp.content)["residents"][0]["id_number"] == ID_NUMBER
    bad = c.post("/privacy/", {"id_number": ID_NUMBER, "phone": PHONE, "reason": "本人申请查阅"})
    assert bad.status_code == 400 and "请填写身份证号或手机号（二者填一项）" in bad.content.decode()
    assert client_for("gridworker").get("/privacy/").status_code == 403
    assert client_for("gridleader").post("/privacy/export/", {"id_number": ID_NUMBER, "reason": "x"}).status_code == 403
    assert client_for(None).get("/privacy/").status_code == 302  # to the login page


@pytest.mark.parametrize(("username", "status"), [
    (None, 401), ("gridworker", 403), ("gridleader", 403), ("leader", 403), ("intake", 403), ("handler", 403),
    ("resident", 403), ("admin", 200)])
def test_only_a_post_with_the_right_may_search_or_export(person, client_for, username, status):
    before = AccessLog.objects.count()
    for path in ("/api/v1/privacy/search", "/api/v1/privacy/export"):
        resp = call(client_for(username), "post", path, {"id_number": ID_NUMBER, "reason": "本人申请"})
        assert resp.status_code == status
        if status != 200:
            assert set(resp.json()) == {"code", "message"}
    assert AccessLog.objects.count() - before == (2 if status == 200 else 0)


def test_search_needs_one_key_and_a_reason_and_stays_within_scope(person, client_for, users):
    c = client_for("admin")
    for payload, code in [({"reason": "本人申请"}, "one_key"),
                          ({"id_number": ID_NUMBER, "phone": PHONE, "reason": "本人申请"}, "one_key"),
                          ({"id_number": ID_NUMBER, "reason": " "}, "reason_required"),
                          ({"id_number": "110101198507150020", "reason": "本人申请"}, "invalid_id_number"),
                          ({"phone": "12ab", "reason": "本人申请"}, "invalid_phone")]:
        resp = call(c, "post", "/api/v1/privacy/search", payload)
        assert (resp.status_code, resp.json()["code"]) == (400, code), payload
    # an administrator of another street finds nothing of this person
    from gridgov.accounts.services import create_user

    other, _ = create_user("privacy-other-street", "admin", node="110101002")
    out = services.person_file(other, id_number=ID_NUMBER, reason="本人申请")
    assert (out["residents"], out["case_reports"]) == ([], [])


# ---------------------------------------------------------------- 更正 and 删除


def test_a_correction_records_field_old_new_reason_who_and_when(users, client_for, time_machine):
    r = new_person(users, time_machine)
    before = last_audit_id()
    time_machine.move_to(at(2026, 3, 4, 9, 30), tick=False)
    resp = call(client_for("gridleader"), "post", f"/api/v1/privacy/residents/{r.pk}/corrections",
                {"field": "phone", "value": "13712349999", "reason": "本人申请更正手机号"})
    assert resp.status_code == 201, resp.content
    assert resp.json() == {"field": "phone", "old": PHONE_MASKED, "new": "137****9999", "reason": "本人申请更正手机号",
                           "actor": "gridleader", "at": "2026-03-04T01:30:00Z"}
    e = ResidentEvent.objects.get(resident=r, kind="correct")
    assert (e.field_name, e.old_masked, e.new_masked, e.date, e.actor_id) == (
        "phone", PHONE_MASKED, "137****9999", dt.date(2026, 3, 4), users["gridleader"].pk)
    [rec] = audit_since(before)
    assert (rec.object_type, rec.object_id, rec.action, rec.before, rec.after) == (
        "resident", str(r.pk), "correct", {"field": "phone", "value": PHONE_MASKED},
        {"field": "phone", "value": "137****9999", "reason": "本人申请更正手机号"})
    assert "13712349999" not in json.dumps([rec.before, rec.after]) and PHONE not in json.dumps([rec.before, rec.after])
    r.refresh_from_db()
    assert cipher().decrypt(r.phone_cipher, basedata.PHONE_FIELD) == "13712349999" and r.phone_masked == "137****9999"
    assert services.person_file(users["admin"], phone="13712349999", reason="核对")["residents"][0]["id"] == r.pk

    # the ID number: gender and birth date follow it
    resp = call(client_for("gridleader"), "post", f"/api/v1/privacy/residents/{r.pk}/corrections",
                {"field": "id_number", "value": "110101198507160016", "reason": "登记时录错"})
    assert resp.status_code == 201 and resp.json()["old"] == ID_MASKED and resp.json()["new"] == "110101********0016"
    r.refresh_from_db()
    assert (r.gender, r.birth_date, r.id_masked) == ("M", dt.date(1985, 7, 16), "110101********0016")


def test_a_refused_correction_writes_nothing(users, client_for, time_machine):
    r = new_person(users, time_machine)
    new_person(users, time_machine, id_number="110101198507150037", phone="13712340003", household="PRIV-HH-2")
    before, events = last_audit_id(), ResidentEvent.objects.count()
    url = f"/api/v1/privacy/residents/{r.pk}/corrections"
    for client, payload, status, code in [
        (client_for("gridleader"), {"field": "gender", "value": "M", "reason": "本人申请"}, 400, "invalid_field"),
        (client_for("gridleader"), {"field": "phone", "value": PHONE, "reason": "本人申请"}, 400, "unchanged"),
        (client_for("gridleader"), {"field": "phone", "value": "123", "reason": "本人申请"}, 400, "invalid_phone"),
        (client_for("gridleader"), {"field": "name", "value": "新名", "reason": ""}, 400, "reason_required"),
        (client_for("gridleader"), {"field": "id_number", "value": "110101198507150037", "reason": "本人申请"}, 409,
         "duplicate_resident"),
        (client_for("leader"), {"field": "name", "value": "新名", "reason": "本人申请"}, 403, "forbidden"),
        (client_for(None), {"field": "name", "value": "新名", "reason": "本人申请"}, 401, "unauthenticated"),
    ]:
        resp = call(client, "post", url, payload)
        assert (resp.status_code, resp.json()["code"]) == (status, code), payload
    assert (last_audit_id(), ResidentEvent.objects.count()) == (before, events)
    assert Resident.objects.get(pk=r.pk).name == "测试人"


def test_erasure_on_request_only_for_people_who_left(users, client_for, time_machine):
    r = new_person(users, time_machine)
    c = client_for("admin")  # a person's request is handled by the administrator (privacy.request)
    url = f"/api/v1/privacy/residents/{r.pk}/erase"
    resp = call(c, "post", url, {"reason": "本人申请删除"})
    assert (resp.status_code, resp.json()["code"]) == (409, "resident_active")
    basedata.move_resident(users["gridleader"], r.pk, "move", dt.date(2026, 3, 2), "迁往外省")
    before = last_audit_id()
    resp = call(client_for("gridleader"), "post", url, {"reason": "本人申请删除"})
    assert (resp.status_code, resp.json()["code"]) == (403, "forbidden")  # the grid's staff may not erase
    assert audit_since(before) == []
    resp = call(c, "post", url, {"reason": "本人申请删除"})
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"id": r.pk, "name": "已应本人请求删除", "id_number": "已应本人请求删除",
                           "phone": "已应本人请求删除", "status": "moved_out"}
    [rec] = audit_since(before)
    assert (rec.object_type, rec.object_id, rec.action, rec.after) == ("resident", str(r.pk), "erase",
                                                                      {"reason": "本人申请删除"})
    assert (call(c, "post", url, {"reason": "本人申请删除"}).json()["code"]) == "resident_erased"
    with pytest.raises(DomainError):
        personal.correct_resident(users["gridleader"], r.pk, "name", "某人", "本人申请")


# ---------------------------------------------------------------- the reporters' phone index


def test_reports_are_found_by_the_reporters_phone_also_those_stored_before_the_index(users, point, time_machine):
    import importlib

    from django.apps import apps

    time_machine.move_to(at(2026, 3, 4, 11, 0), tick=False)
    case = hotline_report(users, point, "13912340077")
    # a report stored before the index existed
    CaseReport.objects.filter(case=case).update(reporter_phone_index="")
    assert services.person_file(users["admin"], phone="13912340077", reason="本人申请")["case_reports"] == []
    migration = importlib.import_module("gridgov.cases.migrations.0005_report_phone_index")
    migration.fill_index(apps, None)
    found = services.person_file(users["admin"], phone="13912340077", reason="本人申请")["case_reports"]
    assert [(c["case_number"], c["phone"]) for c in found] == [(case.number, "139****0077")]


# ---------------------------------------------------------------- the admin


def test_the_admin_edits_periods_through_the_service_audited(users, client_for):
    from gridgov.privacy.models import RetentionPolicy

    c = client_for("admin")
    before = last_audit_id()
    listing = c.get("/admin/privacy/retentionpolicy/")
    assert listing.status_code == 200 and "未设定的类别按默认期限执行" in listing.content.decode()
    refused = c.post("/admin/privacy/retentionpolicy/add/", {"kind": "access_log", "days": "30", "note": ""})
    assert refused.status_code == 200 and "个人信息访问日志至少保存 180 天" in refused.content.decode()
    assert (RetentionPolicy.objects.count(), last_audit_id()) == (0, before)
    resp = c.post("/admin/privacy/retentionpolicy/add/", {"kind": "case_reporter", "days": "90", "note": "本区规定"})
    assert resp.status_code == 302
    p = RetentionPolicy.objects.get()
    resp = c.post(f"/admin/privacy/retentionpolicy/{p.pk}/change/", {"days": "", "note": "长期保存"})
    assert resp.status_code == 302
    assert [(r.object_id, r.action, r.actor_id, r.before, r.after) for r in audit_since(before)] == [
        ("case_reporter", "set_retention", users["admin"].pk, {"days": 180}, {"days": 90, "note": "本区规定"}),
        ("case_reporter", "set_retention", users["admin"].pk, {"days": 90}, {"days": None, "note": "长期保存"})]
    assert services.policies()["case_reporter"] is None
    assert client_for("gridleader").get("/admin/privacy/retentionpolicy/").status_code == 302  # not staff: login


def test_field_tracks_plug_in_their_eraser_and_get_their_period(monkeypatch, time_machine):
    calls = []

    def erase_tracks(before, day):
        calls.append((before, day))
        return 7

    monkeypatch.setitem(services._purgers, "field_track", erase_tracks)
    time_machine.move_to(at(2026, 7, 9, 3, 0), tick=False)
    last = last_audit_id()
    assert services.purge()["field_track"] == 7
    # 365 days: on 2026-07-09 everything before 2025-07-10 (local time) goes
    assert calls == [(at(2025, 7, 10, 0, 0), dt.date(2025, 7, 10))]
    assert [(r.object_id, r.after) for r in audit_since(last)] == [
        ("field_track", {"count": 7, "days": 365, "before": "2025-07-10"})]
    with pytest.raises(ValueError):
        services.register_purger("photos", erase_tracks)


def test_openapi_documents_the_privacy_endpoints_with_their_fields(client_for):
    doc = client_for("admin").get("/api/v1/openapi.json").json()
    assert {p for p in doc["paths"] if p.startswith("/api/v1/privacy/")} == {
        "/api/v1/privacy/search", "/api/v1/privacy/export", "/api/v1/privacy/residents/{pk}/corrections",
        "/api/v1/privacy/residents/{pk}/erase", "/api/v1/privacy/retention", "/api/v1/privacy/retention/{kind}",
        "/api/v1/privacy/purge"}
    schemas = doc["components"]["schemas"]
    assert set(schemas["PersonFileOut"]["properties"]) == {"query", "generated_at", "masked", "residents", "case_reports"}
    assert set(schemas["CaseReportOut"]["properties"]) == {"case_number", "case_status", "source", "reporter_name",
                                                         "phone", "description", "address", "reported_at"}
    ok = doc["paths"]["/api/v1/privacy/search"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/PersonFileOut"}


def test_an_administrator_may_run_the_purge_now(users, point, client_for, time_machine):
    time_machine.move_to(at(2026, 1, 5, 9, 0), tick=False)
    archive(hotline_report(users, point, "13912345672"), at(2026, 1, 10, 18, 30))
    time_machine.move_to(at(2026, 7, 9, 9, 0), tick=False)
    assert call(client_for("gridleader"), "post", "/api/v1/privacy/purge", {}).status_code == 403
    before = last_audit_id()
    resp = call(client_for("admin"), "post", "/api/v1/privacy/purge", {})
    assert (resp.status_code, resp.json()) == (200, {"erased": {"case_reporter": 1, "access_log": 0, "field_track": 0,
                                                                "governance_party": 0}})
    assert [(r.object_id, r.actor_id) for r in audit_since(before)] == [("case_reporter", users["admin"].pk)]
