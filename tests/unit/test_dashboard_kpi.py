"""The dashboard's pure indicators: periods in Asia/Shanghai, the trend's days, rates, the on-time rule."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.dashboard import kpi

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def test_today_and_month_are_shanghai_calendar_periods():
    # 2026-11-30 17:30 UTC is already 1 December in Beijing
    p = kpi.periods(dt.datetime(2026, 11, 30, 17, 30, tzinfo=UTC))
    assert p.today == dt.datetime(2026, 12, 1, tzinfo=SH) and p.tomorrow == dt.datetime(2026, 12, 2, tzinfo=SH)
    assert p.month == dt.datetime(2026, 12, 1, tzinfo=SH) and p.next_month == dt.datetime(2027, 1, 1, tzinfo=SH)
    p = kpi.periods(dt.datetime(2026, 11, 30, 15, 59, tzinfo=UTC))
    assert p.today == dt.datetime(2026, 11, 30, tzinfo=SH) and p.next_month == dt.datetime(2026, 12, 1, tzinfo=SH)


def test_trend_days_end_today_oldest_first():
    days = kpi.trend_days(dt.datetime(2026, 3, 2, 1, 0, tzinfo=SH), 30)
    assert len(days) == 30
    assert days[-1][0] == dt.date(2026, 3, 2) and days[0][0] == dt.date(2026, 2, 1)
    assert all(a[2] == b[1] for a, b in zip(days, days[1:], strict=False)), "consecutive, no gaps"
    assert days[-1][2] - days[-1][1] == dt.timedelta(days=1)


def test_rates_and_their_display():
    assert kpi.rate(0, 0) is None and kpi.percent(None) == "—"
    assert kpi.rate(2, 3) == pytest.approx(0.6667, abs=1e-4) and kpi.percent(2 / 3) == "66.7%"
    assert kpi.percent(kpi.rate(0, 5)) == "0.0%" and kpi.percent(kpi.rate(5, 5)) == "100.0%"
    with pytest.raises(ValueError):
        kpi.rate(4, 3)


def test_on_time_rule():
    due = dt.datetime(2026, 11, 18, 12, tzinfo=SH)
    assert kpi.on_time(due, due) and kpi.on_time(due - dt.timedelta(minutes=1), due)
    assert not kpi.on_time(due + dt.timedelta(seconds=1), due)
    assert kpi.on_time(None, None), "a stage without a clock cannot be late"
    assert not kpi.on_time(None, due)


def test_tallies_add_up_and_rates_follow():
    a = kpi.Tally(closed=2, closed_on_time=1, handled=4, reworked=1, overdue=3)
    b = kpi.Tally(closed=2, closed_on_time=2, handled=0, reworked=0, open=5)
    t = kpi.total([a, b])
    assert (t.closed, t.closed_on_time, t.handled, t.reworked, t.open, t.overdue) == (4, 3, 4, 1, 5, 3)
    assert t.on_time_rate == 0.75 and t.rework_rate == 0.25
    assert b.rework_rate is None and kpi.total([]) == kpi.Tally()
