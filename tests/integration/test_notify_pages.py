"""消息 pages: the inbox of every post (residents too), the header's unread count, mark read, jump to the object,
and one's message settings."""

import json

import pytest

from gridgov.notify import services
from gridgov.notify.models import Notification, Preference


@pytest.fixture(autouse=True)
def empty_inboxes(db):
    Notification.objects.all().delete()  # the demo's messages: each test writes its own (rolled back)


@pytest.mark.django_db
def test_header_shows_the_unread_count_on_every_page(users, client_for):
    services.notify([users["gridworker"]], "case.dispatch", "案件 A：派遣", "b", "case", "A")
    services.notify([users["gridworker"]], "task.assigned", "新任务", "b", "task", "3")
    html = client_for("gridworker").get("/cases/field/").content.decode()
    assert 'class="inbox-badge" href="/notify/"' in html and 'aria-label="2 条未读">2</span>' in html
    html = client_for("leader").get("/dashboard/").content.decode()
    assert 'class="inbox-badge"' in html and "条未读" not in html


@pytest.mark.django_db
def test_inbox_lists_unread_by_default_filters_by_kind_and_marks_read(users, client_for):
    worker = users["gridworker"]
    case_msg = services.notify([worker], "case.dispatch", "案件 110101-20990101-0001：派遣", "垃圾满溢", "case",
                               "110101-20990101-0001")[0]
    task_msg = services.notify([worker], "task.assigned", "新任务：清理小广告", "本周内", "task", "12")[0]
    services.notify([users["gridleader"]], "case.dispatch", "别人的消息", "b")
    c = client_for("gridworker")
    html = c.get("/notify/").content.decode()
    assert "案件 110101-20990101-0001：派遣" in html and "新任务：清理小广告" in html and "别人的消息" not in html
    html = c.get("/notify/?group=task").content.decode()
    assert "新任务：清理小广告" in html and "垃圾满溢" not in html
    r = c.post(f"/notify/{case_msg.pk}/open/")
    assert r.status_code == 302 and r["Location"] == "/cases/110101-20990101-0001/"
    assert Notification.objects.get(pk=case_msg.pk).read_at is not None
    html = c.get("/notify/").content.decode()
    assert "垃圾满溢" not in html and "新任务：清理小广告" in html
    assert "垃圾满溢" in c.get("/notify/?show=all").content.decode()
    r = c.post(f"/notify/{task_msg.pk}/open/")
    assert r["Location"] == "/tasks/tasks/12/"


@pytest.mark.django_db
def test_mark_all_read_on_the_page_and_in_the_api(users, client_for):
    worker = users["gridworker"]
    for i in range(3):
        services.notify([worker], "case.dispatch", f"t{i}", "b")
    other = services.notify([users["gridleader"]], "case.dispatch", "x", "b")[0]
    c = client_for("gridworker")
    assert c.post("/notify/read-all/").status_code == 302
    assert services.unread_count(worker) == 0 and Notification.objects.get(pk=other.pk).read_at is None
    services.notify([worker], "case.dispatch", "again", "b")
    r = c.post("/api/v1/notifications/read", json.dumps({"all": True}), content_type="application/json")
    assert r.status_code == 200 and r.json() == {"updated": 1, "unread": 0}
    assert client_for(None).post("/notify/read-all/").status_code == 302  # to the sign-in page
    assert services.unread_count(users["gridleader"]) == 1


@pytest.mark.django_db
def test_a_resident_has_an_inbox_and_goes_to_the_public_case_page(users, client_for):
    msg = services.notify([users["resident"]], "case.close", "您反映的问题已办结", "谢谢", "case",
                          "110101-20990101-0002")[0]
    c = client_for("resident")
    assert "您反映的问题已办结" in c.get("/notify/").content.decode()
    assert c.post(f"/notify/{msg.pk}/open/")["Location"] == "/r/case/110101-20990101-0002/"
    assert c.post(f"/notify/{msg.pk + 10**6}/open/")["Location"] == "/notify/"  # not one's own: nothing opened


@pytest.mark.django_db
def test_settings_page_saves_masked_phone_channels_and_quiet_hours(users, client_for):
    Preference.objects.filter(user=users["handler"]).delete()
    c = client_for("handler")
    assert "消息接收设置" in c.get("/notify/settings/").content.decode()
    r = c.post("/notify/settings/", {"phone": "139 1234 5678", "wecom_userid": "zhang.handler",
                                     "ch-case-sms": "1", "ch-case-wecom": "1", "ch-task-wecom": "1",
                                     "quiet_start": "22:00", "quiet_end": "07:00"})
    assert r.status_code == 302
    p = Preference.objects.get(user=users["handler"])
    assert (p.phone_masked, p.wecom_userid, str(p.quiet_start), str(p.quiet_end)) == (
        "139****5678", "zhang.handler", "22:00:00", "07:00:00")
    assert p.channels["case"] == ["sms", "wecom"] and p.channels["task"] == ["wecom"] and p.channels["duty"] == []
    html = c.get("/notify/settings/").content.decode()
    assert "139****5678" in html and "13912345678" not in html
    # the masked number sent back unchanged keeps the phone as it was
    c.post("/notify/settings/", {"phone": "139****5678", "wecom_userid": "zhang.handler"})
    assert Preference.objects.get(user=users["handler"]).phone_masked == "139****5678"
    r = c.post("/notify/settings/", {"phone": "12345", "wecom_userid": ""})
    assert r.status_code == 200 and "手机号格式错误" in r.content.decode()
    assert Preference.objects.get(user=users["handler"]).wecom_userid == "zhang.handler"
