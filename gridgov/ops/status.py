"""运行状态 (/ops/ and ``GET /api/v1/ops/status``, the administrator's): what the site is doing, in one read.

- the health checks of ``/healthz`` (:func:`gridgov.ops.health.check`: database, cache, broker, storage);
- queues and outboxes: background jobs the broker has not taken (``OutboxJob``), the broker queue itself (with a
  broker), outside deliveries of messages (notify: waiting, failing and being retried, given up) and the 12345
  status outbox (hotline: waiting, of which failing) — with the oldest waiting item;
- the periodic work's last runs (:class:`~gridgov.ops.models.PeriodicRun`, written by :mod:`gridgov.ops.runs`);
- the Celery workers that answer a ping within ``PING_TIMEOUT_S`` (with a broker; 未配置 without);
- the 系统运行 record of this month: the 系统故障 periods (one per system period: the health checks open the same
  period for every street) and the fault days and hours they cover (Asia/Shanghai days, 003 篇7 附件1 系统运行).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import require

PING_TIMEOUT_S = 1.0
TZ = ZoneInfo("Asia/Shanghai")


def fault_days(periods: list[tuple[dt.datetime, dt.datetime | None]], start: dt.datetime, end: dt.datetime) -> list:
    """The calendar days (Asia/Shanghai) of [start, end) that some period touches — pure. An open period runs to
    ``end``; a period that ends exactly at midnight does not touch the next day."""
    days = set()
    for a, b in periods:
        a, b = max(a, start), min(b or end, end)
        if b <= a:
            continue
        day, last = a.astimezone(TZ).date(), (b - dt.timedelta(microseconds=1)).astimezone(TZ).date()
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
    return sorted(days)


def month_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = now.astimezone(TZ)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0), now


def queues() -> list[dict]:
    from django.db.models import Count, Min, Q

    from gridgov import background
    from gridgov.hotline.models import Delivery as HotlineDelivery
    from gridgov.notify.models import Delivery

    from .metrics import broker_queue_depth
    from .models import OutboxJob

    jobs = OutboxJob.objects.aggregate(pending=Count("id"), failing=_count(Q(attempts__gt=0)), oldest=Min("created_at"))
    out = [{"key": "background", "label": "后台任务发件箱（未交给消息代理）", "given_up": 0, **jobs}]
    celery = background.mode() == "celery"
    out.append({"key": "broker", "label": "消息代理队列（RabbitMQ）", "configured": celery,
                "pending": broker_queue_depth() if celery else None, "failing": 0, "given_up": 0, "oldest": None})
    waiting = Q(status__in=(Delivery.PENDING, Delivery.SENDING, Delivery.HELD))
    retrying = Q(status=Delivery.FAILED, next_attempt__isnull=False)
    unsent = (Delivery.PENDING, Delivery.SENDING, Delivery.HELD, Delivery.FAILED)  # the index (status, next_attempt)
    d = Delivery.objects.filter(status__in=unsent).aggregate(  # the sent ones (nearly all) are not read
        pending=_count(waiting), failing=_count(retrying),
        given_up=_count(Q(status=Delivery.FAILED, next_attempt__isnull=True)),
        oldest=Min("created", filter=waiting | retrying))
    out.append({"key": "notify", "label": "短信、企业微信、邮件投递", "pending": d["pending"], "failing": d["failing"],
                "given_up": d["given_up"], "oldest": d["oldest"]})
    pending = Q(status=HotlineDelivery.PENDING)
    h = HotlineDelivery.objects.filter(pending).aggregate(pending=Count("id"), failing=_count(Q(attempts__gt=0)),
                                                          oldest=Min("at"))
    out.append({"key": "hotline", "label": "12345 状态回传", "pending": h["pending"], "failing": h["failing"],
                "given_up": 0, "oldest": h["oldest"]})
    for q in out:
        q.setdefault("configured", True)
    return out


def _count(q):
    from django.db.models import Count

    return Count("id", filter=q)


def workers_seen() -> dict:
    """``{"configured": bool, "names": [...], "detail": str}``: the workers answering a ping (with a broker)."""
    from gridgov import background

    if background.mode() != "celery":
        return {"configured": False, "names": [], "detail": "未配置"}
    from gridgov import workers

    try:
        with workers._acquire(workers.broker_url()) as conn:
            answers = workers.app.control.ping(timeout=PING_TIMEOUT_S, connection=conn) or []
    except Exception as e:
        return {"configured": True, "names": [], "detail": f"无法询问（{type(e).__name__}）"}
    names = sorted(name for answer in answers for name in answer)
    return {"configured": True, "names": names, "detail": f"{len(names)} 个在线" if names else "没有 worker 应答"}


def periodic_runs() -> list:
    from .models import PeriodicRun

    return list(PeriodicRun.objects.order_by("name"))


def outages_this_month(now: dt.datetime) -> dict:
    from gridgov.ledgers.logic.uptime import hours
    from gridgov.ledgers.models import Outage, OutageKind

    start, end = month_window(now)
    rows = (Outage.objects.filter(kind=OutageKind.FAULT, start__lt=end)
            .exclude(end__lte=start).values_list("start", "end", "note").order_by("start", "end"))
    periods = list(dict.fromkeys(rows))  # the same period recorded for every street counts once
    spans = [(a, b) for a, b, _ in periods]
    return {"month": start.strftime("%Y-%m"), "periods": [{"start": a, "end": b, "note": n} for a, b, n in periods],
            "fault_days": len(fault_days(spans, start, end)), "fault_hours": hours(spans, start, end)}


def snapshot(user, now: dt.datetime | None = None) -> dict:
    """Everything /ops/ shows (the administrator's: ``ops.view``)."""
    from . import health

    require(user, roles.OPS_VIEW)
    now = now or timezone.now()
    return {"at": now, "health": health.check(), "queues": queues(), "periodic": periodic_runs(),
            "workers": workers_seen(), "outages": outages_this_month(now)}
