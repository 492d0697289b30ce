"""The assessment's periods — pure: a month "YYYY-MM" (Asia/Shanghai, half-open) and the year to its end.

Parts 1, 2, 4, 5, 6 of 003 篇7 are updated "根据完成进度每月考评时": their registers count the year to date,
``[1 January 00:00, the period's next month 00:00)``; part 3 counts the month.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    pass


def parse(period: str) -> tuple[int, int]:
    m = _PERIOD.match((period or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2099:
        raise PeriodError(f"考评期间「{period}」应为 YYYY-MM 形式的月份（2000—2099 年）")
    return int(m.group(1)), int(m.group(2))


def month(period: str, tz=SHANGHAI) -> tuple[dt.datetime, dt.datetime]:
    y, m = parse(period)
    return dt.datetime(y, m, 1, tzinfo=tz), dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=tz)


def year_to_date(period: str, tz=SHANGHAI) -> tuple[dt.datetime, dt.datetime]:
    y, _ = parse(period)
    return dt.datetime(y, 1, 1, tzinfo=tz), month(period, tz)[1]


def of(when: dt.datetime, tz=SHANGHAI) -> str:
    local = when.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


def previous(period: str, n: int = 1) -> str:
    y, m = parse(period)
    k = y * 12 + (m - 1) - n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"
