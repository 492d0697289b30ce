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


def _running_row(case) -> bool:
    """``running_q`` of one loaded case (the same three conditions)."""
    return case.status in OPEN_STATES and case.paused_at is None and case.stage != ""


def late_in_order(qs, now: dt.datetime, limit: int) -> list:
    """The first ``limit`` cases of ``qs`` matching ``late_q`` in due-time order (then id) — what
    ``qs.filter(late_q(now)).order_by("stage_due_at", "id")[:limit]`` gives. Every red case is due before ``now``
    and every yellow-only one at or after it, so the red ones come first: they are read by walking the due-time
    index from the oldest due time (keyset pages, the running ones kept), because with the status condition in the
    query the planner takes "open and due" for rare and sorts every late case (3 s with 200 k late at 10 M cases)."""
    red: list = []
    after = None
    while len(red) < limit:
        page = qs.filter(stage_due_at__lt=now)
        if after is not None:
            page = page.filter(stage_due_at__gte=after[0]).filter(Q(stage_due_at__gt=after[0]) | Q(id__gt=after[1]))
        rows = list(page.order_by("stage_due_at", "id")[:limit])
        red += [c for c in rows if _running_row(c)]
        if len(rows) < limit:
            break
        after = (rows[-1].stage_due_at, rows[-1].id)
    if len(red) >= limit:
        return red[:limit]
    yellow = qs.filter(running_q() & yellow_q(now) & (Q(stage_due_at__gte=now) | Q(stage_due_at__isnull=True)))
    return red + list(yellow.order_by("stage_due_at", "id")[:limit - len(red)])


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
