"""The brief and mining pages (issue #16 items 3–4): draft, edit, issue and download through the pages; who may;
the 大数据分析报告 and the mining page built from the hand-built March 2025 of test_kpi, with their explanations."""

import datetime as dt
import io

import docx
import pytest

from gridgov.briefs.models import Brief, Status
from gridgov.mining.models import Run
from tests.integration.test_kpi import month  # noqa: F401  the hand-built month (a fixture)

pytestmark = pytest.mark.django_db


def test_draft_edit_issue_and_download_through_the_pages(month, client_for, django_capture_on_commit_callbacks):  # noqa: F811
    shift = client_for("shift")
    assert shift.get("/briefs/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = shift.post("/briefs/new/", {"kind": "monthly", "period": "2025-03", "scope": "110101"})
    assert r.status_code == 302
    b = Brief.objects.get(kind="monthly", period="2025-03")
    page = shift.get(f"/briefs/{b.pk}/").content.decode()
    assert "东华门街道" in page and 'name="s-overview"' in page and "签发" in page
    assert shift.post(f"/briefs/{b.pk}/edit/", {"s-next": "下月重点：背街小巷。"}).status_code == 302
    assert shift.post(f"/briefs/{b.pk}/issue/").status_code == 302
    b.refresh_from_db()
    assert b.status == Status.ISSUED and b.number.startswith("东城网格〔")
    r = client_for("leader").get(f"/briefs/{b.pk}/docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    d = docx.Document(io.BytesIO(r.content))
    rows = {t.rows[i].cells[0].text: [c.text for c in t.rows[i].cells[1:]] for t in d.tables for i in range(len(t.rows))}
    assert rows["合计"] == ["6", "5", "4", "80.0%", "50.0%", "25.0%"]
    assert "下月重点：背街小巷。" in "\n".join(p.text for p in d.paragraphs)
    assert client_for("leader").get(f"/briefs/{b.pk}/pdf").content.startswith(b"%PDF")
    # issued: the page has no form any more, and a POST is refused with the reason
    assert 'name="s-overview"' not in shift.get(f"/briefs/{b.pk}/").content.decode()
    r = shift.post(f"/briefs/{b.pk}/edit/", {"s-next": "改"})
    assert r.status_code == 409 and "已签发" in r.content.decode()


def test_who_may_use_the_pages(client_for, users):
    assert client_for("leader").post("/briefs/new/", {"kind": "weekly", "period": "2025-W10"}).status_code == 403
    assert client_for("gridworker").get("/briefs/").status_code == 403
    assert client_for("handler").get("/mining/").status_code == 403
    assert client_for(None).get("/briefs/").status_code == 302
    r = client_for("shift").post("/briefs/new/", {"kind": "weekly", "period": "第十周"})
    assert r.status_code == 400 and "无法识别的期间" in r.content.decode()
    # a street's 督导员 cannot read the district's drafts
    b = Brief.objects.create(kind="weekly", scope_key="110101", scope_name="东城区", period="2025-W10",
                             first_day=dt.date(2025, 3, 3), last_day=dt.date(2025, 3, 9), title="x",
                             status=Status.DRAFT, created_at=dt.datetime(2025, 3, 10, tzinfo=dt.UTC))
    assert client_for("supervisor").get(f"/briefs/{b.pk}/").status_code == 404


def test_the_analysis_report_and_the_mining_page(month, users, client_for, django_capture_on_commit_callbacks):  # noqa: F811
    from gridgov.briefs import services

    with django_capture_on_commit_callbacks(execute=True):
        b = services.draft(users["shift"], "analysis", "2025-03", "110101",
                           now=dt.datetime(2025, 4, 2, tzinfo=dt.UTC))
    b.refresh_from_db()
    assert b.status == Status.DRAFT, b.error
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(b.docx)).paragraphs)
    assert "问题高发区域（热点）" in text and "屡禁不止问题" in text and "趋势预测" in text
    assert "共上报问题6件" in text
    leader = client_for("leader")
    with django_capture_on_commit_callbacks(execute=True):
        r = leader.post("/mining/?scope=110101&first=2025-03-01&last=2025-03-31")
    assert r.status_code == 302
    run = Run.objects.get(scope_key="110101", first_day=dt.date(2025, 3, 1))
    assert run.status == "done" and run.result["cases"] == 6
    page = leader.get("/mining/?scope=110101&first=2025-03-01&last=2025-03-31").content.decode()
    assert "共 6 件上报问题" in page and "什么是热点" in page and "回测平均误差" in page
