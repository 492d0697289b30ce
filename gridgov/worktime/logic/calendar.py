"""The working calendar (工作日历): which days are working days, and the office hours of a working day.

Pure Python, no Django import. Days are classified, in priority order, by

1. explicit overrides (date → working day or not, with a name) — what an administrator entered;
2. the ``chinese_calendar`` package (official holidays and make-up working days 调休上班, years it has data for);
3. the plain rule, Monday–Friday work and Saturday–Sunday rest, for years the package does not know yet.

A date classified by rule 3 is "not known": ``WorkCalendar.known(day)`` is False and ``info(day).source`` is
``"plain"``, so callers can warn that the official arrangement for that year has not been entered.

Office hours are wall-clock periods in the calendar's time zone (Asia/Shanghai by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)

# Where a day's classification comes from.
OVERRIDE, LIBRARY, PLAIN, CUSTOM = "override", "library", "plain", "custom"
SOURCE_LABELS = {OVERRIDE: "人工设置", LIBRARY: "国务院放假安排（chinese_calendar）", PLAIN: "默认规则（周一至周五上班）",
                 CUSTOM: "自定义规则"}
MAKEUP_NAME = "调休上班"


def require_aware(value: dt.datetime, what: str = "时间") -> dt.datetime:
    """Refuse naive datetimes (ValueError): the calculator never guesses a time zone."""
    if not isinstance(value, dt.datetime):
        raise ValueError(f"{what}应为 datetime，收到 {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what}缺少时区（naive datetime）：{value.isoformat()}")
    return value


def to_us(value: dt.datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact, no float rounding)."""
    return (value - _EPOCH) // _US


def from_us(us: int, tz: dt.tzinfo) -> dt.datetime:
    return (_EPOCH + dt.timedelta(microseconds=us)).astimezone(tz)


# ---------------------------------------------------------------- office hours


def _parse_time(text: str) -> dt.time:
    text = text.strip()
    if text in ("24:00", "24:00:00"):
        raise ValueError("办公时段不能跨越午夜，结束时间请写 23:59")
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"时间格式应为 HH:MM，收到「{text}」") from None


@dataclass(frozen=True)
class OfficeHours:
    """The office periods of a working day, e.g. 08:30–12:00 and 13:30–17:30 (7.5 h, the default).

    Periods are wall-clock times in the calendar's time zone, sorted, non-overlapping, within one day.
    """

    periods: tuple[tuple[dt.time, dt.time], ...]

    def __post_init__(self):
        periods = tuple((a, b) for a, b in self.periods)
        if not periods:
            raise ValueError("至少需要一个办公时段")
        for a, b in periods:
            if not (isinstance(a, dt.time) and isinstance(b, dt.time)) or a.tzinfo or b.tzinfo:
                raise ValueError("办公时段应为不带时区的 time")
            if a >= b:
                raise ValueError(f"办公时段 {a:%H:%M}-{b:%H:%M} 的开始时间应早于结束时间")
        for (_, b1), (a2, _) in zip(periods, periods[1:], strict=False):
            if a2 < b1:
                raise ValueError("办公时段应按时间先后排列且互不重叠")
        object.__setattr__(self, "periods", periods)

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """``"08:30-12:00, 13:30-17:30"`` → OfficeHours (also accepts ``，`` ``;`` and ``–`` / ``~``)."""
        parts = [p for p in text.replace("，", ",").replace(";", ",").replace("；", ",").split(",") if p.strip()]
        periods = []
        for part in parts:
            bits = part.replace("–", "-").replace("~", "-").replace("～", "-").split("-")
            if len(bits) != 2:
                raise ValueError(f"办公时段应写作 开始-结束（如 08:30-12:00），收到「{part.strip()}」")
            periods.append((_parse_time(bits[0]), _parse_time(bits[1])))
        return cls(tuple(periods))

    def __str__(self) -> str:
        return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.periods)

    @property
    def day_seconds(self) -> float:
        """Length of one office day in seconds (27,000 = 7.5 h by default)."""
        return self.day_us / 1e6

    @property
    def day_us(self) -> int:
        return sum(
            (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)) // _US for a, b in self.periods
        )


