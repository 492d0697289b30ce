"""The leader dashboard's indicators — pure, no Django import: periods, tallies and rates.

THE definitions (the SQL in ``queries.py`` counts exactly these; the tests check both):

- 上报 (reported): cases whose ``reported_at`` lies in the period.
- 立案 (registered): cases whose ``registered_at`` lies in the period.
- 结案 (closed): cases whose ``closed_at`` lies in the period (a reopened case is no longer closed).
- 按期结案 (closed on time): a closed case none of whose stages ended after its due time (``late_stages == 0``;
  a 自行处置 case has its own 处置 budget) — THE definition is ``gridgov.kpi.logic.indicators.on_time_rate``.
  **按期结案率** = closed on time / closed.
- 返工率 (rework rate): of the cases handled in the period (``handled_at`` in it — the last 处置反馈), the share
  with ``rework_count > 0`` (the inspector sent them back at least once).
- 超期在办 (overdue open): open cases (the loop still running) whose running stage's light is red — strictly past
  due and not paused (挂账), ``gridgov.worktime.logic.sla.light`` — as of now, not per period.

Periods are calendar days and months in the site's time zone (settings.TIME_ZONE, Asia/Shanghai), half-open
``[start, end)``.
"""

import datetime as dt
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

from gridgov.kpi.logic.indicators import dispatch_accuracy, rate  # the one definition of each (re-exported)
from gridgov.worktime.logic.sla import past_due

__all__ = ["dispatch_accuracy", "rate"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Periods:
    today: dt.datetime
    tomorrow: dt.datetime
    month: dt.datetime
    next_month: dt.datetime


def periods(now: dt.datetime, tz: ZoneInfo = SHANGHAI) -> Periods:
    """Today and this month around ``now`` (aware), as aware datetimes in ``tz``."""
    local = now.astimezone(tz)
    today = dt.datetime(local.year, local.month, local.day, tzinfo=tz)
    month = dt.datetime(local.year, local.month, 1, tzinfo=tz)
    next_month = dt.datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=tz)
    return Periods(today, today + dt.timedelta(days=1), month, next_month)


def trend_days(now: dt.datetime, days: int = 30, tz: ZoneInfo = SHANGHAI) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """The last ``days`` calendar days up to today: (date, start, end), oldest first."""
    today = periods(now, tz).today
    out = []
    for back in range(days - 1, -1, -1):
        start = today - dt.timedelta(days=back)
        # rebuild from the date so a DST change (none in China, but other zones) keeps midnights exact
        start = dt.datetime(start.year, start.month, start.day, tzinfo=tz)
        end_date = start.date() + dt.timedelta(days=1)
        out.append((start.date(), start, dt.datetime(end_date.year, end_date.month, end_date.day, tzinfo=tz)))
    return out


def on_time(ended_at: dt.datetime | None, due_at: dt.datetime | None) -> bool:
    """A stage ended on time: at or before its due time (the light was not red then). A stage without a clock
    cannot be late. (按期结案 asks this of every stage of a case: ``Case.late_stages``.)"""
    if due_at is None:
        return True
    return ended_at is not None and not past_due(due_at, ended_at)


@dataclass(frozen=True)
class Tally:
    """Counts of one period for one group of cases (a street, a department, or everything in scope)."""

    reported: int = 0
    registered: int = 0
    closed: int = 0
    closed_on_time: int = 0
    handled: int = 0
    reworked: int = 0
    open: int = 0  # open now (not per period)
    overdue: int = 0  # open and overdue now (not per period)

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.closed_on_time, self.closed)

    @property
    def rework_rate(self) -> float | None:
        return rate(self.reworked, self.handled)


def total(tallies) -> Tally:
    out = Tally()
    for t in tallies:
        out = out + t
    return out


def percent(value: float | None) -> str:
    """0.9346 → 「93.5%」; None → 「—」."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


# ---------------------------------------------------------------- the city helper's block: 派遣准确率 and
# 市区两级平台派件 (issue #10 items 3 and 4; counted by gridgov/oversight/queries.py)


@dataclass(frozen=True)
class DispatchFigures:
    """市区两级平台派件 (seed 003 篇7 附件1 重点任务: 「按及时率*结案率结果排名」) of one district or of all."""

    dispatched: int = 0
    answered_on_time: int = 0  # the district answered at or before the 派件's 办结时限
    closed: int = 0  # the case is closed (结案) or archived

    @property
    def timely_rate(self) -> float | None:
        """及时率 = answered on time / dispatched."""
        return rate(self.answered_on_time, self.dispatched)

    @property
    def closed_rate(self) -> float | None:
        """结案率 = closed / dispatched."""
        return rate(self.closed, self.dispatched)

    @property
    def score(self) -> float | None:
        """及时率 × 结案率 (None when nothing was dispatched)."""
        t, c = self.timely_rate, self.closed_rate
        return None if t is None or c is None else t * c


def answered_on_time(answered_at: dt.datetime | None, due_at: dt.datetime) -> bool:
    """A 派件 (or a 督办通知书) answered at or before its due time; not answered is not on time."""
    return answered_at is not None and not past_due(due_at, answered_at)
