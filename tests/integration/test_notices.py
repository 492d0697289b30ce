"""通知公告 (issue #17 item 2): a staff notice with read receipts over the pages (who has read, who has not, with
names and counts typed by hand), a warning reaching a real SMS gateway on 127.0.0.1 with its text (an urgent one
ignoring quiet hours), the daily digest sent once per subscriber and day, the public page (expired and withdrawn
ones not shown), bad input with its Chinese messages, and the pages per post."""

import datetime as dt
import json
import re
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.audit.models import AuditRecord
from gridgov.notices import services
from gridgov.notices.models import DigestSent, Notice, Receipt, Subscription
from gridgov.notify.models import Delivery, Notification, Preference
from gridgov.notify.testgateway import Gateway

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
COMMUNITY, STREET, OTHER_STREET = "110101001001", "110101001", "110101002"
PHONE = "13912345678"


def _inspectors():
    """Three inspectors of 多福巷社区 (the demo has none bound to a community: they are the whole audience)."""
    return [User.objects.create_user(username=u, role="inspector", node_key=COMMUNITY, display_name=name)
            for u, name in (("nt-a", "赵一"), ("nt-b", "钱二"), ("nt-c", "孙三"))]


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _items(html: str, ul_id: str) -> list[str]:
    m = re.search(rf'<ul class="tk-list" id="{ul_id}">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", m.group(1)) if m else []


def _span(html: str, span_id: str) -> str:
    return re.search(rf'<span id="{span_id}">(\d+)</span>', html).group(1)


def test_a_staff_notice_published_on_the_page_read_by_two_shows_the_author_exactly_who_has_not(users, client_for):
    a, b, c = _inspectors()
    author = client_for("gridleader")
    r = author.post("/notices/new/", {"kind": "staff", "scope": COMMUNITY, "title": "关于开展冬季消防检查的通知",
                                      "body": "请各监督员本周内完成辖区消防通道检查。", "posts": ["inspector"]})
    assert r.status_code == 302
    pk = int(re.fullmatch(r"/notices/(\d+)/", r["Location"]).group(1))
    # each addressee has it in the inbox (notify) and on /notices/
    assert sorted(Notification.objects.filter(object_type="notices", object_id=str(pk), kind="notices.staff")
                  .values_list("user__username", flat=True)) == ["nt-a", "nt-b", "nt-c"]
    assert "关于开展冬季消防检查的通知" in _as(c).get("/notices/").content.decode()

    for reader in (a, b):
        page = _as(reader).get(f"/notices/{pk}/")
        assert page.status_code == 200 and "请各监督员本周内完成辖区消防通道检查。" in page.content.decode()
    _as(a).get(f"/notices/{pk}/")  # a second opening records nothing more

    html = author.get(f"/notices/{pk}/").content.decode()
    assert _span(html, "read-count") == "2" and _span(html, "unread-count") == "1"
    assert _items(html, "unread") == ["孙三（监督员）"]
    assert "赵一" in html and "钱二" in html
    assert set(Receipt.objects.filter(notice_id=pk, read_at__isnull=False).values_list("user__username", flat=True)) \
        == {"nt-a", "nt-b"}
    # opening the notice marked its inbox message read; the unread one's stays unread
    assert {n.user.username: n.read_at is None for n in Notification.objects.filter(
        object_type="notices", object_id=str(pk))} == {"nt-a": False, "nt-b": False, "nt-c": True}
    assert AuditRecord.objects.filter(object_type="notice", object_id=str(pk), action="read").count() == 2

    # the author reminds the unread: one message, to 孙三 only
    r = author.post(f"/notices/{pk}/remind/")
    assert r.status_code == 302 and r["Location"] == f"/notices/{pk}/?reminded=1"
    assert list(Notification.objects.filter(kind="notices.remind", object_id=str(pk))
                .values_list("user__username", flat=True)) == ["nt-c"]
    # an addressee sees the notice but not its receipts
    assert 'id="unread"' not in _as(a).get(f"/notices/{pk}/").content.decode()


def test_receipts_over_the_api_name_the_unread_with_counts(users, client_for):
    a, b, c = _inspectors()
    api = client_for("supervisor")
    r = api.post("/api/v1/notices", {"kind": "staff", "scope": COMMUNITY, "title": "周例会通知", "body": "周五 9:00 开会。",
                                     "posts": ["inspector"]}, content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    # the street's 督导员 addresses 多福巷社区's inspectors: the three made here
    assert _as(b).get(f"/api/v1/notices/{pk}").status_code == 200
    body = api.get(f"/api/v1/notices/{pk}/receipts").json()
    assert (body["total"], body["read_count"], body["unread_count"]) == (3, 1, 2)
    assert [x["username"] for x in body["read"]] == ["nt-b"]
    assert [(x["username"], x["name"], x["post"]) for x in body["unread"]] == [
        ("nt-a", "赵一", "监督员"), ("nt-c", "孙三", "监督员")]


@pytest.fixture
def gateway(settings, db):
    Preference.objects.all().delete()
    cache.delete("notify:wecom-token")
    with Gateway() as gw:
        settings.GRIDGOV = {**settings.GRIDGOV, "NOTIFY": gw.settings()}
        yield gw


def test_a_warning_reaches_the_subscribed_resident_by_sms_and_an_urgent_one_ignores_quiet_hours(
        gateway, users, client_for, django_capture_on_commit_callbacks):
    from gridgov.notify import services as notify

    resident = users["resident"]
    Subscription.objects.filter(user=resident).delete()  # the demo's subscriptions: this test makes its own
    services.subscribe(resident, COMMUNITY)
    local = timezone.localtime()
    notify.set_preference(resident, resident, phone=PHONE, quiet=(
        (local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        (local + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)))
    api = client_for("gridleader")
    ends = (timezone.now() + dt.timedelta(days=1)).isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/notices", {"kind": "warning", "scope": COMMUNITY, "level": "yellow", "topic": "停水停电",
                                         "title": "明日停水", "body": "9:00—15:00 停水。", "ends_at": ends},
                     content_type="application/json")
    assert r.status_code == 201, r.content
    yellow = r.json()["id"]
    assert gateway.on("/sms") == []  # quiet hours: the yellow warning waits
    assert list(Delivery.objects.filter(notification__object_id=str(yellow), channel="sms")
                .values_list("status", flat=True)) == ["held"]

    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/notices", {"kind": "warning", "scope": STREET, "level": "orange", "topic": "雨雪灾害",
                                         "title": "今夜有大到暴雪", "body": "请减少外出。", "ends_at": ends},
                     content_type="application/json")
    assert r.status_code == 403  # a community's 网格长 publishes for the community, not for the street
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for("supervisor").post(
            "/api/v1/notices", {"kind": "warning", "scope": STREET, "level": "orange", "topic": "雨雪灾害",
                                "title": "今夜有大到暴雪", "body": "请减少外出。", "ends_at": ends},
            content_type="application/json")
    assert r.status_code == 201, r.content
    orange = r.json()["id"]
    (sms,) = gateway.on("/sms")  # the street's warning reaches its communities' subscribers, quiet hours or not
    assert sms.body["PhoneNumbers"] == PHONE
    assert json.loads(sms.body["TemplateParam"]) == {"title": "橙色预警 雨雪灾害：今夜有大到暴雪", "number": str(orange)}
    assert list(Delivery.objects.filter(notification__object_id=str(orange), channel="sms")
                .values_list("status", flat=True)) == ["sent"]


