"""When a campaign's progress report or a unit's task is late (逾期) — THE definition. Pure Python, no Django.

Seed 003 篇6: 「各责任单位要指定专人于每月27日前将本月工作开展情况上报」 and 「工作总结于5月31日前上报」. So:

- a monthly report is due on the campaign's report day of that month (``due_day``); a day the month does not have
  (31 in a 30-day month, 29–31 in February) means the month's last day;
- "by the day" includes the day: something done ON its due date is on time, done on a later date is late (as the
  deadline lights, ``worktime.logic.sla.past_due``, are late only strictly after the due instant);
- nothing done yet: not due yet while today ≤ the due date (``pending``), late (``missing``) from the next day on;
- the same rule serves a task's deadline (``state(deadline, done_on, today)``).

Dates are calendar dates in Asia/Shanghai (the services convert instants with ``timezone.localdate``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

ON_TIME, LATE, MISSING, PENDING = "on_time", "late", "missing", "pending"
STATE_LABELS = {ON_TIME: "按时", LATE: "逾期上报", MISSING: "逾期未报", PENDING: "未到期"}
TASK_LABELS = {ON_TIME: "按期完成", LATE: "逾期完成", MISSING: "已逾期", PENDING: "未到期"}


def month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def due_day(year: int, month: int, day: int) -> dt.date:
    """The due date of a month's report: ``day`` of that month, or its last day when the month is shorter."""
    if not 1 <= day <= 31:
        raise ValueError(f"上报日应在 1～31 之间，收到 {day}")
    return dt.date(year, month, min(day, month_length(year, month)))


def state(due: dt.date, done_on: dt.date | None, today: dt.date) -> str:
    """``on_time`` / ``late`` (done after the due date) / ``missing`` (not done and the due date has passed) /
    ``pending`` (not done, not yet due)."""
    if done_on is not None:
        return ON_TIME if done_on <= due else LATE
    return MISSING if today > due else PENDING


def is_late(s: str) -> bool:
    """Late is flagged for a late report and for a missing one past its day."""
    return s in (LATE, MISSING)


def months(periods: Iterable[tuple[dt.date, dt.date | None]], until: dt.date) -> list[dt.date]:
    """The months (their first days, ascending) that overlap any of ``periods`` (start, end inclusive; end None:
    open, counted up to ``until``) — the months for which a monthly report is expected."""
    out: set[dt.date] = set()
    for start, end in periods:
        last = end if end is not None else until
        if last < start:
            continue
        y, m = start.year, start.month
        while (y, m) <= (last.year, last.month):
            out.add(dt.date(y, m, 1))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return sorted(out)


def phase_problem(start: dt.date | None, end: dt.date | None) -> str | None:
    """What is wrong with a phase's dates, or None (an open end is allowed: 长效 is 长期)."""
    if start is None:
        return "阶段须有开始日期"
    if end is not None and end < start:
        return f"阶段的结束日期（{end}）早于开始日期（{start}）"
    return None
