"""Messages reach people outside the app: SMS gateway and 企业微信 against a real HTTP server on 127.0.0.1
(gridgov/notify/testgateway.py), recorded per (message, channel), retried with back-off, never sent twice."""

import datetime as dt
import json
import logging
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from gridgov.errors import DomainError
from gridgov.notify import services
from gridgov.notify.models import Delivery, Notification, Preference
from gridgov.notify.testgateway import Gateway

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13912345678"


@pytest.fixture
def gateway(settings, db):
    Preference.objects.all().delete()  # the demo's examples: each test says who can be reached (rolled back)
    cache.delete("notify:wecom-token")
    with Gateway() as gw:
        settings.GRIDGOV = {**settings.GRIDGOV, "NOTIFY": gw.settings()}
        yield gw
    cache.delete("notify:wecom-token")


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run what would run after the commit (the inbox write and the delivery job, inline in the suite)."""
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return run


def reach(user, phone=PHONE, wecom="zhang.handler", **kw):
    return services.set_preference(user, user, phone=phone, wecom_userid=wecom, **kw)


def sms_params(r) -> dict:
    return json.loads(r.body["TemplateParam"])


def _dispatched_case(client_for, point):
    lon, lat = point
    c = client_for("gridworker")
    r = c.post("/api/v1/cases", {"source": "grid_worker", "lon": lon, "lat": lat, "description": "东华门大街 垃圾满溢"},
               content_type="application/json")
    assert r.status_code == 201, r.content
    number = r.json()["case"]["number"]
    for who, action, data in (("intake", "register", {"matter": "06010"}), ("dispatcher", "dispatch", {"department": "110101-HW"})):
        r = client_for(who).post(f"/api/v1/cases/{number}/actions/{action}", data, content_type="application/json")
        assert r.status_code == 200, r.content
    return number


@pytest.mark.django_db
def test_dispatch_reaches_the_handler_by_one_sms_and_one_wecom_and_the_deadline_warning_once(
        gateway, users, client_for, point, run_jobs):
    from gridgov.cases.models import Case
    from gridgov.cases.services import scan

    reach(users["handler"])
    number = run_jobs(_dispatched_case, client_for, point)
    (sms,) = gateway.on("/sms")
    assert sms.body["PhoneNumbers"] == PHONE and sms.body["SignName"] == "东城网格"
    assert sms.body["TemplateCode"] == "SMS_0001" and sms.body["AccessKeyId"] == "test-key"
    assert sms_params(sms) == {"title": f"案件 {number}：派遣", "number": number}
    (wx,) = gateway.on("/cgi-bin/message/send")
    assert wx.query == {"access_token": "TEST-TOKEN"}
    assert wx.body["touser"] == "zhang.handler" and wx.body["agentid"] == 1000002 and wx.body["msgtype"] == "text"
    assert wx.body["text"]["content"].startswith(f"案件 {number}：派遣\n东华门大街 垃圾满溢")
    assert len(gateway.on("/cgi-bin/gettoken")) == 1
    assert set(Delivery.objects.filter(notification__object_id=number).values_list("channel", "status")) == {
        ("sms", "sent"), ("wecom", "sent")}

    case = Case.objects.get(number=number)
    at_yellow = case.stage_yellow_at + dt.timedelta(seconds=1)
    run_jobs(scan, now=at_yellow)
    run_jobs(scan, now=at_yellow)  # a repeated scan: nothing more
    # (the scan at a later hour also warns the demo world's older cases: only this case's messages are looked at)
    sms_titles = [sms_params(r)["title"] for r in gateway.on("/sms") if sms_params(r)["number"] == number]
    assert sms_titles == [f"案件 {number}：派遣", f"案件 {number} 即将超期（黄灯）"]
    wx_titles = [r.body["text"]["content"].split("\n")[0] for r in gateway.on("/cgi-bin/message/send")]
    assert [t for t in wx_titles if number in t] == [f"案件 {number}：派遣", f"案件 {number} 即将超期（黄灯）"]
    assert len(gateway.on("/cgi-bin/gettoken")) == 1  # the token is kept until it expires
    sent = len(gateway.received)
    run_jobs(services.sweep, now=timezone.now() + dt.timedelta(hours=2))
    assert len(gateway.received) == sent  # every delivery went: the sweep sends nothing again


@pytest.mark.django_db
def test_a_refusing_gateway_is_recorded_failed_and_retried_after_the_back_off(gateway, users, run_jobs):
    reach(users["handler"], wecom="")
    gateway.mode["/sms"] = "refuse"
    before = timezone.now()
    (n,) = run_jobs(services.notify, [users["handler"]], "case.dispatch", "案件 X：派遣", "请处置", "case", "X")
    d = Delivery.objects.get(notification=n)
    assert (d.channel, d.status, d.attempts, d.key) == ("sms", "failed", 1, f"sms:{n.pk}")
    assert d.answer == "isv.BUSINESS_LIMIT_CONTROL：触发天级流控Permits:10"
    assert before + dt.timedelta(seconds=30) <= d.next_attempt <= timezone.now() + dt.timedelta(seconds=30)
    assert services.sweep() == {"sent": 0, "failed": 0, "skipped": 0}  # not yet due
    gateway.mode["/sms"] = "500"
    assert services.sweep(now=d.next_attempt) == {"sent": 0, "failed": 1, "skipped": 0}
    d.refresh_from_db()
    assert (d.status, d.attempts, d.answer) == ("failed", 2, "HTTP 500")
    gateway.mode["/sms"] = "ok"
    assert services.sweep(now=d.next_attempt) == {"sent": 1, "failed": 0, "skipped": 0}
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("sent", 3) and json.loads(d.answer)["Code"] == "OK"
    assert [r.body["OutId"] for r in gateway.on("/sms")] == [f"sms:{n.pk}"] * 3


@pytest.mark.django_db
def test_a_hanging_receiver_times_out_and_is_retried(gateway, users, settings, run_jobs):
    settings.GRIDGOV["NOTIFY"]["TIMEOUT_S"] = 0.3
    reach(users["handler"], phone="")
    gateway.mode["/cgi-bin/message/send"] = "hang"
    (n,) = run_jobs(services.notify, [users["handler"]], "task.assigned", "新任务", "请完成", "task", "7")
    d = Delivery.objects.get(notification=n)
    assert (d.channel, d.status, d.answer) == ("wecom", "failed", "超时（网关无应答）")
    gateway.mode["/cgi-bin/message/send"] = "ok"
    assert services.sweep(now=d.next_attempt)["sent"] == 1
    assert Delivery.objects.get(pk=d.pk).status == "sent"


@pytest.mark.django_db
def test_the_last_attempt_gives_up(gateway, users, settings, run_jobs):
    settings.GRIDGOV["NOTIFY"]["MAX_ATTEMPTS"] = 2
    reach(users["handler"], wecom="")
    gateway.mode["/sms"] = "refuse"
    (n,) = run_jobs(services.notify, [users["handler"]], "case.dispatch", "t", "b", "case", "Y")
    d = Delivery.objects.get(notification=n)
    services.sweep(now=d.next_attempt)
    d.refresh_from_db()
    assert (d.status, d.attempts, d.next_attempt) == ("failed", 2, None)
    assert services.sweep(now=timezone.now() + dt.timedelta(days=1))["failed"] == 0
    assert len(gateway.on("/sms")) == 2


@pytest.mark.django_db
def test_quiet_hours_hold_a_normal_message_but_not_an_urgent_one(gateway, users, run_jobs):
    local = timezone.now().astimezone(SHANGHAI)
    start, end = (local - dt.timedelta(hours=1)).time(), (local + dt.timedelta(hours=1)).time()
    reach(users["shift"], wecom="", quiet=(start.replace(microsecond=0), end.replace(second=0, microsecond=0)))
    (normal,) = run_jobs(services.notify, [users["shift"]], "case.escalate", "上报", "b", "case", "Q1")
    (urgent,) = run_jobs(services.notify, [users["shift"]], "case.urgent", "紧急案件 Q2", "b", "case", "Q2")
    held = Delivery.objects.get(notification=normal)
    assert held.status == "held" and held.next_attempt.astimezone(SHANGHAI).time() == end.replace(second=0,
                                                                                                     microsecond=0)
    assert Delivery.objects.get(notification=urgent).status == "sent"
    assert [sms_params(r)["number"] for r in gateway.on("/sms")] == ["Q2"]
    assert services.sweep()["sent"] == 0  # still quiet
    assert services.sweep(now=held.next_attempt)["sent"] == 1
    assert [sms_params(r)["number"] for r in gateway.on("/sms")] == ["Q2", "Q1"]


@pytest.mark.django_db
def test_preferences_choose_the_channels_per_kind(gateway, users, run_jobs):
    reach(users["handler"], channels_by_group={"case": ["wecom"], "task": ["sms", "wecom"], "oversight": []})
    run_jobs(services.notify, [users["handler"]], "case.dispatch", "案件", "b", "case", "P1")
    run_jobs(services.notify, [users["handler"]], "task.assigned", "任务", "b", "task", "P2")
    run_jobs(services.notify, [users["handler"]], "oversight.reply", "督办回复", "b", "oversight", "P3")
    run_jobs(services.notify, [users["handler"]], "meeting.minutes", "纪要", "b", "meeting", "P4")  # not listed: all
    assert [sms_params(r)["number"] for r in gateway.on("/sms")] == ["P2", "P4"]
    assert len(gateway.on("/cgi-bin/message/send")) == 3
    assert Notification.objects.filter(user=users["handler"], object_id="P3").count() == 1  # the inbox always


@pytest.mark.django_db
def test_never_sent_twice_when_the_job_and_the_sweep_run_again(gateway, users, run_jobs):
    reach(users["handler"], wecom="")
    gateway.mode["/sms"] = "500"
    (n,) = run_jobs(services.notify, [users["handler"]], "case.dispatch", "t", "b", "case", "T1")
    d = Delivery.objects.get(notification=n)
    gateway.mode["/sms"] = "ok"
    later = d.next_attempt + dt.timedelta(seconds=1)
    assert services.sweep(now=later)["sent"] == 1
    assert services.sweep(now=later) == {"sent": 0, "failed": 0, "skipped": 0}
    assert services.deliver_ids([d.pk], now=later) == {"sent": 0, "failed": 0, "skipped": 1}
    assert services.claim(d.pk, later) is False
    assert len(gateway.on("/sms")) == 2  # the 500 and the one that went


@pytest.mark.django_db
def test_a_delivery_claimed_by_a_worker_is_not_taken_by_another(gateway, users, settings):
    settings.GRIDGOV["NOTIFY"]["SMS_URL"] = ""
    settings.GRIDGOV["NOTIFY"]["WECOM_CORP_ID"] = ""
    (n,) = services.notify([users["handler"]], "case.dispatch", "t", "b", "case", "C1")
    d = Delivery.objects.create(notification=n, channel="sms", key=f"sms:{n.pk}", next_attempt=timezone.now())
    assert services.claim(d.pk) is True
    assert services.claim(d.pk) is False  # taken, and its lease has not run out
    assert services.sweep()["skipped"] == 0 and Delivery.objects.get(pk=d.pk).status == "sending"
    # the worker died mid-way: after the lease another one sends it (it had no phone now: recorded, retried)
    assert services.sweep(now=timezone.now() + dt.timedelta(minutes=5))["failed"] == 1
    assert Delivery.objects.get(pk=d.pk).answer == "渠道 sms 未配置"


@pytest.mark.django_db
def test_the_group_robot_gets_one_message_per_event(gateway, users, settings, run_jobs):
    settings.GRIDGOV["NOTIFY"] = gateway.settings(robot=True, SMS_URL="", WECOM_CORP_ID="")
    run_jobs(services.notify, [users["handler"], users["shift"], users["dispatcher"]], "case.urgent",
             "紧急案件 R1", "井盖缺失", "case", "R1")
    (robot,) = gateway.on("/cgi-bin/webhook/send")
    assert robot.query == {"key": "robot-key"}
    assert robot.body == {"msgtype": "markdown", "markdown": {"content": "**紧急案件 R1**\n井盖缺失"}}


@pytest.mark.django_db
def test_templates_set_the_sms_code_and_params_and_the_wecom_text(gateway, users, run_jobs):
    admin = users["admin"]
    services.save_template(admin, {"channel": "sms", "kind": "case.dispatch", "template_code": "SMS_DISPATCH",
                                   "params": {"no": "{number}", "what": "{body}"}})
    services.save_template(admin, {"channel": "wecom", "kind": "", "text": "【网格】{title}：{body}"})
    reach(users["handler"])
    run_jobs(services.notify, [users["handler"]], "case.dispatch", "案件 T：派遣", "垃圾满溢", "case", "T")
    (sms,) = gateway.on("/sms")
    assert sms.body["TemplateCode"] == "SMS_DISPATCH" and sms_params(sms) == {"no": "T", "what": "垃圾满溢"}
    (wx,) = gateway.on("/cgi-bin/message/send")
    assert wx.body["text"]["content"] == "【网格】案件 T：派遣：垃圾满溢"


@pytest.mark.django_db
def test_email_goes_through_django_mail(gateway, users, settings, run_jobs):
    settings.GRIDGOV["NOTIFY"] = gateway.settings(SMS_URL="", WECOM_CORP_ID="", EMAIL=True)
    handler = users["handler"]
    handler.email = "handler@example.invalid"
    handler.save(update_fields=["email"])
    mail.outbox = []
    (n,) = run_jobs(services.notify, [handler], "case.dispatch", "案件 E：派遣", "请处置", "case", "E")
    assert [(m.subject, m.to) for m in mail.outbox] == [("案件 E：派遣", ["handler@example.invalid"])]
    assert Delivery.objects.get(notification=n).to == "h***@example.invalid"


@pytest.mark.django_db
def test_phone_is_encrypted_masked_audited_by_name_and_never_logged(gateway, users, caplog, run_jobs):
    from gridgov.audit.models import AuditRecord

    caplog.set_level(logging.DEBUG)
    pref = reach(users["handler"], wecom="")
    assert PHONE.encode() not in bytes(pref.phone_cipher) and pref.phone_masked == "139****5678"
    rec = AuditRecord.objects.filter(object_type="notify_preference").order_by("-id").first()
    assert rec.action == "create" and PHONE not in json.dumps(rec.after, ensure_ascii=False)
    assert rec.after["fields"] == ["phone"]
    gateway.mode["/sms"] = "refuse"
    (n,) = run_jobs(services.notify, [users["handler"]], "case.dispatch", "t", "b", "case", "L")
    assert Delivery.objects.get(notification=n).to == "139****5678"
    assert PHONE not in caplog.text


@pytest.mark.django_db
def test_bad_preferences_are_refused_and_change_nothing(gateway, users):
    with pytest.raises(DomainError) as e:
        services.set_preference(users["handler"], users["handler"], phone="1234")
    assert e.value.code == "invalid_phone"
    with pytest.raises(DomainError) as e:
        services.set_preference(users["handler"], users["handler"], channels_by_group={"case": ["pigeon"]})
    assert e.value.code == "invalid_channels" and "pigeon" in e.value.message
    with pytest.raises(DomainError) as e:
        services.set_preference(users["handler"], users["handler"], quiet=(dt.time(22), None))
    assert e.value.code == "invalid_quiet_hours"
    assert not Preference.objects.filter(user=users["handler"]).exists()


@pytest.mark.django_db
def test_nothing_is_recorded_without_outside_channels(users, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "NOTIFY": {}}
    (n,) = services.notify([users["handler"]], "case.urgent", "t", "b")
    assert not Delivery.objects.filter(notification=n).exists()
