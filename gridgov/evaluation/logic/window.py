"""The rating window of 条块双向考核 — pure: a month may be rated from its first day until the end of the
``GRACE_WORKDAYS``-th working day after it (the working calendar decides which days work; ``gridgov/worktime``).
"""

import datetime as dt
from collections.abc import Callable

GRACE_WORKDAYS = 5


def month_start(period: str) -> dt.date:
    """'2026-11' → 1 Nov 2026; ValueError when it is not a month."""
    year, _, month = str(period).partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
        raise ValueError(period)
    return dt.date(int(year), int(month), 1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def last_rating_day(period: str, is_workday: Callable[[dt.date], bool], grace: int = GRACE_WORKDAYS) -> dt.date:
    """The last local day on which ``period`` may be rated: the ``grace``-th working day after the month."""
    day, counted = next_month(month_start(period)), 0
    while True:
        if is_workday(day):
            counted += 1
            if counted == grace:
                return day
        day += dt.timedelta(days=1)


def window_state(period: str, today: dt.date, is_workday: Callable[[dt.date], bool]) -> str:
    """"not_started" (the month has not begun), "open", or "closed"."""
    if today < month_start(period):
        return "not_started"
    return "open" if today <= last_rating_day(period, is_workday) else "closed"