def test_the_daily_digest_is_sent_once_per_subscriber_and_day(users):
    resident = users["resident"]
    Subscription.objects.filter(user=resident).delete()
    day = dt.date(2020, 1, 15)  # before the demo's cases: the day's figures are the ones made here
    services.subscribe(resident, COMMUNITY, now=dt.datetime(2020, 1, 1, tzinfo=SHANGHAI))
    services.subscribe(resident, "110101001002", now=dt.datetime(2020, 1, 1, tzinfo=SHANGHAI))
    at = dt.datetime(2020, 1, 15, 10, tzinfo=SHANGHAI)
    services.publish(users["gridleader"], services.Draft(kind="community", title="文化家园书法活动",
                                                         body="周六上午。", scope=COMMUNITY), now=at)
    services.publish(users["supervisor"], services.Draft(
        kind="warning", title="明日降雪", body="注意防滑。", scope=STREET, level="blue", topic="雨雪灾害",
        ends_at=at + dt.timedelta(days=1)), now=at + dt.timedelta(hours=1))

    call_command("notices", "digest", "--date", "2020-01-15")
    call_command("notices", "digest", "--date", "2020-01-15")  # run twice: nothing more
    services.digest(day)

    (msg,) = Notification.objects.filter(user=resident, kind="notices.digest", object_id="2020-01-15")
    assert msg.title == "社区每日摘要（2020-01-15）"
    assert msg.body == (
        "【多福巷社区居委会】新上报 0 件，结案 0 件，超期未办结 0 件。\n"
        "通知：文化家园书法活动\n"
        "通知：蓝色预警 雨雪灾害：明日降雪\n"
        "【银闸社区居委会】新上报 0 件，结案 0 件，超期未办结 0 件。\n"
        "通知：蓝色预警 雨雪灾害：明日降雪")
    assert DigestSent.objects.filter(user=resident, day=day).count() == 1
    # unsubscribed: the next day's digest is not sent
    services.unsubscribe(resident, COMMUNITY)
    services.unsubscribe(resident, "110101001002")
    assert services.digest(dt.date(2020, 1, 16)) == 0
    assert not DigestSent.objects.filter(user=resident, day=dt.date(2020, 1, 16)).exists()


