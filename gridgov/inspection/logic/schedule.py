"""The due-inspection schedule (监督检查计划的检查周期) — pure, no Django.

A plan inspects each of its targets once per *period* of its frequency. Periods are calendar periods in local
time: a week is Monday–Sunday, a month a calendar month, a quarter Jan–Mar / Apr–Jun / Jul–Sep / Oct–Dec, a half
year Jan–Jun / Jul–Dec, a year Jan–Dec.

- A target never inspected is due by the end of the period in which it joined the plan (``start``).
- A target inspected on day *d* is due by the end of the period *after* the one containing *d* (one inspection per
  period: a monthly target inspected on 3 March is next due by 30 April, whether it is inspected again in March
  or not).
- On day *t* a target is ``overdue`` when *t* is after its due day, ``due`` when *t* is inside the period that ends
  on its due day, and ``done`` when its due day lies in a later period (this period's inspection was made).
"""

import datetime as dt
from dataclasses import dataclass

FREQUENCIES: dict[str, str] = {
    "weekly": "每周",
    "monthly": "每月",
    "quarterly": "每季度",
    "half_yearly": "每半年",
    "yearly": "每年",
}
_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}

STATE_LABELS = {"overdue": "已超期", "due": "本期待检", "done": "本期已检"}


def _check(frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")


def period_start(frequency: str, day: dt.date) -> dt.date:
    """The first day of the period of ``frequency`` that contains ``day``."""
    _check(frequency)
    if frequency == "weekly":
        return day - dt.timedelta(days=day.weekday())
    months = _MONTHS[frequency]
    first_month = (day.month - 1) // months * months + 1
    return dt.date(day.year, first_month, 1)


def period_end(frequency: str, day: dt.date) -> dt.date:
    """The last day of the period of ``frequency`` that contains ``day``."""
    start = period_start(frequency, day)
    if frequency == "weekly":
        return start + dt.timedelta(days=6)
    month = start.month - 1 + _MONTHS[frequency]
    year, month = start.year + month // 12, month % 12 + 1
    return dt.date(year, month, 1) - dt.timedelta(days=1)


def next_period_start(frequency: str, day: dt.date) -> dt.date:
    return period_end(frequency, day) + dt.timedelta(days=1)


def due_on(frequency: str, start: dt.date, last_inspected: dt.date | None) -> dt.date:
    """The day by which the next inspection is due."""
    if last_inspected is None:
        return period_end(frequency, start)
    return period_end(frequency, next_period_start(frequency, last_inspected))


@dataclass(frozen=True)
class Due:
    due_on: dt.date
    state: str  # overdue | due | done
    days_overdue: int  # 0 unless overdue

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def status(frequency: str, start: dt.date, last_inspected: dt.date | None, today: dt.date) -> Due:
    """Where a target stands on ``today``."""
    due = due_on(frequency, start, last_inspected)
    if today > due:
        return Due(due, "overdue", (today - due).days)
    if period_start(frequency, due) <= today:
        return Due(due, "due", 0)
    return Due(due, "done", 0)
