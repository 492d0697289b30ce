"""考评 (003 篇7) through the services, the API and the pages: scheme copy and edit (refusals write nothing), a run
and its publication (who sees what), appeals (a new revision with its history; the window), the judgements that
carry forward, and the demo's two months.

The worked example is ``gridgov/assess/data/example_facts_2026-11.json`` (its scores are worked out by hand in
tests/unit/test_assess_rules.py: 东华门街道 79, 景山街道 75.6, 交道口街道 52).
"""

import copy
import datetime as dt
import io
import json
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from gridgov.assess import services
from gridgov.assess.models import Appeal, Item, Judgement, Run, Scheme
from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
API = "/api/v1/assess"


def example() -> dict:
    return json.loads(resources.files("gridgov.assess").joinpath("data/example_facts_2026-11.json").read_text("utf-8"))


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False)  # a Tuesday
    return time_machine


# ---------------------------------------------------------------- schemes


def test_the_shipped_scheme_is_installed_once_and_locked(users):
    s = services.shipped_scheme()
    assert services.shipped_scheme().pk == s.pk
    assert s.name == "城市网格化管理专项考核评分表（003 篇7）"
    assert sorted(s.parts.values_list("points", flat=True)) == [7, 8, 10, 10, 15, 50]
    assert Item.objects.filter(part__scheme=s).count() == 20
    with pytest.raises(DomainError) as e:
        services.edit_scheme(users["admin"], s.pk, {"params": {"reward_pool": 1}})
    assert e.value.code == "scheme_locked"


def test_a_bad_edit_is_refused_and_writes_nothing(users):
    copy_ = services.copy_scheme(users["admin"], services.shipped_scheme().pk, "东城区 2027 方案")
    before = AuditRecord.objects.count()
    with pytest.raises(DomainError) as e:
        services.edit_scheme(users["admin"], copy_.pk, {"items": {"subcentre": {"points": 5}}})
    assert e.value.code == "invalid_scheme"
    assert "第1部分「体系建设」各考评项分值之和为 9，应等于该部分分值 8" in e.value.message
    with pytest.raises(DomainError) as e:
        services.edit_scheme(users["admin"], copy_.pk, {"items": {"innovation": {"params": {"x": 1}}}})
    assert "不是规则 points 的参数" in e.value.message
    copy_.refresh_from_db()
    assert copy_.version == 1 and AuditRecord.objects.count() == before
    assert Item.objects.get(part__scheme=copy_, key="subcentre").points == 4