DEFAULT_OFFICE_HOURS = OfficeHours(((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30))))


# ---------------------------------------------------------------- day classification


@dataclass(frozen=True)
class DayInfo:
    """How one date is classified: working day or not, its name (春节, 调休上班…; "" if ordinary) and source."""

    day: dt.date
    is_workday: bool
    name: str
    source: str  # override | library | plain | custom

    @property
    def ordinary(self) -> bool:
        """An ordinary day: not an override, no name, and working exactly when it is a weekday."""
        return self.source != OVERRIDE and not self.name and self.is_workday == (self.day.weekday() < 5)

    @property
    def known(self) -> bool:
        return self.source != PLAIN


def plain_rule(day: dt.date) -> bool:
    """Monday–Friday work, Saturday–Sunday rest."""
    return day.weekday() < 5


@dataclass(frozen=True)
class Override:
    is_workday: bool
    name: str = ""


def _library():
    """chinese_calendar's tables and the year range they cover (computed once)."""
    global _LIB
    if _LIB is None:
        import chinese_calendar
        from chinese_calendar.constants import Holiday

        years = [d.year for d in chinese_calendar.holidays]
        chinese = {h.value: h.chinese for h in Holiday}
        _LIB = (chinese_calendar, min(years), max(years), chinese)
    return _LIB


_LIB = None


def library_years() -> tuple[int, int]:
    """The first and last year chinese_calendar has official data for."""
    _, lo, hi, _ = _library()
    return lo, hi


class ChinaWorkdays:
    """``day → is working day`` by overrides, then chinese_calendar, then the plain rule (see module docstring).

    Callable, so it can be handed to ``WorkCalendar`` as ``is_workday``; ``info(day)`` says why.
    """

    def __init__(self, overrides: Mapping[dt.date, Override | tuple[bool, str] | bool] | None = None,
                 use_library: bool = True):
        self.overrides: dict[dt.date, Override] = {}
        for day, value in (overrides or {}).items():
            if isinstance(value, bool):
                value = Override(value)
            elif not isinstance(value, Override):
                value = Override(*value)
            self.overrides[day] = value
        self.use_library = use_library

    def info(self, day: dt.date) -> DayInfo:
        ov = self.overrides.get(day)
        if ov is not None:
            return DayInfo(day, ov.is_workday, ov.name, OVERRIDE)
        if self.use_library:
            lib, lo, hi, chinese = _library()
            if lo <= day.year <= hi:
                # the same rule as chinese_calendar.is_workday / get_holiday_detail, read from its tables directly
                # (those functions rescan the whole table on every call; a unit test checks they agree)
                if day in lib.workdays:
                    label = chinese.get(lib.workdays[day], "")
                    return DayInfo(day, True, f"{label}{MAKEUP_NAME}", LIBRARY)
                if day in lib.holidays:
                    return DayInfo(day, False, chinese.get(lib.holidays[day], lib.holidays[day]), LIBRARY)
                return DayInfo(day, plain_rule(day), "", LIBRARY)
        return DayInfo(day, plain_rule(day), "", PLAIN)

    def __call__(self, day: dt.date) -> bool:
        return self.info(day).is_workday

    def known(self, day: dt.date) -> bool:
        return self.info(day).known


# ---------------------------------------------------------------- the calendar


