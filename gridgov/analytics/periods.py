"""The dashboard's period picker: day / week (Monday to Sunday) / month / quarter / year / a custom range of days,
all in local days (Asia/Shanghai) — each a ``kpi.logic.indicators.Period`` (half-open [start, end)), whose
``shifted_year`` is its 同比 and ``previous`` its 环比 (a day: the day before; a week: the week before)."""

import datetime as dt

from gridgov.kpi.logic import indicators as ind

KINDS = {"day": "日", "week": "周", "month": "月", "quarter": "季度", "year": "年", "range": "自定义"}


def of(kind: str, day: dt.date, until: dt.date | None = None) -> ind.Period:
    """The period of ``kind`` holding local ``day`` (a range: ``day`` … ``until`` inclusive)."""
    if kind == "day":
        return ind.day_range(day, day)
    if kind == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return ind.day_range(monday, monday + dt.timedelta(days=6))
    if kind == "month":
        return ind.month(day.year, day.month)
    if kind == "quarter":
        return ind.quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == "year":
        return ind.year(day.year)
    if kind == "range":
        return ind.day_range(day, until or day)
    raise ValueError(f"未知的期间类型「{kind}」：应为 日、周、月、季度、年 或 自定义")


def parse(kind: str, value: str, until: str = "") -> ind.Period:
    """From the picker's fields: kind and a date 「2026-11-18」 (a month also 「2026-11」, a quarter 「2026-Q4」, a
    year 「2026」); a range takes ``until`` too. Raises ValueError with a Chinese message."""
    value, until = (value or "").strip(), (until or "").strip()
    if kind in ("month", "quarter", "year") and value and not _is_date(value):
        p = ind.parse_period(value)
        if p.kind != kind:
            raise ValueError(f"「{value}」不是{KINDS[kind]}")
        return p
    try:
        day = dt.date.fromisoformat(value)
        last = dt.date.fromisoformat(until) if kind == "range" else None
    except ValueError:
        raise ValueError(f"日期「{value if not _is_date(value) else until}」应为 YYYY-MM-DD") from None
    return of(kind, day, last)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def last_quarter(today: dt.date) -> ind.Period:
    """上季度 of ``today``."""
    q = (today.month - 1) // 3
    return ind.quarter(today.year - (q == 0), q or 4)
