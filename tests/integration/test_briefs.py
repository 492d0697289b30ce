"""简报与通报 (issue #16 item 3): the monthly brief of the hand-built March 2025 of test_kpi (two streets, six cases)
has the hand-counted figures in its Word table and its PDF text; 文号 sequence; edit then issue; an issued brief
cannot be edited; readers are told; a subscription fires once per period.

March 2025 (see test_kpi's docstring): 东华门街道 reported 3, registered 3, closed 3 (结案率 3/3, 按期 1/3, 返工 0/3);
景山街道 reported 3, registered 2, closed 1 (结案率 1/2, 按期 1/1, 返工 1/1); together 6, 5, 4 — 结案率 4/5 = 80.0%,
按期结案率 2/4 = 50.0%, 返工率 1/4 = 25.0%. February 2025 had nothing (环比: 上期无数据).
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest

from gridgov.accounts.models import User
from gridgov.audit.models import AuditRecord
from gridgov.briefs import services
from gridgov.briefs.logic import layout
from gridgov.briefs.models import Brief, Delivery, Status
from gridgov.errors import Conflict, DomainError
from gridgov.notify.models import Notification
from tests.integration.test_kpi import month  # noqa: F401  the hand-built month (a fixture)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2025, 4, 2, 10, 0, tzinfo=SH)


def _cells(content: bytes) -> list[list[str]]:
    d = docx.Document(io.BytesIO(content))
    return [[c.text for c in r.cells] for r in d.tables[0].rows]


def _monthly(users, **kw) -> Brief:
    b = services.draft(users["shift"], "monthly", "2025-03", "110101", now=NOW, **kw)
    return Brief.objects.get(pk=b.pk)  # generated inline (the suite runs jobs inline after the commit)


def test_the_monthly_brief_has_the_hand_counted_figures(month, users, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        b = services.draft(users["shift"], "monthly", "2025-03", "110101", now=NOW)
    b.refresh_from_db()
    assert b.status == Status.DRAFT and b.first_day == dt.date(2025, 3, 1) and b.last_day == dt.date(2025, 3, 31)
    rows = {r[0]: r[1:] for r in _cells(b.docx)}
    assert rows["街道"] == ["上报", "立案", "结案", "结案率", "按期结案率", "返工率"]
    assert rows["东华门街道"] == ["3", "3", "3", "100.0%", "33.3%", "0.0%"]
    assert rows["景山街道"] == ["3", "2", "1", "50.0%", "100.0%", "100.0%"]
    assert rows["合计"] == ["6", "5", "4", "80.0%", "50.0%", "25.0%"]
    assert b.narrative["overview"].startswith("2025年3月，东城区共上报问题6件（环比上期无数据），立案5件，结案4件；"
                                              "结案率80.0%，按期结案率50.0%，返工率25.0%")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(b.pdf)).pages)
    assert "网格化管理工作简报（草稿）" in text and "一、总体情况" in text
    assert "东华门街道" in text and "80.0%" in text and "上报问题6件" in text
    d = docx.Document(io.BytesIO(b.docx))
    assert d.inline_shapes, "the chart is in the Word file"
    assert any('w:eastAsia="仿宋_GB2312"' in r._element.xml for p in d.paragraphs for r in p.runs)


def test_edit_then_issue_numbers_sends_and_freezes(month, users, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        b = services.draft(users["clerk"], "monthly", "2025-03", "110101", now=NOW)
    services.edit(users["clerk"], b.pk, {"next": "四月重点整治暴露垃圾。"})
    with pytest.raises(DomainError):
        services.edit(users["clerk"], b.pk, {"units_table": "x"})  # not an editable paragraph
    with pytest.raises(Exception) as e:
        services.issue(users["clerk"], b.pk, now=NOW)  # the 信息员 drafts, does not sign
    assert type(e.value).__name__ == "NoRight"
    services.subscribe(users["leader"], "monthly", "110101")
    before = AuditRecord.objects.count()
    services.issue(users["shift"], b.pk, now=NOW)
    b.refresh_from_db()
    assert b.status == Status.ISSUED and b.number == "东城网格〔2025〕1号" and b.seq == 1
    assert list(AuditRecord.objects.filter(id__gt=before).values_list("object_type", "action")) == [("brief", "issue")]
    d = docx.Document(io.BytesIO(b.docx))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "东城网格〔2025〕1号" in text and "二〇二五年四月二日" in text and "四月重点整治暴露垃圾。" in text
    assert "（草稿）" not in text
    msgs = Notification.objects.filter(kind="briefs.issued", object_id=str(b.pk))
    assert list(msgs.values_list("user__username", flat=True)) == ["leader"]
    assert f"/briefs/{b.pk}/docx" in msgs[0].body
    with pytest.raises(Conflict):
        services.edit(users["shift"], b.pk, {"next": "改"})
    with pytest.raises(Conflict):
        services.issue(users["shift"], b.pk, now=NOW)
    # the next 工作简报 of the district is No. 2 (周报 and 月报 are one series); the 通报 counts on its own
    with django_capture_on_commit_callbacks(execute=True):
        b2 = services.draft(users["shift"], "weekly", "2025-W09", "110101", now=NOW)
        n1 = services.draft(users["shift"], "notice", "2025-03", "110101", now=NOW)
    assert services.issue(users["shift"], b2.pk, now=NOW).number == "东城网格〔2025〕2号"
    assert services.issue(users["shift"], n1.pk, now=NOW).number == "东城网格通〔2025〕1号"


def test_a_street_drafts_only_its_own(users):
    from gridgov.accounts.scope import OutOfScope

    with pytest.raises(OutOfScope):
        services.draft(users["supervisor"], "weekly", "2025-03-03", "110101002", now=NOW)
    with pytest.raises(DomainError) as e:
        services.draft(users["supervisor"], "weekly", "2026-13", now=NOW)
    assert e.value.code == "invalid_period"


def test_a_subscription_fires_once_per_period(month, users, django_capture_on_commit_callbacks):  # noqa: F811
    s = services.subscribe(users["leader"], "monthly", "110101")
    first = dt.datetime(2025, 4, 1, 9, 0, tzinfo=SH)  # the 1st: March's brief is due
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_subscriptions(first) == 0  # no issued brief yet: the draft is made, the drafters told
        assert services.run_subscriptions(first) == 0
    drafts = Brief.objects.filter(kind="monthly", scope_key="110101", period="2025-03")
    assert drafts.count() == 1 and drafts[0].status == Status.DRAFT
    told = set(Notification.objects.filter(kind="briefs.due").values_list("user__username", flat=True))
    assert told == {"shift", "clerk"}
    services.issue(users["shift"], drafts[0].pk, now=first)
    assert Delivery.objects.filter(subscription=s, period="2025-03").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_subscriptions(first + dt.timedelta(hours=1)) == 0  # already delivered at issue
    issued = Notification.objects.filter(kind="briefs.issued", object_id=str(drafts[0].pk))
    assert issued.filter(user=users["leader"]).count() == 1
    # a second subscriber on the same day gets the issued brief once
    other = User.objects.create(username="brief-leader2", role="leader", node_key="110101")
    services.subscribe(other, "monthly", "110101")
    assert services.run_subscriptions(first + dt.timedelta(hours=2)) == 1
    assert services.run_subscriptions(first + dt.timedelta(hours=3)) == 0
    assert issued.filter(user=other).count() == 1
    assert services.run_subscriptions(dt.datetime(2025, 4, 2, 9, 0, tzinfo=SH)) == 0  # not a subscription day


def test_numbers_have_no_gap_and_no_duplicate(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ids = [services.draft(users["shift"], "weekly", f"2025-W{w:02d}", "110101", now=NOW).pk for w in (1, 2, 3)]
    numbers = [services.issue(users["shift"], pk, now=NOW).number for pk in ids]
    assert numbers == ["东城网格〔2025〕1号", "东城网格〔2025〕2号", "东城网格〔2025〕3号"]


def test_layout_words():
    assert layout.chinese_date(dt.date(2026, 12, 3)) == "二〇二六年十二月三日"
    assert layout.chinese_date(dt.date(2026, 10, 20)) == "二〇二六年十月二十日"
    assert layout.chinese_date(dt.date(2025, 1, 31)) == "二〇二五年一月三十一日"
    assert layout.section_numeral(11) == "十一、"
    assert layout.parse("weekly", "2026-11-25").label == "2026-W48"
    assert layout.previous("weekly", dt.date(2026, 11, 30)).label == "2026-W48"
    assert layout.previous("monthly", dt.date(2026, 12, 1)).label == "2026-11"
    assert layout.previous("duty", dt.date(2026, 12, 1)).label == "2026-11-30"
