"""The deadline (时限 / SLA) calculator: due times, consumed budget and warning levels over a WorkCalendar.

Pure Python, no Django import. All datetimes must be timezone-aware (a naive one raises ValueError); any time
zone is accepted, office hours are read in the calendar's zone (Asia/Shanghai), and results are returned in
the time zone of ``start``. Arithmetic is exact (integer microseconds).

Units (``Unit``):

- ``work_hours`` 工作小时 — office time on working days only. A start outside office hours (before opening, in the
  lunch break, after closing, on a rest day) effectively begins at the next office period; a budget used up
  exactly at the end of a period is due at that instant (e.g. 17:30), not at the next opening.
- ``work_days`` 工作日 — ``amount × the office-day length`` in working hours (7.5 h with the default office
  hours), counted like ``work_hours``. So 1 working day from Monday 10:00 is due Tuesday 10:00, 3 working days
  from 08:30 are due at 17:30 on the third working day, and 0.5 working day is 3 h 45 min of office time.
- ``natural_days`` 自然日 — ``amount × 24 h`` of elapsed time (China has no daylight saving, so in Asia/Shanghai
  this is the same wall-clock time ``amount`` days later), holidays included.
- ``natural_hours`` 自然小时 — ``amount`` hours of elapsed time.

Pauses (挂账 / 缓办 — the clock stops): an iterable of ``(start, end)`` pairs (or objects with ``.start`` and
``.end``); ``end=None`` means still paused. Pauses may overlap each other, begin before ``start`` (only the part
after ``start`` counts) and cover office and non-office time alike. For natural units the paused wall time is
added to the deadline; for working units the office time inside pauses is not counted (paused nights and
weekends change nothing, since they were not counted anyway). With an open pause the due time is ``None`` —
unless the budget was already used up before the open pause began, in which case that (past) due time is
returned: the case was overdue when it was suspended.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .calendar import WorkCalendar, from_us, require_aware, to_us

_HOUR_US = 3_600_000_000
_INF = math.inf


class Unit(StrEnum):
    WORK_HOURS = "work_hours"
    WORK_DAYS = "work_days"
    NATURAL_DAYS = "natural_days"
    NATURAL_HOURS = "natural_hours"


# THE units table: code → Chinese label. Deadline rules (catalog), the case page's forms, the API and the
# templates all take their units and labels from here.
UNIT_LABELS = {Unit.WORK_HOURS: "工作小时", Unit.WORK_DAYS: "工作日", Unit.NATURAL_DAYS: "自然日",
               Unit.NATURAL_HOURS: "自然小时"}
UNITS = tuple(u.value for u in Unit)


def unit_label(unit: str) -> str:
    """「工作小时」 for ``work_hours``; an unknown code is shown as it is."""
    try:
        return UNIT_LABELS[Unit(unit)]
    except ValueError:
        return unit or ""


def units_described() -> str:
    """「work_hours 工作小时 / work_days 工作日 / …」 (API documentation, error messages)."""
    return " / ".join(f"{u.value} {label}" for u, label in UNIT_LABELS.items())
WORKING_UNITS = frozenset({Unit.WORK_HOURS, Unit.WORK_DAYS})

GREEN, YELLOW, RED = "green", "yellow", "red"
PAUSED = "paused"  # 挂账: the clock stands still
LEVEL_LABELS = {GREEN: "正常", YELLOW: "预警", RED: "超期", PAUSED: "挂账暂停"}


def parse_unit(unit: str | Unit) -> Unit:
    try:
        return Unit(unit)
    except ValueError:
        raise ValueError(f"未知的时限单位「{unit}」，应为 {units_described()}") from None


@dataclass(frozen=True)
class Budget:
    """A time budget (时限): ``amount`` of ``unit``."""

    amount: float
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount:g} {UNIT_LABELS[self.unit]}"


def due_budget(amount: float, unit: str | Unit) -> Budget:
    """Validate and bundle a budget: a finite amount ≥ 0 (fractions allowed) and a known unit."""
    try:
        amount = float(amount)
    except (TypeError, ValueError):
        raise ValueError(f"时限数值应为数字，收到「{amount}」") from None
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"时限数值应为不小于 0 的有限数，收到 {amount}")
    return Budget(amount, parse_unit(unit))


def unit_us(unit: str | Unit, calendar: WorkCalendar) -> int:
    """The length of one unit in microseconds (of office time for working units, elapsed time otherwise)."""
    unit = parse_unit(unit)
    if unit is Unit.WORK_DAYS:
        return calendar.office_hours.day_us
    if unit is Unit.NATURAL_DAYS:
        return 24 * _HOUR_US
    return _HOUR_US


# ---------------------------------------------------------------- pauses


def _pause_bounds(p) -> tuple:
    if hasattr(p, "start") and hasattr(p, "end"):
        return p.start, p.end
    start, end = p
    return start, end


def merge_pauses(pauses: Iterable, start_us: int) -> list[tuple[int, float | int]]:
    """Pauses as sorted, disjoint (start, end) µs intervals clipped to ≥ ``start_us``; an open end is ``inf``."""
    spans = []
    for i, p in enumerate(pauses or ()):
        a, b = _pause_bounds(p)
        a = to_us(require_aware(a, f"第 {i + 1} 个暂停的开始时间"))
        if b is None:
            b = _INF
        else:
            b = to_us(require_aware(b, f"第 {i + 1} 个暂停的结束时间"))
            if b < a:
                raise ValueError(f"第 {i + 1} 个暂停的结束时间早于开始时间")
        a = max(a, start_us)
        if b > a:
            spans.append((a, b))
    spans.sort()
    merged: list[list] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


# ---------------------------------------------------------------- clocks


def _measure(unit: Unit, calendar: WorkCalendar, a: int, b: int) -> int:
    if unit in WORKING_UNITS:
        return calendar.office_between(a, b)
    return max(0, b - a)


def _advance(unit: Unit, calendar: WorkCalendar, a: int, amount: int) -> int:
    if unit in WORKING_UNITS:
        return calendar.office_advance(a, amount)
    return a + amount


def _budget_us(amount: float, unit: Unit, calendar: WorkCalendar) -> int:
    return round(due_budget(amount, unit).amount * unit_us(unit, calendar))


# ---------------------------------------------------------------- the public functions


def due_time(start: dt.datetime, amount: float, unit: str | Unit, calendar: WorkCalendar,
             pauses: Iterable = ()) -> dt.datetime | None:
    """The instant the budget ``amount × unit`` from ``start`` runs out, or None while an open pause holds it.

    Semantics of each unit and of pauses: see the module docstring. ``amount`` 0 → ``start``. The result is in
    the time zone of ``start``. Raises ValueError for naive datetimes, a negative/non-finite amount, an unknown
    unit, or a pause that ends before it starts.
    """
    require_aware(start, "开始时间")
    unit = parse_unit(unit)
    remaining = _budget_us(amount, unit, calendar)
    cursor = to_us(start)
    if remaining == 0:
        return start
    for ps, pe in merge_pauses(pauses, cursor):
        available = _measure(unit, calendar, cursor, ps)
        if available >= remaining:
            break
        remaining -= available
        if pe == _INF:
            return None
        cursor = pe
    return from_us(_advance(unit, calendar, cursor, remaining), start.tzinfo)


def elapsed_us(start: dt.datetime, now: dt.datetime, unit: str | Unit, calendar: WorkCalendar,
               pauses: Iterable = ()) -> int:
    """Consumed budget in microseconds of the unit's clock (office time or elapsed time), pauses excluded."""
    require_aware(start, "开始时间")
    require_aware(now, "当前时间")
    unit = parse_unit(unit)
    a, b = to_us(start), to_us(now)
    if b <= a:
        return 0
    used = _measure(unit, calendar, a, b)
    for ps, pe in merge_pauses(pauses, a):
        if ps >= b:
            break
        used -= _measure(unit, calendar, ps, int(min(pe, b)))
    return used