def test_copy_and_edit_are_audited(users, client_for):
    admin = client_for("admin")
    shipped = services.shipped_scheme()
    r = admin.post(f"{API}/schemes/{shipped.pk}/copy", {"name": "东城区调整方案"}, content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert AuditRecord.objects.filter(object_type="assess_scheme", object_id=str(pk), action="copy").exists()
    # 体系建设 8 → 9 (分中心建设 4 → 5), 案件管理 50 → 49 (案件数量 30 → 29): still 100
    r = admin.patch(f"{API}/schemes/{pk}", {"parts": {"1": 9, "3": 49}, "items": {
        "subcentre": {"points": 5, "tiers": [5, 3, 0]}, "case_count": {"points": 29}}}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 2
    rec = AuditRecord.objects.filter(object_type="assess_scheme", object_id=str(pk), action="edit").get()
    assert rec.before["part1"] == 8 and rec.after["part1"] == 9 and rec.after["subcentre"]["points"] == 5
    doc = admin.get(f"{API}/schemes/{pk}").json()
    assert [p["points"] for p in doc["parts"]] == [9, 7, 49, 15, 10, 10]
    # a supervisor may read schemes, not change them
    assert client_for("supervisor").patch(f"{API}/schemes/{pk}", {"name": "x"},
                                          content_type="application/json").status_code == 403


# ---------------------------------------------------------------- runs and who sees them


def test_run_publish_and_visibility_per_post(users, client_for, frozen):
    run = services.run_document(users["admin"], example())
    assert (run.revision, run.published_at) == (1, None)
    # before publication: the centre, the leader, the administrator see it; the units (督导员, handler) nothing
    for post in ("admin", "leader", "shift"):
        r = client_for(post).get(f"{API}/runs/{run.pk}")
        assert r.status_code == 200, post
        assert [(u["rank"], u["name"], u["total"]) for u in r.json()["units"]] == [
            (1, "东华门街道", 79), (2, "景山街道", 75.6), (3, "交道口街道", 52)]
    for post in ("supervisor", "handler"):
        assert client_for(post).get(f"{API}/runs/{run.pk}").status_code == 404, post
        assert client_for(post).get(f"{API}/runs").json()["count"] == 0, post
        page = client_for(post).get("/assess/")
        assert page.status_code == 200 and 'data-testid="ranking"' not in page.content.decode()
        assert "交道口街道" not in page.content.decode()
    assert client_for("gridworker").get(f"{API}/runs").status_code == 403
    assert client_for("supervisor").post(f"{API}/runs/{run.pk}/publish").status_code == 403
    r = client_for("admin").post(f"{API}/runs/{run.pk}/publish")
    assert r.status_code == 200 and r.json()["published_at"]
    # after: every unit sees the ranking table, with the drill-down to each item's explanation
    for post in ("supervisor", "handler"):
        page = client_for(post).get("/assess/").content.decode()
        assert 'data-testid="ranking"' in page and "交道口街道" in page, post
    sheet = client_for("supervisor").get(f"/assess/runs/{run.pk}/units/110101001/").content.decode()
    assert "月完成量 130 / 月均指标 100 × 24 = 31.2（封顶 24）" in sheet
    export = client_for("handler").get(f"/assess/runs/{run.pk}/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert client_for("admin").post(f"{API}/runs/{run.pk}/publish").json()["code"] == "already_published"


def test_a_bad_document_is_refused_and_no_run_is_kept(users, client_for, frozen):
    doc = example()
    doc["units"][0]["inputs"]["case_count"]["quota"] = 0
    before = (Run.objects.count(), AuditRecord.objects.count())
    r = client_for("admin").post(f"{API}/runs", {"facts": doc}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_quota"
    assert "月均指标 quota 应为正数" in r.json()["message"]
    assert (Run.objects.count(), AuditRecord.objects.count()) == before
    r = client_for("admin").post(f"{API}/score", {**example(), "period": "2027-01"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "period_in_future"


# ---------------------------------------------------------------- appeals


def test_an_upheld_appeal_makes_a_new_revision_and_the_history_shows_both(users, client_for, frozen):
    run = services.publish(users["admin"], services.run_document(users["admin"], example()).pk)
    r = client_for("supervisor").post(f"{API}/appeals", {"run": run.pk, "item": "quality_sample",
                                                         "reason": "抽查中 1 件系照片上传失败，现场已处置"})
    assert r.status_code == 201, r.content
    appeal = r.json()
    assert (appeal["old_points"], appeal["status"]) == (4.5, "pending")  # 5 × 9 / 10
    # the handler's department is not an assessed unit; the shift leader rules, the supervisor may not
    assert client_for("supervisor").post(f"{API}/appeals/{appeal['id']}/rule", {"upheld": True, "ruling": "x"},
                                         content_type="application/json").status_code == 403
    r = client_for("shift").post(f"{API}/appeals/{appeal['id']}/rule", {
        "upheld": True, "ruling": "复核后 10 件均合格", "corrected": {"passed": 10}}, content_type="application/json")
    assert r.status_code == 200, r.content
    ruled = r.json()
    assert (ruled["status"], ruled["old_points"], ruled["new_points"]) == ("upheld", 4.5, 5)  # 5 × 10 / 10
    new = Run.objects.get(pk=ruled["new_run"])
    assert new.revision == 2 and new.published_at is not None and "申诉" in new.reason
    history = services.history(users["supervisor"], "2026-11", "110101001")
    assert [(h["revision"], h["total"], h["items"]["quality_sample"]) for h in history] == [(1, 79, 4.5), (2, 79.5, 5)]
    sheet = client_for("supervisor").get(f"/assess/runs/{new.pk}/units/110101001/").content.decode()
    assert "复核后 10 件均合格" in sheet and "第 2 版" in sheet
    # a rejected appeal changes nothing
    a2 = services.file_appeal(users["supervisor"], new.pk, "training", "培训次数漏计")
    services.rule_appeal(users["shift"], a2.pk, False, "台账中无该次培训记录")
    assert Run.objects.filter(period="2026-11").count() == 2


def test_an_appeal_after_the_window_is_refused(users, frozen):
    run = services.publish(users["admin"], services.run_document(users["admin"], example()).pk)
    # published Tuesday 2026-12-01 10:00; 5 working days later: Tuesday 2026-12-08 (office hours end of that day)
    frozen.move_to(dt.datetime(2026, 12, 7, 16, 0, tzinfo=SH), tick=False)
    services.file_appeal(users["supervisor"], run.pk, "training", "培训次数漏计")
    frozen.move_to(dt.datetime(2026, 12, 10, 9, 0, tzinfo=SH), tick=False)
    before = (Appeal.objects.count(), AuditRecord.objects.count())
    with pytest.raises(DomainError) as e:
        services.file_appeal(users["supervisor"], run.pk, "publicity", "报送次数漏计")
    assert e.value.code == "appeal_window_closed" and "申诉期已过" in e.value.message
    assert (Appeal.objects.count(), AuditRecord.objects.count()) == before


# ---------------------------------------------------------------- judgements carry forward


def test_judgements_of_parts_1_2_4_5_6_carry_forward_within_the_year(users, frozen):
    shift = users["shift"]
    services.judge(shift, "2026-09", "110101002", "subcentre", tier=2, remark="分中心仅用于网格化")
    services.judge(shift, "2026-09", "110101002", "feedback", tier=1, remark="九月反馈及时")
    services.judge(shift, "2025-12", "110101002", "management", tier=1, remark="去年的评定")
    got = services.judgement_inputs("2026-11", services.active_scheme(), ["110101002"])["110101002"]
    assert got["subcentre"]["tier"] == 2 and "shift" in got["subcentre"]["_source"]
    assert got["feedback"] == {"tier": None}  # part 3: judged each month
    assert got["management"] == {"tier": None}  # not across years
    assert got["special_tasks"] == {"tier": None, "receiver": False}
    with pytest.raises(DomainError) as e:
        services.judge(shift, "2026-11", "110101002", "case_count", tier=1, remark="x")
    assert e.value.code == "not_a_judgement_item"
    with pytest.raises(DomainError) as e:
        services.judge(shift, "2026-11", "110101002", "subcentre", tier=4, remark="x")
    assert e.value.code == "invalid_tier"
    assert Judgement.objects.filter(unit_code="110101002").count() == 3


def test_evidence_with_a_file(users, client_for, frozen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client_for("supervisor").post(f"{API}/evidence", {
        "period": "2026-11", "item": "big_data", "text": "十一月大数据分析报告",
        "files": SimpleUploadedFile("报告.pdf", b"%PDF-1.4 demo", content_type="application/pdf")})
    assert r.status_code == 201, r.content
    assert r.json()["files"] == [{"name": "报告.pdf", "size": 13}] and r.json()["unit"] == "110101001"
    r = client_for("supervisor").post(f"{API}/evidence", {
        "period": "2026-11", "item": "big_data", "text": "x",
        "files": SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")})
    assert r.status_code == 400 and r.json()["code"] == "invalid_file"


# ---------------------------------------------------------------- the year and the demo


def test_the_year_with_allocation_and_bulletin(users, client_for, frozen):
    oct_ = example()
    oct_["period"] = "2026-10"
    oct_["units"][0]["inputs"]["case_count"] = {"completed": 75, "quota": 100.0, "last_year": 70}
    for doc in (oct_, example()):
        services.publish(users["admin"], services.run_document(users["admin"], doc).pk)
    r = client_for("leader").get(f"{API}/annual?year=2026")
    assert r.status_code == 200
    year = r.json()
    first = year["units"][0]
    # 景山: 39 + 35.6 = ... the example's three streets, parts at 2026-11 + mean of part 3 over October and November
    # 东华门: year end 4 + 7 + 13 + 7 + 8 = 39; part 3 (29 + 40) / 2 = 34.5 → 73.5
    # 景山: 4 + 7 + 13 + 8 + 8 = 40; (35.6 + 35.6) / 2 = 35.6 → 75.6 → first
    assert (first["name"], first["total"]) == ("景山街道", 75.6)
    assert next(u for u in year["units"] if u["code"] == "110101001")["total"] == 73.5
    # three units in thirds of the default 1,000,000: 40 %, 35 %, 25 %
    assert [a["amount"] for a in year["allocation"]] == [400000, 350000, 250000]
    assert "第 1 名 景山街道：75.6 分" in year["bulletin"]


def test_the_demo_has_two_published_months_and_an_upheld_and_a_pending_appeal(users):
    from gridgov.assess import demo

    months = demo._months(dt.date(2026, 12, 3))
    assert months == ["2026-10", "2026-11"]
    demo._build(months)
    runs = list(Run.objects.filter(district_code="110101").order_by("period", "revision"))
    assert [(r.period, r.revision, r.published_at is not None) for r in runs] == [
        ("2026-10", 1, True), ("2026-11", 1, True), ("2026-11", 2, True)]
    assert len(runs[0].result["units"]) == 17
    assert sorted(Appeal.objects.values_list("status", flat=True)) == ["pending", "upheld"]
    upheld = Appeal.objects.get(status="upheld")
    assert (upheld.old_points, upheld.new_points) == (2, 5)  # 规范管理 二档 2 → 一档 5


def test_a_copied_scheme_scores_with_its_own_points(users, frozen):
    copy_ = services.copy_scheme(users["admin"], services.shipped_scheme().pk)
    services.edit_scheme(users["admin"], copy_.pk, {"parts": {"1": 9, "3": 49}, "items": {
        "subcentre": {"points": 5, "tiers": [5, 3, 0]}, "case_count": {"points": 29}}})
    services.activate_scheme(users["admin"], copy_.pk)
    doc = example()
    doc["scheme"] = services.document(Scheme.objects.get(pk=copy_.pk))
    run = services.run_document(users["admin"], copy.deepcopy(doc))
    first = next(u for u in run.result["units"] if u["code"] == "110101001")
    # 分中心建设 tier 1 → 5; 案件数量 capped at 29 (24 + 3 + 3 = 30 → 29): 79 + 1 − 1 = 79
    assert [i["points"] for i in first["items"] if i["key"] in ("subcentre", "case_count")] == [5, 29]
    assert first["total"] == 79 and run.scheme_id == copy_.pk and run.scheme_version == 2


def test_every_page_answers_each_post(users, client_for, frozen):
    run = services.publish(users["admin"], services.run_document(users["admin"], example()).pk)
    pages = ["/assess/", f"/assess/?run={run.pk}", "/assess/annual/?year=2026", "/assess/review/",
             "/assess/appeals/", "/assess/schemes/", f"/assess/runs/{run.pk}/units/110101002/",
             "/assess/annual/?year=2026&format=xlsx"]
    for post in ("admin", "leader", "shift", "supervisor", "handler"):
        for url in pages:
            assert client_for(post).get(url).status_code == 200, (post, url)
    assert client_for("supervisor").get("/assess/mine/")["Location"] == f"/assess/runs/{run.pk}/units/110101001/"
    for post in ("gridworker", "intake", "resident"):
        assert client_for(post).get("/assess/").status_code == 403, post
    # the navigation: 考评 for the five posts with assess.view
    assert 'href="/assess/"' in client_for("leader").get("/dashboard/").content.decode()
    # the administrator computes a month from an uploaded file and publishes it on the page
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = example()
    doc["period"] = "2026-10"
    r = client_for("admin").post("/assess/run/", {"facts": SimpleUploadedFile(
        "facts.json", json.dumps(doc).encode(), content_type="application/json"), "reason": "十月"})
    new = Run.objects.get(period="2026-10")
    assert r["Location"] == f"/assess/?run={new.pk}"
    client_for("admin").post(f"/assess/runs/{new.pk}/publish/")
    new.refresh_from_db()
    assert new.published_at is not None
    # a reviewer judges on the page
    client_for("shift").post("/assess/review/judge/", {"period": "2026-11", "unit": "110101003", "item": "big_data",
                                                       "tier": "2", "remark": "报告内容较完整"})
    assert Judgement.objects.filter(unit_code="110101003", item_key="big_data", tier=2, by=users["shift"]).exists()


def test_editing_a_scheme_on_its_page(users, client_for):
    copy_ = services.copy_scheme(users["admin"], services.shipped_scheme().pk, "页面修改")
    admin = client_for("admin")
    r = admin.post(f"/assess/schemes/{copy_.pk}/edit/", {"changes": json.dumps({"items": {"training": {"points": 6}}})},
                   follow=True)
    assert "第4部分「网格员队伍」各考评项分值之和为 16，应等于该部分分值 15" in r.content.decode()
    copy_.refresh_from_db()
    assert copy_.version == 1
    r = admin.post(f"/assess/schemes/{copy_.pk}/edit/", {"changes": json.dumps(
        {"parts": {"4": 16, "6": 9}, "items": {"training": {"points": 6}, "innovation": {"points": 4}}})}, follow=True)
    copy_.refresh_from_db()
    assert copy_.version == 2 and "已保存「页面修改」第 2 版" in r.content.decode()
    assert client_for("shift").post(f"/assess/schemes/{copy_.pk}/edit/", {"changes": "{}"}).status_code == 403


def test_the_command_scores_a_file_without_the_database(tmp_path):
    from django.core.management import call_command

    out = io.StringIO()
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(example(), ensure_ascii=False), "utf-8")
    call_command("assess", "score", str(path), stdout=out)
    text = out.getvalue()
    assert "1\t110101001\t东华门街道\t4\t7\t40\t13\t7\t8\t79" in text
    assert "3\t110101003\t交道口街道\t4\t7\t14\t13\t6\t8\t52" in text
    out = io.StringIO()
    call_command("assess", "score", str(path), "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["units"][1]["total"] == 75.6
