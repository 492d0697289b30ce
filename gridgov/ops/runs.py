"""The record of periodic work (/ops/「定时任务」): :func:`timed` runs one pass and keeps its outcome in
:class:`~gridgov.ops.models.PeriodicRun` — ONE place, called by both places periodic work runs (``serving.every``'s
thread in `gridgov serve` without a broker, ``gridgov.periodic`` on a Celery worker with one). Plumbing like the
outbox: one row per name, not audited, no personal data (the kind of error, never its message)."""

import logging
import os
import socket

from django.db.models import F
from django.utils import timezone

log = logging.getLogger("gridgov.ops")


def timed(name: str, work) -> None:
    """``work()`` once, its start, end and outcome recorded under ``name``; the work's exception is re-raised (the
    caller logs it as before). A record that cannot be written (the database is down) is only logged."""
    started = timezone.now()
    error = ""
    try:
        work()
    except Exception as e:
        error = type(e).__name__
        raise
    finally:
        try:
            record(name, started, timezone.now(), error)
        except Exception:
            log.warning("periodic work %s: its run could not be recorded", name, exc_info=True)


def record(name: str, started, finished, error: str = "") -> None:
    from django.db import IntegrityError, transaction

    from .models import PeriodicRun

    values = {"started_at": started, "finished_at": finished, "ok": not error, "error": error[:300],
              "host": f"{socket.gethostname()}:{os.getpid()}"[:100]}
    counts = {"runs": F("runs") + 1, "failures": F("failures") + (1 if error else 0)}
    if PeriodicRun.objects.filter(name=name).update(**values, **counts):
        return
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(name=name, runs=1, failures=1 if error else 0, **values)
    except IntegrityError:  # another machine created it just now
        PeriodicRun.objects.filter(name=name).update(**values, **counts)
