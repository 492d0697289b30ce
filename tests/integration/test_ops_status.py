"""运行状态 (/ops/ and GET /api/v1/ops/status, issue #12 remainder): only the administrator; what it shows is typed
here by hand from rows this test writes (queues and outboxes, periodic runs, this month's 系统故障 periods)."""

import datetime as dt

import pytest
from django.test import Client

from gridgov.ops.status import fault_days

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 10, 12, 0, tzinfo=TZ)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text + "+08:00")


# ------------------------------------------------------------------ who may look: the page and the API, every post
# post → (page status, API status); anonymous: the login page, 401
WHO = {
    None: (302, 401), "admin": (200, 200), "leader": (403, 403), "intake": (403, 403), "shift": (403, 403),
    "dispatcher": (403, 403), "supervisor": (403, 403), "inspector": (403, 403), "gridleader": (403, 403),
    "gridworker": (403, 403), "handler": (403, 403), "resident": (403, 403), "clerk": (403, 403),
}


@pytest.mark.parametrize("post", list(WHO))
def test_only_the_administrator_sees_the_running_state(post, users):
    c = Client()
    if post:
        c.force_login(users[post])
    page, api = WHO[post]
    r = c.get("/ops/")
    assert r.status_code == page
    if page == 302:
        assert "/login" in r["Location"] or "/accounts/login" in r["Location"]
    if page == 200:
        assert "运行状态" in r.content.decode()
    r = c.get("/api/v1/ops/status")
    assert r.status_code == api
    if api != 200:
        assert set(r.json()) >= {"code", "message"}


def test_the_navigation_lists_it_for_the_administrator_only(users):
    c = Client()
    c.force_login(users["admin"])
    assert 'href="/ops/"' in c.get("/notify/").content.decode()
    c.force_login(users["shift"])
    assert 'href="/ops/"' not in c.get("/notify/").content.decode()


# ------------------------------------------------------------------ fault days: (periods, window) → days, by hand
DAYS = [
    # one period over midnight touches two days
    ([("2026-12-03T23:00", "2026-12-04T01:30")], ["2026-12-03", "2026-12-04"]),
    # a period ending exactly at midnight does not touch the next day
    ([("2026-12-05T20:00", "2026-12-06T00:00")], ["2026-12-05"]),
    # clipped to the month: November's part is not counted
    ([("2026-11-30T22:00", "2026-12-01T02:00")], ["2026-12-01"]),
    # an open period runs to now (12-10 12:00)
    ([("2026-12-09T10:00", None)], ["2026-12-09", "2026-12-10"]),
    # two overlapping reports of one day count it once; a period wholly in November not at all
    ([("2026-12-02T08:00", "2026-12-02T09:00"), ("2026-12-02T08:30", "2026-12-02T10:00"),
      ("2026-11-20T08:00", "2026-11-21T08:00")], ["2026-12-02"]),
    ([], []),
]


@pytest.mark.parametrize("periods, days", DAYS)
def test_fault_days_are_the_beijing_days_a_period_touches(periods, days):
    spans = [(at(a), at(b) if b else None) for a, b in periods]
    got = fault_days(spans, at("2026-12-01T00:00"), NOW)
    assert [d.isoformat() for d in got] == days


