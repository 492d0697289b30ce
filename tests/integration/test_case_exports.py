"""案件导出 (issue 16 item 2): the queue's filters and scope, masking, the unmask right and its access-log line, the
row limit, the background path with progress, the purge, and the export builder's column sets. Expected values are
typed from the issue and the seeds' case fields."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from gridgov.errors import Conflict, DomainError, NotFound

pytestmark = pytest.mark.django_db
TAG = "导出测试井盖缺失"  # a description only these tests' cases carry (the q filter finds them)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GRIDGOV = {**settings.GRIDGOV, "EXPORT_SYNC_ROWS": 2000, "EXPORT_MAX_ROWS": 500000}


def report(users, point, who="intake", n=1, matter="06010", phone="13912345678", name="张三丰"):
    from gridgov.cases import services

    out = []
    for i in range(n):
        r = services.intake(users[who], source="hotline", lon=point[0], lat=point[1], matter=matter,
                            description=f"{TAG}{i}，联系13800138000", reporter_name=name, reporter_phone=phone,
                            find_duplicates=False)
        out.append(r.case.number)
    return out


def read_csv(export) -> list[list[str]]:
    with default_storage.open(export.file_name, "rb") as f:
        raw = f.read()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel on Windows reads it as UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_a_small_export_is_made_at_once_masked_with_the_chosen_columns_in_order(users, point):
    from gridgov.exports import services

    numbers = report(users, point, n=2)
    e = services.start(users["intake"], f"q={TAG}", ["number", "reporter_phone", "reporter_name", "description",
                                                     "matter", "street"], "csv")
    assert (e.status, e.total, e.done) == ("done", 2, 2)
    rows = read_csv(e)
    assert rows[0] == ["案件编号", "联系电话", "联系人", "问题描述", "事项", "街道"]
    assert [r[0] for r in rows[1:]] == numbers  # oldest report first
    assert rows[1][1:] == ["139****5678", "张**", f"{TAG}0，联系***", "暴露垃圾", "东华门街道"]


def test_the_queue_filters_and_the_scope_decide_the_rows(users, point):
    from gridgov.exports import services

    mine = report(users, point, n=1)
    e = services.start(users["intake"], f"q={TAG}&status=registered", ["number"], "csv")
    assert e.total == 0 and read_csv(e) == [["案件编号"]]
    e = services.start(users["intake"], f"q={TAG}&status=reported", ["number"], "csv")
    assert read_csv(e)[1:] == [[mine[0]]]
    # a department's handler sees only what was sent to it: nothing of these
    assert services.start(users["handler"], f"q={TAG}", ["number"], "csv").total == 0
    with pytest.raises(DomainError) as bad:
        services.start(users["intake"], "date_from=2026-13-40", ["number"], "csv")
    assert bad.value.code == "invalid_filter" and "上报日期起" in bad.value.message


def test_unmasked_export_needs_the_right_and_a_reason_and_is_logged(users, point):
    from gridgov.accounts.scope import NoRight
    from gridgov.basedata.models import AccessLog
    from gridgov.exports import services

    report(users, point, n=1)
    with pytest.raises(NoRight):
        services.start(users["leader"], f"q={TAG}", ["number", "reporter_phone"], "csv", unmask=True, reason="核对")
    with pytest.raises(DomainError) as no_reason:
        services.start(users["shift"], f"q={TAG}", ["number", "reporter_phone"], "csv", unmask=True)
    assert no_reason.value.code == "reason_required"
    before = AccessLog.objects.count()
    e = services.start(users["shift"], f"q={TAG}", ["number", "reporter_name", "reporter_phone", "description"],
                       "csv", unmask=True, reason="回访核对")
    assert read_csv(e)[1][1:] == ["张三丰", "13912345678", f"{TAG}0，联系13800138000"]
    log = AccessLog.objects.order_by("-id").first()
    assert AccessLog.objects.count() == before + 1
    assert (log.username, log.action, log.target, log.fields, log.count, log.reason) == (
        "shift", "export", "case_report", "reporter_name,reporter_phone", 1, "回访核对")


def test_one_sheet_per_matter_class_in_excel(users, point):
    from openpyxl import load_workbook

    from gridgov.exports import services

    report(users, point, n=2, matter="06010")  # 06 市容环境类
    report(users, point, n=1, matter="07001")  # 07 宣传广告类
    e = services.start(users["intake"], f"q={TAG}", ["number", "matter"], "xlsx", by_class=True)
    with default_storage.open(e.file_name, "rb") as f:
        wb = load_workbook(io.BytesIO(f.read()))
    assert [(ws.title, ws.max_row) for ws in wb.worksheets] == [("市容环境类", 3), ("宣传广告类", 2)]
    assert [c.value for c in wb.worksheets[1][2]][1] == "非法小广告"
    with pytest.raises(DomainError) as csv_by_class:
        services.start(users["intake"], f"q={TAG}", ["number"], "csv", by_class=True)
    assert csv_by_class.value.code == "by_class_needs_xlsx"


def test_beyond_the_row_limit_a_clear_error_and_nothing_written(users, point, settings):
    from gridgov.audit.models import AuditRecord
    from gridgov.exports import services
    from gridgov.exports.models import Export

    report(users, point, n=3)
    settings.GRIDGOV = {**settings.GRIDGOV, "EXPORT_MAX_ROWS": 2}
    exports, audits = Export.objects.count(), AuditRecord.objects.count()
    with pytest.raises(DomainError) as e:
        services.start(users["intake"], f"q={TAG}", ["number"], "xlsx")
    assert e.value.code == "too_many_rows" and "最多导出 2 行" in e.value.message and "3 行" in e.value.message
    assert (Export.objects.count(), AuditRecord.objects.count()) == (exports, audits)
    with pytest.raises(DomainError) as cols:
        services.start(users["intake"], f"q={TAG}", ["number", "nope"], "xlsx")
    assert cols.value.code == "invalid_columns"


def test_a_large_export_runs_in_the_background_and_is_downloaded_then_purged(users, point, settings, client_for,
                                                                            django_capture_on_commit_callbacks):
    from gridgov.exports import services

    report(users, point, n=3)
    settings.GRIDGOV = {**settings.GRIDGOV, "EXPORT_SYNC_ROWS": 1}
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        e = services.start(users["intake"], f"q={TAG}", ["number"], "csv")
    assert (e.status, e.total, e.done) == ("queued", 3, 0)
    c = client_for("intake")
    r = c.get(f"/api/v1/exports/{e.pk}")
    assert r.json()["status"] == "queued" and r.json()["download_url"] is None
    assert c.get(f"/api/v1/exports/{e.pk}/download").json()["code"] == "export_not_ready"
    page = c.get(f"/exports/{e.pk}/row/")
    assert page.status_code == 200 and b'hx-trigger="every 2s"' in page.content  # still polling
    for job in jobs:
        job()
    r = c.get(f"/api/v1/exports/{e.pk}").json()
    assert (r["status"], r["done"], r["total"], r["percent"]) == ("done", 3, 3, 100)
    assert c.get(f"/exports/{e.pk}/row/").status_code == 286  # htmx stops polling
    got = c.get(r["download_url"])
    assert got.status_code == 200 and b"".join(got.streaming_content).count(b"\n") == 4
    # someone else's export: not found
    assert client_for("shift").get(f"/api/v1/exports/{e.pk}").status_code == 404
    # past the keeping time: the file is deleted, the row says so
    e.refresh_from_db()
    name = e.file_name
    assert services.purge(timezone.now() + dt.timedelta(days=8)) == 1
    assert not default_storage.exists(name)
    with pytest.raises(Conflict) as gone:
        services.open_file(users["intake"], e.pk)
    assert gone.value.code == "export_expired"


def test_column_sets_are_per_user_and_may_be_shared(users):
    from gridgov.exports import services

    s, created = services.save_column_set(users["intake"], "日报", ["number", "status"], shared=False)
    assert created
    s2, created = services.save_column_set(users["intake"], "日报", ["status", "number", "overdue"], shared=True)
    assert (s2.pk, created, s2.columns) == (s.pk, False, ["status", "number", "overdue"])
    assert "日报" in [x.name for x in services.column_sets(users["dispatcher"])]  # shared
    with pytest.raises(NotFound):
        services.delete_column_set(users["dispatcher"], s.pk)  # not theirs
    services.delete_column_set(users["intake"], s.pk)
    assert "日报" not in [x.name for x in services.column_sets(users["intake"])]


def test_the_page_starts_an_export_and_lists_it(users, point, client_for):
    from gridgov.exports.models import Export

    report(users, point, n=1)
    c = client_for("shift")
    assert "案件导出" in c.get("/exports/").content.decode()
    r = c.post("/exports/start/", {"query": f"q={TAG}", "col_number": "1", "order_number": "2", "col_status": "1",
                                   "order_status": "1", "format": "csv"})
    assert r.status_code == 302
    e = Export.objects.filter(user=users["shift"]).latest("id")
    assert (e.columns, e.status, e.total) == (["status", "number"], "done", 1)
    html = c.get("/exports/").content.decode()
    assert f"/exports/{e.pk}/download/" in html
    assert client_for("gridworker").get("/exports/").status_code == 403


@pytest.mark.parametrize("late_attempt", ["succeeds", "fails"])
def test_two_attempts_at_one_export_overlapping_finish_it_once(users, point, settings, monkeypatch,
                                                               django_capture_on_commit_callbacks, late_attempt):
    """A job may run twice at once (a message given again while its first worker still runs, or ``resume``'s
    second submission taken beside the first): whichever attempt ends first finishes the export; the later one
    keeps no file of its own, writes no second "finish" — and, failing, does not turn the finished export into a
    failed one."""
    from gridgov.audit.models import AuditRecord
    from gridgov.exports import services

    report(users, point, n=3)
    settings.GRIDGOV = {**settings.GRIDGOV, "EXPORT_SYNC_ROWS": 1}
    with django_capture_on_commit_callbacks(execute=False):
        e = services.start(users["intake"], f"q={TAG}", ["number"], "csv")
    real_progress, others = services._progress, []

    def progress_with_another_attempt(export_id, done):  # the other attempt runs to its end meanwhile
        real_progress(export_id, done)
        if not others:
            others.append(export_id)
            services.build(export_id)
            if late_attempt == "fails":
                raise OSError("disk full")

    def files() -> set[str]:
        return set(default_storage.listdir("exports")[1]) if default_storage.exists("exports") else set()

    before = files()
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(services, "_progress", progress_with_another_attempt)
    services.build(e.pk)
    e.refresh_from_db()
    assert (e.status, e.done, e.total) == ("done", 3, 3)
    assert files() - before == {e.file_name.split("/")[-1]}  # one file: the later attempt's is not kept
    assert len(read_csv(e)) == 4
    assert list(AuditRecord.objects.filter(object_type="case_export", object_id=str(e.pk)).order_by("id")
                .values_list("action", flat=True)) == ["create", "finish"]