def elapsed(start: dt.datetime, now: dt.datetime, unit: str | Unit, calendar: WorkCalendar,
            pauses: Iterable = ()) -> float:
    """The budget consumed between ``start`` and ``now``, in ``unit`` (0 when now ≤ start), pauses excluded.

    For working units only office time on working days counts; ``work_days`` are office-day lengths (a full
    working day of 7.5 h is 1.0). So ``elapsed(start, due_time(start, x, unit, …), unit, …) == x``.
    """
    unit = parse_unit(unit)
    return elapsed_us(start, now, unit, calendar, pauses) / unit_us(unit, calendar)


# ---------------------------------------------------------------- lights: THE definition of yellow and red


def past_due(due: dt.datetime | None, now: dt.datetime) -> bool:
    """Overdue (红, 超期): strictly after the due time — at the due instant itself the stage is still on time
    (as 按期 is ``done <= due``). No due time (no clock, or held by an open pause): never overdue."""
    return due is not None and now > due


def yellow_reached(yellow: dt.datetime | None, now: dt.datetime) -> bool:
    """预警 from the yellow instant on (inclusive)."""
    return yellow is not None and now >= yellow


def light(due: dt.datetime | None, yellow: dt.datetime | None, now: dt.datetime, paused: bool = False) -> str:
    """The light of a running stage from its stored due and yellow times: ``"paused"`` while suspended (挂账),
    ``"red"`` past due, ``"yellow"`` from the yellow time, else ``"green"``. Everything that shows or counts
    lights — pages, API, the overdue board, the dashboard, the deadline scan — asks this function (or the SQL
    filters that ``gridgov.cases.services.lights`` derives from ``past_due`` and ``yellow_reached``)."""
    require_aware(now, "当前时间")
    if paused:
        return PAUSED
    if past_due(due, now):
        return RED
    if yellow_reached(yellow, now):
        return YELLOW
    return GREEN


def warning_level(start: dt.datetime, budget: Budget, now: dt.datetime, calendar: WorkCalendar,
                  pauses: Iterable = (), yellow_share: float = 0.8) -> str:
    """``"red"`` when ``now`` is past the due time (strictly after it); otherwise ``"yellow"`` when the consumed
    share of the budget is ≥ ``yellow_share``; otherwise ``"green"``. A zero budget is fully consumed at once.
    """
    if not (0 < yellow_share <= 1):
        raise ValueError(f"预警比例应在 (0, 1] 之间，收到 {yellow_share}")
    pauses = list(pauses or ())
    due = due_time(start, budget.amount, budget.unit, calendar, pauses)
    require_aware(now, "当前时间")
    if past_due(due, now):
        return RED
    total = _budget_us(budget.amount, budget.unit, calendar)
    used = elapsed_us(start, now, budget.unit, calendar, pauses)
    if total == 0 or used >= yellow_share * total:
        return YELLOW
    return GREEN
