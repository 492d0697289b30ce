"""Deadline lights (绿 / 黄 / 红) and countdowns of a case's running stage — one definition for API and pages."""

import datetime as dt

from django.utils import timezone

from ..logic.lifecycle import OPEN_STATES

LIGHT_LABELS = {"green": "正常", "yellow": "预警", "red": "超期", "paused": "挂账暂停", "": ""}


def light(case, now: dt.datetime | None = None) -> str:
    """green / yellow / red for the running stage ("" when no clock runs, "paused" while suspended)."""
    if not case.stage or case.status not in OPEN_STATES:
        return ""
    if case.paused_at:
        return "paused"
    now = now or timezone.now()
    if case.stage_due_at and case.stage_due_at <= now:
        return "red"
    if case.stage_yellow_at and case.stage_yellow_at <= now:
        return "yellow"
    return "green"


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
    state = light(case, now)
    if not state:
        return ""
    if state == "paused":
        return LIGHT_LABELS["paused"]
    left = (case.stage_due_at - (now or timezone.now())).total_seconds()
    return f"剩余 {_span(left)}" if left > 0 else f"超期 {_span(-left)}"
