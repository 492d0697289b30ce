"""When a 帮扶对子 is 超期未走访 — pure, no Django.

A pair is due for a visit ``days`` days after its last visit, or after the day it was formed while it has none
(a new pair is not overdue on its first day). Overdue: strictly more than ``days`` days have passed.
"""

import datetime as dt

MIN_DAYS, MAX_DAYS = 1, 3650


def since(last_visit: dt.date | None, started_on: dt.date, today: dt.date) -> int:
    """Days since the last visit (or since the pair was formed, while it has none)."""
    return (today - (last_visit or started_on)).days


def overdue(last_visit: dt.date | None, started_on: dt.date, today: dt.date, days: int) -> bool:
    return since(last_visit, started_on, today) > days


def days_problem(days: int) -> str | None:
    if not MIN_DAYS <= days <= MAX_DAYS:
        return f"走访周期应为 {MIN_DAYS}～{MAX_DAYS} 天"
    return None