class WorkCalendar:
    """Working days + office hours in one time zone, with the arithmetic the SLA calculator needs.

    ``is_workday`` is any ``date → bool``; if it also has ``info(date) → DayInfo`` (like ``ChinaWorkdays``), the
    calendar can say where each classification came from. Day classifications and office periods are cached
    per date, so build one calendar and reuse it (it is immutable apart from its caches).

    Instants are handled as integer microseconds since the epoch; a day's office periods are the wall-clock
    periods of that date in ``tz``.
    """

    MAX_SCAN_DAYS = 366 * 30  # a calendar with no working time for 30 years is a configuration error

    def __init__(self, is_workday: Callable[[dt.date], bool], office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
                 tz: dt.tzinfo = SHANGHAI):
        if not isinstance(office_hours, OfficeHours):
            office_hours = OfficeHours(tuple(office_hours))
        self._rule = is_workday
        self.office_hours = office_hours
        self.tz = tz
        self._info: dict[dt.date, DayInfo] = {}
        self._periods: dict[dt.date, tuple[tuple[int, int], ...]] = {}
        self._day_total: dict[dt.date, int] = {}

    # -- days

    def info(self, day: dt.date) -> DayInfo:
        got = self._info.get(day)
        if got is None:
            rule_info = getattr(self._rule, "info", None)
            got = rule_info(day) if rule_info else DayInfo(day, bool(self._rule(day)), "", CUSTOM)
            self._info[day] = got
        return got

    def is_workday(self, day: dt.date) -> bool:
        return self.info(day).is_workday

    def known(self, day: dt.date) -> bool:
        """False when the date was classified by the plain Mon–Fri rule (no override, beyond the library's data)."""
        return self.info(day).known

    def special_days(self, year: int) -> list[DayInfo]:
        """The non-ordinary days of a year: holidays, make-up working days and every override."""
        day, end, out = dt.date(year, 1, 1), dt.date(year, 12, 31), []
        while day <= end:
            info = self.info(day)
            if not info.ordinary:
                out.append(info)
            day += dt.timedelta(days=1)
        return out

    def year_known(self, year: int) -> bool:
        """True when every day of the year is classified by an override or the library (not the plain rule)."""
        day, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        while day <= end:
            if not self.known(day):
                return False
            day += dt.timedelta(days=1)
        return True

    # -- office time (integer microseconds)

    def local_date(self, us: int) -> dt.date:
        return from_us(us, self.tz).date()

    def periods(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """The office periods of ``day`` as (start, end) epoch microseconds; empty on a rest day."""
        got = self._periods.get(day)
        if got is None:
            if self.is_workday(day):
                got = tuple(
                    (to_us(dt.datetime.combine(day, a, self.tz)), to_us(dt.datetime.combine(day, b, self.tz)))
                    for a, b in self.office_hours.periods
                )
            else:
                got = ()
            self._periods[day] = got
            self._day_total[day] = sum(e - s for s, e in got)
        return got

    def day_total(self, day: dt.date) -> int:
        if day not in self._day_total:
            self.periods(day)
        return self._day_total[day]

    def office_between(self, a: int, b: int) -> int:
        """Office time (µs) on working days within [a, b)."""
        if b <= a:
            return 0
        da, db = self.local_date(a), self.local_date(b)
        total = 0
        day = da
        one = dt.timedelta(days=1)
        while day <= db:
            periods = self.periods(day)
            if periods:
                if a <= periods[0][0] and periods[-1][1] <= b:
                    total += self._day_total[day]
                else:
                    for s, e in periods:
                        lo, hi = max(s, a), min(e, b)
                        if hi > lo:
                            total += hi - lo
            day += one
        return total

    def office_advance(self, a: int, amount: int) -> int:
        """The earliest instant t ≥ a with office_between(a, t) == amount (jumps whole days)."""
        if amount <= 0:
            return a
        day = self.local_date(a)
        one = dt.timedelta(days=1)
        for _ in range(self.MAX_SCAN_DAYS):
            periods = self.periods(day)
            if periods:
                whole = self._day_total[day]
                if a <= periods[0][0] and whole < amount:
                    amount -= whole
                else:
                    for s, e in periods:
                        s = max(s, a)
                        if s >= e:
                            continue
                        if e - s >= amount:
                            return s + amount
                        amount -= e - s
            day += one
        raise ValueError(f"工作日历在 {self.MAX_SCAN_DAYS} 天内没有足够的办公时间，请检查日历设置")


def china_calendar(overrides: Mapping[dt.date, Override | tuple[bool, str] | bool] | None = None,
                   office_hours: OfficeHours | Iterable = DEFAULT_OFFICE_HOURS, tz: dt.tzinfo = SHANGHAI,
                   use_library: bool = True) -> WorkCalendar:
    """The factory: overrides → chinese_calendar → plain Mon–Fri rule, with the given office hours."""
    return WorkCalendar(ChinaWorkdays(overrides, use_library), office_hours, tz)