# ------------------------------------------------------------------ what it shows
@pytest.fixture
def state(users, time_machine):
    """Known rows: 3 background jobs (1 failing), 8 outside deliveries, 3 12345 changes, 4 fault periods."""
    from gridgov.cases.models import Case
    from gridgov.geo.models import Jurisdiction, Level
    from gridgov.hotline.models import Delivery as HotlineDelivery
    from gridgov.hotline.models import Order, Receiver
    from gridgov.ledgers.models import Outage
    from gridgov.notify.models import Delivery, Notification
    from gridgov.ops import runs
    from gridgov.ops.models import OutboxJob, PeriodicRun

    time_machine.move_to(NOW, tick=False)
    OutboxJob.objects.all().delete()
    OutboxJob.objects.create(name="ops.probe", args=[1])
    OutboxJob.objects.create(name="ops.probe", args=[2])
    OutboxJob.objects.create(name="ops.probe", args=[3], attempts=2, last_error="ConnectionRefusedError")
    OutboxJob.objects.filter(args=[1]).update(created_at=at("2026-12-10T11:00"))

    Delivery.objects.all().delete()
    n = Notification.objects.create(user=users["handler"], kind="case.dispatch", title="派遣", body="")
    rows = [("pending", at("2026-12-10T09:00"), at("2026-12-10T09:00")), ("pending", NOW, NOW),
            ("held", NOW, at("2026-12-11T07:00")), ("sending", NOW, NOW),
            ("failed", at("2026-12-10T08:00"), at("2026-12-10T12:30")), ("failed", NOW, NOW),
            ("failed", at("2026-12-01T08:00"), None),  # given up: no next attempt
            ("sent", at("2026-11-01T08:00"), None), ("sent", NOW, None)]
    for i, (status, created, next_attempt) in enumerate(rows):
        Delivery.objects.create(notification=n, channel="sms", key=f"t:{i}", status=status, created=created,
                                next_attempt=next_attempt)

    HotlineDelivery.objects.all().delete()
    receiver = Receiver.objects.create(system="ops-test", name="测试 12345", url="http://127.0.0.1:1/hook",
                                       updated_at=NOW)
    order = Order.objects.create(receiver=receiver, order_id="GD-OPS-1", case=Case.objects.order_by("id").first(),
                                 received_at=NOW)
    for event, status, attempts, when in [("accept", "sent", 1, "2026-12-10T07:00"),
                                          ("register", "pending", 3, "2026-12-10T08:00"),
                                          ("dispatch", "pending", 0, "2026-12-10T09:00")]:
        HotlineDelivery.objects.create(order=order, case=order.case, event=event, payload={}, at=at(when),
                                       status=status, attempts=attempts, next_attempt_at=NOW)

    Outage.objects.all().delete()
    streets = list(Jurisdiction.objects.filter(level=Level.STREET).order_by("code")[:2])
    for street in streets:  # one system period, recorded for each street
        Outage.objects.create(scope_key=street.code, unit_name=street.name, kind="fault",
                              start=at("2026-12-03T23:00"), end=at("2026-12-04T01:30"), note="健康检查自动记录：数据库不可用")
    s = streets[0]
    Outage.objects.create(scope_key=s.code, unit_name=s.name, kind="fault", start=at("2026-11-30T22:00"),
                          end=at("2026-12-01T02:00"), note="机房断电")
    Outage.objects.create(scope_key=s.code, unit_name=s.name, kind="fault", start=at("2026-12-10T10:00"), note="专网中断")
    Outage.objects.create(scope_key=s.code, unit_name=s.name, kind="fault", start=at("2026-11-20T08:00"),
                          end=at("2026-11-21T08:00"), note="上月")
    Outage.objects.create(scope_key=s.code, unit_name=s.name, kind="upgrade", start=at("2026-12-05T08:00"),
                          end=at("2026-12-05T18:00"), note="升级改造（不是故障）")

    PeriodicRun.objects.all().delete()
    runs.timed("deadline-scan", lambda: None)
    runs.timed("deadline-scan", lambda: None)

    def broken():
        raise ValueError("坏了")

    with pytest.raises(ValueError):
        runs.timed("notify-sweep", broken)


def test_the_api_shows_queues_runs_workers_and_fault_days(state, client_for):
    r = client_for("admin").get("/api/v1/ops/status")
    assert r.status_code == 200
    body = r.json()
    assert body["health"]["status"] == "ok"
    assert {k: v["detail"] for k, v in body["health"]["checks"].items()} == {
        "database": "正常", "cache": "正常", "broker": "未配置", "storage": "正常"}
    queues = {q["key"]: (q["configured"], q["pending"], q["failing"], q["given_up"]) for q in body["queues"]}
    assert queues == {"background": (True, 3, 1, 0), "broker": (False, None, 0, 0), "notify": (True, 4, 2, 1),
                      "hotline": (True, 2, 1, 0)}
    oldest = {q["key"]: q["oldest"] for q in body["queues"]}
    assert dt.datetime.fromisoformat(oldest["background"]) == at("2026-12-10T11:00")
    assert dt.datetime.fromisoformat(oldest["notify"]) == at("2026-12-10T08:00")
    assert dt.datetime.fromisoformat(oldest["hotline"]) == at("2026-12-10T08:00")
    assert oldest["broker"] is None
    runs = {r["name"]: (r["runs"], r["failures"], r["ok"], r["error"]) for r in body["periodic"]}
    assert runs == {"deadline-scan": (2, 0, True, ""), "notify-sweep": (1, 1, False, "ValueError")}
    assert body["workers"] == {"configured": False, "names": [], "detail": "未配置"}
    out = body["outages"]
    assert out["month"] == "2026-12"
    # 12-01 (02:00 of November's period), 12-03 and 12-04 (over midnight), 12-10 (open since 10:00)
    assert out["fault_days"] == 4
    assert out["fault_hours"] == 6.5  # 2 + 2.5 + 2
    assert [(p["note"], p["end"] is None) for p in out["periods"]] == [
        ("机房断电", False), ("健康检查自动记录：数据库不可用", False), ("专网中断", True)]


def test_the_page_shows_the_same(state, client_for):
    html = client_for("admin").get("/ops/").content.decode()
    for text in ["数据库", "未配置", "时限扫描（黄灯预警、红灯超期）", "失败（ValueError）", "专网中断", "尚未恢复",
                 '<span class="fd-count" id="fault-days">4 天</span>']:
        assert text in html
    assert '<tr data-queue="notify"><td>短信、企业微信、邮件投递</td>' in html
    assert '<td class="pending">4</td><td class="failing">2</td><td class="given-up">1</td>' in html
    assert "上月" not in html and "升级改造（不是故障）" not in html


def test_a_failing_check_shows_on_the_page(client_for, settings):
    # a real failure: the cache on a Redis port where nothing listens (the message names the kind, not the host)
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                      "LOCATION": "redis://127.0.0.1:1/0"}}
    r = client_for("admin").get("/api/v1/ops/status")
    assert r.status_code == 200
    assert r.json()["health"]["status"] == "fail"
    assert r.json()["health"]["checks"]["cache"] == {"ok": False, "detail": "不可用（ConnectionError）"}
    html = client_for("admin").get("/ops/").content.decode()
    assert "有故障" in html and "127.0.0.1:1" not in html