def test_the_public_page_shows_current_warnings_on_top_and_hides_expired_and_withdrawn(users):
    gl, now = users["gridleader"], timezone.now()

    def pub(kind, title, **kw):
        return services.publish(gl, services.Draft(kind=kind, title=title, body="详见公告栏。", scope=COMMUNITY,
                                                   **kw), now=kw.get("starts_at") or now)

    pub("community", "测试：楼道清理通知")
    pub("warning", "测试：黄色雨雪", level="yellow", topic="雨雪灾害", ends_at=now + dt.timedelta(hours=5))
    pub("warning", "测试：红色大风", level="red", topic="大风", ends_at=now + dt.timedelta(hours=5))
    pub("warning", "测试：已过期的预警", level="red", topic="大风", starts_at=now - dt.timedelta(days=3),
        ends_at=now - dt.timedelta(days=1))
    gone = pub("community", "测试：撤回的通知")
    services.withdraw(gl, gone.pk, "内容有误")

    html = Client().get(f"/notices/c/{COMMUNITY}/").content.decode()
    shown = re.findall(r"测试：[^<：]+", html)
    assert shown == ["测试：红色大风", "测试：黄色雨雪", "测试：楼道清理通知"]
    assert Notice.objects.get(pk=gone.pk).withdrawn_at is not None  # kept, marked
    assert AuditRecord.objects.filter(object_type="notice", object_id=str(gone.pk), action="withdraw").exists()
    r = Client().get("/notices/c/110101999999/")
    assert r.status_code == 404 and "没有这个社区" in r.content.decode()


