"""Health (``/healthz``) and the 系统运行 record fed by it.

:func:`check` asks each part the site depends on: the database (``SELECT 1``), the cache (a write and read back),
the broker when one is configured (a connection), and the file storage (an existence check). ``/healthz``
answers 200 with ``{"status": "ok", "checks": {...}}`` when all pass, 503 with ``"status": "fail"`` otherwise (no
personal data, no secrets: a failing part says what kind of error, not the URL).

:func:`watch` (every ``HEALTH_INTERVAL_S`` seconds: a ``serving.every`` loop — in `gridgov serve`, or on the
workers via the beat) keeps the last verdict per check in :class:`~gridgov.ops.models.HealthState`. A check that
has been failing for ``HEALTH_OUTAGE_MINUTES`` opens a 系统故障 period in the 系统运行 record (ledgers service
``open_system_outage``, audited as the system) starting when the failure was first seen; when every check passes
again the period is closed (``close_system_outage``), so assessment's fault days are counted from facts. A
database that is down cannot record its own outage: the period is written when it is back, with its true start
(the first failing check remembered in this process).
"""

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import connections
from django.utils import timezone

log = logging.getLogger("gridgov.ops")

CHECKS = ("database", "cache", "broker", "storage")


def _database() -> str | None:
    with connections["default"].cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return None


def _cache() -> str | None:
    from django.core.cache import cache

    key = "gridgov:healthz"
    value = str(time.time())
    cache.set(key, value, 30)
    if cache.get(key) != value:
        return "缓存读写不一致"
    return None


def _broker() -> str | None:
    from gridgov import background

    if background.mode() != "celery":
        return "skip"
    from gridgov import workers

    with workers._acquire(workers.broker_url()) as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
    return None


def _storage() -> str | None:
    from django.core.files.storage import default_storage

    default_storage.exists("photos/.healthz")
    return None


PROBES = {"database": _database, "cache": _cache, "broker": _broker, "storage": _storage}


def check() -> dict:
    """Every check now: ``{"status": "ok"|"fail", "checks": {name: {"ok": bool, "detail": str}}}``."""
    out, ok = {}, True
    for name, probe in PROBES.items():
        try:
            detail = probe()
        except Exception as e:  # the kind of error only: messages may carry host names or credentials
            detail = f"不可用（{type(e).__name__}）"
        if detail == "skip":
            out[name] = {"ok": True, "detail": "未配置"}
            continue
        out[name] = {"ok": detail is None, "detail": detail or "正常"}
        ok = ok and detail is None
    return {"status": "ok" if ok else "fail", "checks": out}


def healthz_view(request):
    from django.http import JsonResponse

    result = check()
    return JsonResponse(result, status=200 if result["status"] == "ok" else 503,
                        json_dumps_params={"ensure_ascii": False})


# ---------------------------------------------------------------- the 系统运行 record


_first_failure: dict[str, dt.datetime] = {}  # this process: failures seen while the database could not record them


def watch(now: dt.datetime | None = None, result: dict | None = None) -> dict:
    """One pass: record the verdicts, open or close the 系统故障 period. Returns ``{"opened": n, "closed": n}``."""
    from django.db import transaction

    from gridgov.ledgers import services as ledgers
    from gridgov.ops.models import HealthState

    now = now or timezone.now()
    result = result or check()
    failing = {n for n, c in result["checks"].items() if not c["ok"]}
    for n in failing:
        _first_failure.setdefault(n, now)
    if "database" in failing:
        return {"opened": 0, "closed": 0}  # nothing can be written; the start is remembered above
    minutes = float(settings.GRIDGOV.get("HEALTH_OUTAGE_MINUTES", 5))
    opened = closed = 0
    with transaction.atomic():
        states = {s.name: s for s in HealthState.objects.select_for_update().filter(name__in=list(CHECKS))}
        for name in CHECKS:
            c = result["checks"].get(name)
            if c is None:
                continue
            s = states.get(name) or HealthState(name=name)
            s.detail, s.checked_at = c["detail"][:300], now
            if c["ok"]:
                s.ok, s.failing_since = True, None
            else:
                since = _first_failure.get(name, now)
                s.failing_since = since if s.ok or s.failing_since is None else min(s.failing_since, since)
                s.ok = False
            s.save()
            states[name] = s
        open_ids = [i for s in states.values() for i in s.outage_ids]
        down = [s for s in states.values() if not s.ok and s.failing_since is not None]
        if down and not open_ids:
            start = min(s.failing_since for s in down)
            if now - start >= dt.timedelta(minutes=minutes):
                names = "、".join(sorted(s.name for s in down))
                rows = ledgers.open_system_outage(start, f"健康检查自动记录：{names}不可用")
                first = min(down, key=lambda s: s.failing_since)
                first.outage_ids = [o.pk for o in rows]
                first.save(update_fields=["outage_ids"])
                opened = len(rows)
        elif not down and open_ids:
            closed = ledgers.close_system_outage(open_ids, now)
            for s in states.values():
                if s.outage_ids:
                    s.outage_ids = []
                    s.save(update_fields=["outage_ids"])
    for n in set(_first_failure) - failing:
        _first_failure.pop(n, None)
    return {"opened": opened, "closed": closed}


def start_background_watch(interval_s: float):
    """The loop `gridgov serve` runs (``serving.every``): :func:`watch`."""
    from gridgov.serving import every

    def once():
        r = watch()
        if r["opened"] or r["closed"]:
            log.warning("系统运行：健康检查%s", "发现故障，已登记" if r["opened"] else "恢复，故障时段已结束")

    return every("health-watch", interval_s, once)
