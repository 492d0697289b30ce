"""The 值班 roster's rules: a shift's span, and whether a day is covered 24 hours (written out by hand)."""

import datetime as dt
from zoneinfo import ZoneInfo

from gridgov.duty.logic import plans, roster

CST = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 2)
START, END = dt.datetime(2026, 12, 2, tzinfo=CST), dt.datetime(2026, 12, 3, tzinfo=CST)


def t(day, h, m=0):
    return dt.datetime(2026, 12, day, h, m, tzinfo=CST)


def test_a_shift_must_end_after_it_starts_and_last_at_most_48_hours():
    assert roster.span_problem(t(2, 8, 30), t(2, 8, 30)) == "班次结束时间必须晚于开始时间"
    assert roster.span_problem(t(2, 8, 30), t(2, 8, 0)) == "班次结束时间必须晚于开始时间"
    assert roster.span_problem(t(2, 8, 30), t(4, 9, 0)) == "一个班次不能超过 48 小时"
    assert roster.span_problem(t(2, 8, 30), t(3, 8, 30)) is None
    assert roster.span_problem(t(2, 8, 30), t(4, 8, 30)) is None


def test_touching_shifts_do_not_overlap():
    assert roster.overlaps(t(1, 8, 30), t(2, 8, 30), t(2, 8, 30), t(3, 8, 30)) is False
    assert roster.overlaps(t(1, 8, 30), t(2, 9, 0), t(2, 8, 30), t(3, 8, 30)) is True


def test_two_24_hour_shifts_cover_the_day():
    c = roster.cover(DAY, START, END, [(t(1, 8, 30), t(2, 8, 30)), (t(2, 8, 30), t(3, 8, 30))])
    assert c.covered and c.gaps == () and c.doubled == ()


def test_a_missing_night_is_a_gap():
    c = roster.cover(DAY, START, END, [(t(1, 8, 30), t(2, 8, 30)), (t(2, 8, 30), t(2, 20, 30))])
    assert not c.covered
    assert c.gaps == ((t(2, 20, 30), END),)


def test_gaps_at_both_ends_and_an_overlap():
    c = roster.cover(DAY, START, END, [(t(2, 7, 0), t(2, 19, 0)), (t(2, 18, 0), t(2, 23, 0))])
    assert c.gaps == ((START, t(2, 7, 0)), (t(2, 23, 0), END))
    assert c.doubled == ((t(2, 18, 0), t(2, 19, 0)),)


def test_no_shift_leaves_the_whole_day_uncovered():
    assert roster.cover(DAY, START, END, []).gaps == ((START, END),)


def test_a_plan_starts_for_an_urgent_case_of_its_matters_or_majors():
    rule = plans.PlanRule(1, frozenset({"52001", "09012"}), frozenset({"53"}))
    table = [  # (matter, urgency) → starts
        (("52001", "urgent"), True), (("09012", "urgent"), True), (("53002", "urgent"), True),
        (("52001", "normal"), False), (("52002", "urgent"), False), ((None, "urgent"), False),
    ]
    for (matter, urgency), want in table:
        assert plans.matches(rule, matter, urgency) is want, (matter, urgency)


def test_time_limits_read_in_hours_and_minutes():
    assert [plans.limit_label(m) for m in (10, 60, 90, 1440)] == ["10 分钟", "1 小时", "1 小时 30 分钟", "24 小时"]
