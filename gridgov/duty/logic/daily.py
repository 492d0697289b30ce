"""The 值班日报 and 日产日清 figures — pure, no Django import. THE definitions:

- a day is the calendar day in the site's time zone (Asia/Shanghai), half-open ``[00:00, next 00:00)``;
- 当日来件 (came in): cases reported (``reported_at``) within the day;
- **日清 (cleared the same day)**: a case that came in that day and was handled (处置, ``handled_at``) or closed
  (结案, ``closed_at``) before the day ended — :func:`cleared_same_day`, the one place this is decided;
  **日清率** = cleared the same day / came in (``dashboard.kpi.rate``: 「—」 when nothing came in);
- 当日结案 / 当日处置: cases closed / handled within the day, whenever they came in;
- 紧急来件: cases that came in that day with urgency ``urgent``.

The services read each case's facts once (``Fact``) and everything is counted here.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from gridgov.dashboard.kpi import rate

SHANGHAI = ZoneInfo("Asia/Shanghai")


def day_bounds(day: dt.date, tz: ZoneInfo = SHANGHAI) -> tuple[dt.datetime, dt.datetime]:
    """The day as aware datetimes ``[start, end)`` in ``tz``."""
    nxt = day + dt.timedelta(days=1)
    return (dt.datetime(day.year, day.month, day.day, tzinfo=tz), dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz))


@dataclass(frozen=True)
class Fact:
    """What the figures need of one case."""

    number: str
    source: str
    major: str  # the matter's class (2-digit major code), "" when no matter yet
    urgency: str
    street: str  # the street's code (9 digits)
    department: str  # the lead department's name, "" when none
    reported_at: dt.datetime
    handled_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


def within(at: dt.datetime | None, start: dt.datetime, end: dt.datetime) -> bool:
    return at is not None and start <= at < end


def cleared_same_day(f: Fact, end: dt.datetime) -> bool:
    """日清: handled (处置) or closed (结案) before ``end``, the end of the day the case came in."""
    return (f.handled_at is not None and f.handled_at < end) or (f.closed_at is not None and f.closed_at < end)


@dataclass(frozen=True)
class Clearance:
    """日产日清 of one group (a street, a department, or all): came in, cleared the same day, 日清率."""

    group: str
    incoming: int
    cleared: int

    @property
    def rate(self) -> float | None:
        return rate(self.cleared, self.incoming)


@dataclass
class DayFigures:
    day: dt.date
    incoming: int = 0
    cleared: int = 0
    closed: int = 0
    handled: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    by_class: dict[str, int] = field(default_factory=dict)
    urgent: list[str] = field(default_factory=list)  # case numbers, in the order they came in
    by_street: list[Clearance] = field(default_factory=list)
    by_department: list[Clearance] = field(default_factory=list)
    uncleared: list[str] = field(default_factory=list)  # came in, not cleared the same day

    @property
    def rate(self) -> float | None:
        return rate(self.cleared, self.incoming)


def _groups(facts: list[Fact], key, end: dt.datetime) -> list[Clearance]:
    incoming: Counter = Counter()
    cleared: Counter = Counter()
    for f in facts:
        incoming[key(f)] += 1
        cleared[key(f)] += cleared_same_day(f, end)
    return [Clearance(g, incoming[g], cleared[g]) for g in sorted(incoming)]


def figures(day: dt.date, facts: Iterable[Fact], tz: ZoneInfo = SHANGHAI) -> DayFigures:
    """The day's figures from the facts of every case that came in, was handled or was closed that day (other
    cases may be passed too: they count nowhere)."""
    start, end = day_bounds(day, tz)
    facts = list(facts)
    came = sorted((f for f in facts if within(f.reported_at, start, end)), key=lambda f: (f.reported_at, f.number))
    out = DayFigures(day)
    out.incoming = len(came)
    out.cleared = sum(cleared_same_day(f, end) for f in came)
    out.closed = sum(within(f.closed_at, start, end) for f in facts)
    out.handled = sum(within(f.handled_at, start, end) for f in facts)
    out.by_source = dict(sorted(Counter(f.source for f in came).items()))
    out.by_class = dict(sorted(Counter(f.major for f in came).items()))
    out.urgent = [f.number for f in came if f.urgency == "urgent"]
    out.uncleared = [f.number for f in came if not cleared_same_day(f, end)]
    out.by_street = _groups(came, lambda f: f.street, end)
    out.by_department = _groups(came, lambda f: f.department, end)
    return out
