"""季节规律 (seasonal patterns): how a matter's cases spread over the months of the year and the days of the week.
Pure.

The index of a month is its mean daily cases divided by the mean over the whole span (1.0 = an ordinary month,
1.5 = half again as many). Months and weekdays are averaged over every year in the data, so one odd year weighs
less. With at least two full years of weekly counts, ``strength`` (statsmodels STL) says how much of the weekly
series' variation the yearly cycle explains (0 = none, 1 = all).
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MONTHS = tuple(f"{m}月" for m in range(1, 13))


@dataclass(frozen=True)
class Profile:
    months: tuple[float | None, ...]  # 12 indices (None: the month is not in the data)
    weekdays: tuple[float, ...]  # 7 indices, Monday first
    peak_month: int | None  # 1..12
    peak_weekday: int  # 0..6
    days: int  # days covered


def profile(days: Iterable[dt.date], first: dt.date, last: dt.date) -> Profile | None:
    """The month and weekday indices of the cases reported on ``days`` (one date per case) in [first, last]."""
    per_day = Counter(d for d in days if first <= d <= last)
    span = (last - first).days + 1
    if span <= 0 or not per_day:
        return None
    mean = sum(per_day.values()) / span
    month_days, month_cases = Counter(), Counter()
    wd_days, wd_cases = Counter(), Counter()
    for i in range(span):
        d = first + dt.timedelta(days=i)
        month_days[d.month] += 1
        wd_days[d.weekday()] += 1
        month_cases[d.month] += per_day.get(d, 0)
        wd_cases[d.weekday()] += per_day.get(d, 0)
    months = tuple(round(month_cases[m] / month_days[m] / mean, 2) if month_days[m] else None for m in range(1, 13))
    weekdays = tuple(round(wd_cases[w] / wd_days[w] / mean, 2) if wd_days[w] else 0.0 for w in range(7))
    known = [(v, m) for m, v in enumerate(months, 1) if v is not None]
    peak_month = max(known)[1] if len(known) >= 3 else None  # one or two months say nothing of a season
    return Profile(months, weekdays, peak_month, max(range(7), key=lambda w: weekdays[w]), span)


def strength(weekly: list[float], period: int = 52) -> float | None:
    """STL seasonal strength of a weekly series (Wang, Smith & Hyndman: 1 − Var(R) / Var(S + R)); None under two
    full cycles."""
    if len(weekly) < 2 * period:
        return None
    import numpy as np
    from statsmodels.tsa.seasonal import STL

    res = STL(np.asarray(weekly, dtype=float), period=period, robust=True).fit()
    denom = float(np.var(res.seasonal + res.resid))
    if denom == 0:
        return 0.0
    return round(max(0.0, 1 - float(np.var(res.resid)) / denom), 2)
