"""The working calendar from the database, and deadlines over it. The only place that writes worktime rows.

``current_calendar()`` builds a ``WorkCalendar`` from the ``CalendarDay`` overrides, chinese_calendar and the
office hours of ``WorkSetting``, and keeps it in memory. Each call checks a cheap fingerprint of both tables
(row count, sum of ids and latest modification time: two aggregate queries) — at most once a second, see
``gridgov.fresh`` — so a row added, edited or deleted in the admin, by a service or by another process is seen;
writes through this module are seen at once. The rebuilt calendar starts with empty day caches.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.audit import services as audit
from gridgov.errors import DomainError
from gridgov.fresh import Fresh

from .logic import sla
from .logic.calendar import (
    SOURCE_LABELS,
    DayInfo,
    OfficeHours,
    Override,
    WorkCalendar,
    china_calendar,
    library_years,
)
from .models import CalendarDay, WorkSetting


@dataclass(frozen=True)
class _State:
    fingerprint: tuple
    calendar: WorkCalendar
    yellow_share: float


def _build(fingerprint: tuple) -> _State:
    overrides = {d: Override(w, n) for d, w, n in CalendarDay.objects.values_list("date", "is_workday", "name")}
    setting = WorkSetting.load()
    try:
        hours = setting.parsed_office_hours
    except ValueError as e:  # only reachable by writing the row around its validator
        raise DomainError("invalid_office_hours", f"工作时间设置有误：{e}") from e
    return _State(fingerprint, china_calendar(overrides, hours), setting.yellow_share)


def _fingerprint() -> tuple:
    days = CalendarDay.objects.aggregate(n=Count("id"), ids=Sum("id"), last=Max("updated_at"))
    setting = WorkSetting.objects.filter(pk=WorkSetting.SINGLETON).values_list("updated_at", flat=True).first()
    return days["n"], days["ids"], days["last"], setting


_state: Fresh[_State] = Fresh(_fingerprint, _build)


def _current() -> _State:
    return _state.get()


def current_calendar() -> WorkCalendar:
    """The working calendar: CalendarDay overrides → chinese_calendar → Mon–Fri rule; office hours from WorkSetting."""
    return _current().calendar


def yellow_share() -> float:
    return _current().yellow_share


# ---------------------------------------------------------------- deadlines


def _check(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValueError as e:
        raise DomainError("invalid_deadline_input", str(e)) from e
    except OverflowError as e:  # a budget or a date beyond what a datetime holds (year 9999)
        raise DomainError("invalid_deadline_input", "时限过长：到期时间超出可计算的范围") from e


def due(start: dt.datetime, amount: float, unit: str, pauses=(), calendar: WorkCalendar | None = None):
    """The due time of a budget (see ``logic.sla.due_time``); None while an open pause holds the clock.

    Bad input (naive datetime, negative amount, unknown unit, a pause ending before it starts) raises
    DomainError ``invalid_deadline_input``.
    """
    return _check(sla.due_time, start, amount, unit, calendar or current_calendar(), pauses)


def elapsed(start: dt.datetime, unit: str, now: dt.datetime | None = None, pauses=(),
            calendar: WorkCalendar | None = None) -> float:
    return _check(sla.elapsed, start, now or timezone.now(), unit, calendar or current_calendar(), pauses)


def warning(start: dt.datetime, amount: float, unit: str, now: dt.datetime | None = None, pauses=()) -> str:
    """green / yellow / red with the configured warning share (see ``logic.sla.warning_level``)."""
    state = _current()
    budget = _check(sla.due_budget, amount, unit)
    return _check(sla.warning_level, start, budget, now or timezone.now(), state.calendar, pauses,
                  state.yellow_share)


# ---------------------------------------------------------------- the calendar of a year


MIN_YEAR, MAX_YEAR = 1949, 2200


@dataclass
class YearReport:
    year: int
    days: list[DayInfo]
    library_covers: bool
    overrides: int
    library_first: int
    library_last: int

    @property
    def warning(self) -> str | None:
        if self.library_covers or self.overrides:
            return None
        return (f"{self.year} 年超出 chinese_calendar 的数据范围（{self.library_first}–{self.library_last} 年），"
                "且没有人工设置的日历调整：该年按“周一至周五上班、周六周日休息”计算，法定节假日和调休未计入。"
                "请在管理后台“日历调整”中录入国务院办公厅公布的放假安排。")


def year_report(year: int) -> YearReport:
    if not (MIN_YEAR <= year <= MAX_YEAR):
        raise DomainError("invalid_year", f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间，收到 {year}")
    first, last = library_years()
    overrides = CalendarDay.objects.filter(date__year=year).count()
    return YearReport(year, current_calendar().special_days(year), first <= year <= last, overrides, first, last)


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


# ---------------------------------------------------------------- writes


DAY_FIELDS = ("date", "is_workday", "name", "note")
SETTING_FIELDS = ("office_hours", "yellow_share")


def _configure(user) -> None:
    if user is not None:  # None: the operator on the command line
        require(user, roles.CASE_CONFIGURE)


@transaction.atomic
def set_day(day: dt.date, is_workday: bool, name: str = "", note: str = "", *, user=None) -> CalendarDay:
    """Declare ``day`` a working day or a rest day (creates or replaces its override); audited."""
    _configure(user)
    row = CalendarDay.objects.select_for_update().filter(date=day).first() or CalendarDay(date=day)
    row.is_workday, row.name, row.note = bool(is_workday), (name or "").strip(), (note or "").strip()
    audit.save_row(user, row, DAY_FIELDS, "calendar_day", day.isoformat())
    _state.invalidate()
    return row


@transaction.atomic
def remove_day(day: dt.date, *, user=None) -> bool:
    """Drop the override of ``day`` (the library or the plain rule applies again); audited."""
    _configure(user)
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:
        return False
    audit.delete_row(user, row, DAY_FIELDS, "calendar_day", day.isoformat())
    _state.invalidate()
    return True


@transaction.atomic
def update_setting(office_hours: str | None = None, yellow_share: float | None = None, *, user=None) -> WorkSetting:
    _configure(user)
    setting = WorkSetting.load()
    if office_hours is not None:
        try:
            setting.office_hours = str(OfficeHours.parse(office_hours))
        except ValueError as e:
            raise DomainError("invalid_office_hours", str(e)) from e
    if yellow_share is not None:
        if not (0 < yellow_share <= 1):
            raise DomainError("invalid_yellow_share", f"预警比例应在 (0, 1] 之间，收到 {yellow_share}")
        setting.yellow_share = yellow_share
    audit.save_row(user, setting, SETTING_FIELDS, "work_setting")
    _state.invalidate()
    return setting
