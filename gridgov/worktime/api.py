"""Working calendar and deadline API (mounted at /api/v1/worktime): the special days of a year, and a due-time check.

Parse → call a service → serialise. Both endpoints need a signed-in account (the API's global auth);
``POST /due`` is for staff (any post with the ``geo.view`` right, i.e. not residents).
"""

import datetime as dt

from django.utils import timezone
from ninja import Field, Router, Schema

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.errors import DomainError
from gridgov.schemas import answers

from . import services
from .logic.calendar import SHANGHAI
from .logic.sla import UNIT_LABELS, Unit, units_described

router = Router(tags=["工作日历与时限"])

WEEKDAYS = "一二三四五六日"
MAX_AMOUNT = 100_000  # 100,000 working hours ≈ 50 years: any real budget, and a bounded answer


class DayOut(Schema):
    date: dt.date
    weekday: str
    is_workday: bool
    name: str
    source: str = Field(description="override（人工设置）/ library（chinese_calendar）/ plain（默认规则）")
    source_label: str


class YearOut(Schema):
    year: int
    library_years: list[int]
    library_covers: bool
    overrides: int
    warning: str | None
    office_hours: str
    days: list[DayOut]


def _day(info) -> dict:
    return {
        "date": info.day, "weekday": f"星期{WEEKDAYS[info.day.weekday()]}", "is_workday": info.is_workday,
        "name": info.name or ("上班" if info.is_workday else "休息"), "source": info.source,
        "source_label": services.source_label(info.source),
    }


@router.get("/days", response=answers(YearOut, 400, 422), summary="一年的工作日历：节假日、调休上班日和人工调整（不含普通工作日和普通周末）")
def days(request, year: int | None = None):
    year = year or timezone.localtime(timezone.now(), SHANGHAI).year
    report = services.year_report(year)
    return {
        "year": year, "library_years": [report.library_first, report.library_last],
        "library_covers": report.library_covers, "overrides": report.overrides, "warning": report.warning,
        "office_hours": str(services.current_calendar().office_hours), "days": [_day(d) for d in report.days],
    }


class PauseIn(Schema):
    start: dt.datetime
    end: dt.datetime | None = None


class DueIn(Schema):
    start: dt.datetime = Field(description="开始时间，须带时区，如 2026-02-13T10:00:00+08:00")
    amount: float = Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False, title="时限数值",
                          description=f"时限数值，可为小数（如 0.5 个工作日），最大 {MAX_AMOUNT}")
    unit: Unit = Field(description=units_described())
    pauses: list[PauseIn] = Field(default_factory=list, max_length=1000, description="挂账/缓办区间；end 为空表示仍在暂停")


class DueOut(Schema):
    start: dt.datetime
    amount: float
    unit: Unit
    unit_label: str
    due: dt.datetime | None = Field(description="到期时间（北京时间）；仍在暂停中则为空")
    paused: bool
    plain_rule_dates: list[dt.date] = Field(description="计算中按默认规则（周一至周五上班）处理的日期，说明该年放假安排尚未录入")


@router.post("/due", response=answers(DueOut, 400, 403, 422), summary="计算到期时间（供工作人员核对时限）")
def due(request, payload: DueIn):
    require(request.user, roles.VIEW)
    for t in [payload.start] + [x for p in payload.pauses for x in (p.start, p.end) if x is not None]:
        if not services.MIN_YEAR <= t.year <= services.MAX_YEAR:
            raise DomainError("invalid_deadline_input",
                              f"时间应在 {services.MIN_YEAR}–{services.MAX_YEAR} 年之间，收到 {t.year} 年")
    calendar = services.current_calendar()
    pauses = [(p.start, p.end) for p in payload.pauses]
    when = services.due(payload.start, payload.amount, payload.unit, pauses, calendar=calendar)
    start_day = payload.start.astimezone(SHANGHAI).date()
    last_day = (when.astimezone(SHANGHAI).date() if when else start_day)
    plain = []
    day = start_day
    while day <= last_day:
        if not calendar.known(day) and (payload.unit in (Unit.WORK_HOURS, Unit.WORK_DAYS)):
            plain.append(day)
        day += dt.timedelta(days=1)
    return {
        "start": payload.start.astimezone(SHANGHAI), "amount": payload.amount, "unit": payload.unit,
        "unit_label": UNIT_LABELS[payload.unit], "due": when.astimezone(SHANGHAI) if when else None,
        "paused": when is None, "plain_rule_dates": plain,
    }