@pytest.mark.parametrize("data,message,code", [
    ({"title": " "}, "请填写标题", "invalid_title"),
    ({"starts_at": "2026-12-05T10:00", "ends_at": "2026-12-05T09:00"}, "结束时间应晚于开始时间", "invalid_period"),
    ({"kind": "warning", "level": "", "ends_at": "2026-12-06T10:00"}, "请选择预警级别：蓝色、黄色、橙色或红色",
     "invalid_level"),
    ({"kind": "warning", "level": "red", "topic": "雨雪灾害"}, "预警须填写有效期的结束时间", "invalid_period"),
    ({"kind": "staff"}, "工作通知请至少选择一个接收岗位", "invalid_posts"),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_written(client_for, data, message, code):
    before = Notice.objects.count()
    form = {"kind": "community", "scope": COMMUNITY, "title": "标题", "body": "内容", **data}
    r = client_for("gridleader").post("/notices/new/", form)
    assert r.status_code == 400 and message in r.content.decode()
    body = {k: v for k, v in form.items() if v != ""}
    for k in ("starts_at", "ends_at"):
        if k in body:
            body[k] += ":00+08:00"
    r = client_for("gridleader").post("/api/v1/notices", body, content_type="application/json")
    assert r.status_code == 400 and r.json() == {"code": code, "message": message}
    assert Notice.objects.count() == before


# the pages per post: 302 = to the sign-in page (anonymous) or to 订阅 (the resident); 403 = refused
PAGES = ["/notices/", "/notices/new/", "/notices/subscribe/"]
# post:        /notices/  new  subscribe
PER_POST = {
    "anonymous": (302, 302, 302),
    "admin": (200, 200, 403),
    "leader": (200, 403, 403),
    "intake": (200, 403, 403),
    "shift": (200, 200, 403),
    "dispatcher": (200, 403, 403),
    "supervisor": (200, 200, 403),
    "inspector": (200, 403, 403),
    "gridleader": (200, 200, 403),
    "gridworker": (200, 403, 403),
    "handler": (200, 403, 403),
    "resident": (302, 403, 200),
    "clerk": (200, 200, 403),
}


@pytest.mark.parametrize("post", list(PER_POST))
def test_pages_per_post(post, client_for):
    c = client_for(None if post == "anonymous" else post)
    assert tuple(c.get(p).status_code for p in PAGES) == PER_POST[post]


def test_a_resident_subscribes_and_unsubscribes_on_the_page(users, client_for):
    resident = users["resident"]
    Subscription.objects.filter(user=resident).delete()
    c = client_for("resident")
    assert c.post("/notices/subscribe/", {"community": COMMUNITY}).status_code == 302
    r = c.post("/notices/subscribe/", {"community": COMMUNITY})
    assert r.status_code == 400 and "已订阅多福巷社区居委会" in r.content.decode()
    r = c.post("/notices/subscribe/", {"community": ""})
    assert r.status_code == 400 and "请选择要订阅的社区" in r.content.decode()
    assert list(Subscription.objects.filter(user=resident, active=True).values_list("community__code", flat=True)) \
        == [COMMUNITY]
    assert c.post("/notices/subscribe/", {"community": COMMUNITY, "action": "unsubscribe"}).status_code == 302
    assert not Subscription.objects.filter(user=resident, active=True).exists()
    assert list(AuditRecord.objects.filter(object_type="notice_subscription").order_by("id")
                .values_list("action", flat=True))[-2:] == ["subscribe", "unsubscribe"]


def test_a_resident_follows_the_warning_message_to_the_notice_but_never_to_a_staff_notice(users, client_for):
    resident = users["resident"]
    Subscription.objects.filter(user=resident).delete()
    services.subscribe(resident, COMMUNITY)
    now = timezone.now()
    w = services.publish(users["gridleader"], services.Draft(
        kind="warning", title="今晚大风", body="请收好阳台物品。", scope=COMMUNITY, level="yellow", topic="大风",
        ends_at=now + dt.timedelta(hours=6)))
    staff = services.publish(users["gridleader"], services.Draft(
        kind="staff", title="内部工作安排", body="仅工作人员。", scope=COMMUNITY, posts=["grid_worker"]))
    (msg,) = Notification.objects.filter(user=resident, kind="notices.warning", object_id=str(w.pk))
    assert msg.title == "黄色预警 大风：今晚大风"
    c = client_for("resident")
    r = c.post(f"/notify/{msg.pk}/open/")  # the inbox's link
    assert r.status_code == 302 and r["Location"] == f"/notices/{w.pk}/"
    r = c.get(r["Location"])
    assert r.status_code == 200 and "请收好阳台物品。" in r.content.decode()
    assert c.get(f"/notices/{staff.pk}/").status_code == 404


@pytest.mark.parametrize("hour,sent", [(6, 0), (8, 1)])
def test_the_background_pass_sends_yesterdays_digest_from_seven_in_the_morning(users, hour, sent):
    resident = users["resident"]
    Subscription.objects.filter(user=resident).delete()
    services.subscribe(resident, COMMUNITY, now=dt.datetime(2021, 3, 1, tzinfo=SHANGHAI))
    at = dt.datetime(2021, 3, 10, hour, tzinfo=SHANGHAI)
    assert services.digest_due(at) == sent
    assert list(DigestSent.objects.filter(user=resident, day__year=2021).values_list("day", flat=True)) == (
        [dt.date(2021, 3, 9)] if sent else [])
    assert services.digest_due(at) == 0  # the next hourly pass: nothing more


def test_withdrawing_twice_and_reminding_a_withdrawn_notice_are_refused(users, client_for):
    n = services.publish(users["gridleader"], services.Draft(
        kind="staff", title="已撤回的通知", body="内容。", scope=COMMUNITY, posts=["grid_worker"]))
    api = client_for("gridleader")
    assert api.post(f"/api/v1/notices/{n.pk}/withdraw", {"reason": "重复"}, content_type="application/json"
                    ).status_code == 200
    r = api.post(f"/api/v1/notices/{n.pk}/withdraw", {}, content_type="application/json")
    assert r.status_code == 409 and r.json() == {"code": "already_withdrawn", "message": "该通知已撤回"}
    r = api.post(f"/api/v1/notices/{n.pk}/remind")
    assert r.status_code == 409 and r.json()["code"] == "already_withdrawn"
    assert not Notification.objects.filter(kind="notices.remind", object_id=str(n.pk)).exists()
