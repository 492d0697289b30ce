"""The due-inspection schedule (gridgov/inspection/logic/schedule.py), with expected days written out by hand."""

import datetime as dt

import pytest

from gridgov.inspection.logic import schedule

D = dt.date

PERIODS = [
    # (frequency, day, first day, last day)
    ("weekly", D(2026, 11, 20), D(2026, 11, 16), D(2026, 11, 22)),  # a Friday: Monday 16th to Sunday 22nd
    ("weekly", D(2026, 11, 16), D(2026, 11, 16), D(2026, 11, 22)),
    ("weekly", D(2026, 12, 31), D(2026, 12, 28), D(2027, 1, 3)),  # across the new year
    ("monthly", D(2026, 2, 14), D(2026, 2, 1), D(2026, 2, 28)),
    ("monthly", D(2028, 2, 14), D(2028, 2, 1), D(2028, 2, 29)),  # leap year
    ("monthly", D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31)),
    ("quarterly", D(2026, 5, 3), D(2026, 4, 1), D(2026, 6, 30)),
    ("quarterly", D(2026, 12, 1), D(2026, 10, 1), D(2026, 12, 31)),
    ("half_yearly", D(2026, 6, 30), D(2026, 1, 1), D(2026, 6, 30)),
    ("half_yearly", D(2026, 7, 1), D(2026, 7, 1), D(2026, 12, 31)),
    ("yearly", D(2026, 3, 9), D(2026, 1, 1), D(2026, 12, 31)),
]


@pytest.mark.parametrize(("frequency", "day", "first", "last"), PERIODS)
def test_periods_are_calendar_periods(frequency, day, first, last):
    assert schedule.period_start(frequency, day) == first
    assert schedule.period_end(frequency, day) == last


STATUS = [
    # (frequency, joined the plan, last inspected, today) → (due on, state, days overdue)
    # never inspected: due by the end of the period it joined in
    ("monthly", D(2026, 11, 1), None, D(2026, 11, 20), D(2026, 11, 30), "due", 0),
    ("monthly", D(2026, 11, 1), None, D(2026, 12, 3), D(2026, 11, 30), "overdue", 3),
    # inspected on 3 March: next due by the end of April; in March it is done, in April due, in May overdue
    ("monthly", D(2026, 1, 1), D(2026, 3, 3), D(2026, 3, 31), D(2026, 4, 30), "done", 0),
    ("monthly", D(2026, 1, 1), D(2026, 3, 3), D(2026, 4, 1), D(2026, 4, 30), "due", 0),
    ("monthly", D(2026, 1, 1), D(2026, 3, 3), D(2026, 5, 2), D(2026, 4, 30), "overdue", 2),
    # quarterly, inspected in Q1: due by 30 June
    ("quarterly", D(2026, 1, 1), D(2026, 2, 10), D(2026, 3, 15), D(2026, 6, 30), "done", 0),
    ("quarterly", D(2026, 1, 1), D(2026, 2, 10), D(2026, 4, 1), D(2026, 6, 30), "due", 0),
    ("quarterly", D(2026, 1, 1), D(2026, 2, 10), D(2026, 7, 10), D(2026, 6, 30), "overdue", 10),
    # weekly, inspected on Wednesday 18 Nov 2026: due by Sunday 29 Nov
    ("weekly", D(2026, 11, 2), D(2026, 11, 18), D(2026, 11, 22), D(2026, 11, 29), "done", 0),
    ("weekly", D(2026, 11, 2), D(2026, 11, 18), D(2026, 11, 23), D(2026, 11, 29), "due", 0),
    ("weekly", D(2026, 11, 2), D(2026, 11, 18), D(2026, 11, 30), D(2026, 11, 29), "overdue", 1),
    # yearly, across the year's end
    ("yearly", D(2025, 6, 1), D(2025, 12, 30), D(2026, 12, 31), D(2026, 12, 31), "due", 0),
    ("yearly", D(2025, 6, 1), D(2025, 12, 30), D(2027, 1, 1), D(2026, 12, 31), "overdue", 1),
]


@pytest.mark.parametrize(("frequency", "start", "last", "today", "due_on", "state", "late"), STATUS)
def test_status(frequency, start, last, today, due_on, state, late):
    s = schedule.status(frequency, start, last, today)
    assert (s.due_on, s.state, s.days_overdue) == (due_on, state, late)


def test_labels_are_chinese():
    assert schedule.status("monthly", D(2026, 11, 1), None, D(2026, 12, 1)).label == "已超期"
    assert schedule.FREQUENCIES["quarterly"] == "每季度"


def test_an_unknown_frequency_is_refused():
    with pytest.raises(ValueError):
        schedule.period_start("daily", D(2026, 1, 1))
