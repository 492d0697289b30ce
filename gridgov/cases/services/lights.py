"""Deadline lights (绿 / 黄 / 红) and countdowns of a case's running stage, and the SQL filters that select them.

The definition is the pure SLA module's (``gridgov.worktime.logic.sla.light``: red strictly after the due time,
yellow from the yellow time on, paused while 挂账); here it is applied to a case, and turned into the ORM
filters every list, board, dashboard and the deadline scan use — the only place they are written.
"""

import datetime as dt

from django.db.models import Case as If
from django.db.models import F, Q, Value, When
from django.utils import timezone

from gridgov.worktime.logic import sla

from ..logic.lifecycle import OPEN_STATES

LIGHT_LABELS = {**sla.LEVEL_LABELS, "": ""}
_OPEN = sorted(str(s) for s in OPEN_STATES)


def running(case) -> bool:
    """A stage clock runs (or stands, paused): an open case with a current stage."""
    return bool(case.stage) and case.status in OPEN_STATES


def light(case, now: dt.datetime | None = None) -> str:
    """green / yellow / red for the running stage ("" when no clock runs, "paused" while suspended)."""
    if not running(case):
        return ""
    return sla.light(case.stage_due_at, case.stage_yellow_at, now or timezone.now(), paused=bool(case.paused_at))


# ---------------------------------------------------------------- the same definition in SQL


def running_q() -> Q:
    """Open, with a running (not paused) stage clock."""
    return Q(status__in=_OPEN, paused_at__isnull=True) & ~Q(stage="")


def red_q(now: dt.datetime) -> Q:
    """``sla.past_due``: the due time strictly before now."""
    return Q(stage_due_at__lt=now)


def yellow_q(now: dt.datetime) -> Q:
    """``sla.yellow_reached``: the yellow time at or before now."""
    return Q(stage_yellow_at__lte=now)


def overdue_q(now: dt.datetime) -> Q:
    """超期在办 — the cases whose ``light`` is red."""
    return running_q() & red_q(now)


def late_q(now: dt.datetime) -> Q:
    """Red or yellow (the overdue board)."""
    return running_q() & (red_q(now) | yellow_q(now))


# the orders of a case list (the queue page and ``GET /api/v1/cases``): key → label
ORDERS = {"newest": "最新上报在前", "time_left": "剩余时间最少在前（超期在前）"}


def ordered(qs, order: str | None):
    """``qs`` in the named order: newest report first (the default), or by time left — running clocks first by
    their due time (so overdue cases come first, most overdue at the top), then paused and clockless cases, newest
    first."""
    if order != "time_left":
        return qs.order_by("-reported_at", "-id")
    return qs.annotate(_clockless=If(When(running_q(), then=Value(0)), default=Value(1))).order_by(
        "_clockless", F("stage_due_at").asc(nulls_last=True), "-reported_at", "-id")


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时"
    if hours:
        return f"{hours} 小时 {mins} 分"
    return f"{mins} 分钟"


def countdown(case, now: dt.datetime | None = None) -> str:
    """「剩余 3 小时 20 分」/「超期 2 天 1 小时」/「挂账暂停」, or "" when no clock runs."""
    now = now or timezone.now()
    state = light(case, now)
    if not state:
        return ""
    if state == sla.PAUSED:
        return LIGHT_LABELS[sla.PAUSED]
    left = (case.stage_due_at - now).total_seconds()
    return f"超期 {_span(-left)}" if state == sla.RED else f"剩余 {_span(left)}"
