"""The late rule of campaigns and tasks (seed 003 篇6: 每月27日前上报), with dates written out by hand."""

import datetime as dt

import pytest

from gridgov.tasks.logic import late

D = dt.date


@pytest.mark.parametrize(("year", "month", "day", "due"), [
    (2027, 2, 27, D(2027, 2, 27)),
    (2027, 3, 27, D(2027, 3, 27)),
    (2027, 4, 31, D(2027, 4, 30)),   # day 31 in a 30-day month: the month's last day
    (2027, 6, 31, D(2027, 6, 30)),
    (2027, 5, 31, D(2027, 5, 31)),
    (2027, 2, 30, D(2027, 2, 28)),   # February of a common year
    (2028, 2, 30, D(2028, 2, 29)),   # February of a leap year
    (2028, 2, 29, D(2028, 2, 29)),
    (2027, 12, 31, D(2027, 12, 31)),
    (2027, 1, 1, D(2027, 1, 1)),
])
def test_due_day_of_a_month(year, month, day, due):
    assert late.due_day(year, month, day) == due


@pytest.mark.parametrize("day", [0, 32, -1])
def test_a_report_day_outside_1_to_31_is_refused(day):
    with pytest.raises(ValueError):
        late.due_day(2027, 3, day)


@pytest.mark.parametrize(("due", "done", "today", "state", "is_late"), [
    (D(2027, 2, 27), D(2027, 2, 20), D(2027, 3, 5), "on_time", False),
    (D(2027, 2, 27), D(2027, 2, 27), D(2027, 2, 27), "on_time", False),   # on the day itself: on time
    (D(2027, 2, 27), D(2027, 2, 28), D(2027, 2, 28), "late", True),        # the day after: late
    (D(2027, 2, 27), D(2027, 3, 3), D(2027, 3, 10), "late", True),
    (D(2027, 2, 27), None, D(2027, 2, 27), "pending", False),              # nothing yet, still the due day
    (D(2027, 2, 27), None, D(2027, 2, 28), "missing", True),               # nothing, the day after
    (D(2027, 2, 27), None, D(2027, 1, 30), "pending", False),
    (D(2027, 4, 30), D(2027, 4, 30), D(2027, 5, 1), "on_time", False),     # report day 31 in April → 30th
    (D(2027, 4, 30), D(2027, 5, 1), D(2027, 5, 1), "late", True),
    (D(2027, 4, 30), None, D(2027, 5, 1), "missing", True),
    (D(2027, 12, 31), D(2028, 1, 1), D(2028, 1, 2), "late", True),         # across the year end
])
def test_state_and_lateness(due, done, today, state, is_late):
    assert late.state(due, done, today) == state
    assert late.is_late(state) is is_late


def test_labels_of_every_state():
    assert late.STATE_LABELS == {"on_time": "按时", "late": "逾期上报", "missing": "逾期未报", "pending": "未到期"}


@pytest.mark.parametrize(("periods", "until", "months"), [
    # the seed's 检查实施阶段 2月1日-4月30日: reports for February, March and April
    ([(D(2027, 2, 1), D(2027, 4, 30))], D(2027, 12, 1), [D(2027, 2, 1), D(2027, 3, 1), D(2027, 4, 1)]),
    # a phase starting and ending mid-month still owes those months
    ([(D(2027, 1, 25), D(2027, 2, 3))], D(2027, 12, 1), [D(2027, 1, 1), D(2027, 2, 1)]),
    # across the year end
    ([(D(2026, 11, 15), D(2027, 1, 10))], D(2027, 12, 1), [D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1)]),
    # an open phase (长效: 长期) counts up to the given day
    ([(D(2027, 5, 1), None)], D(2027, 7, 9), [D(2027, 5, 1), D(2027, 6, 1), D(2027, 7, 1)]),
    # two phases overlapping in a month count that month once
    ([(D(2027, 2, 1), D(2027, 3, 10)), (D(2027, 3, 11), D(2027, 3, 31))], D(2027, 12, 1),
     [D(2027, 2, 1), D(2027, 3, 1)]),
    ([], D(2027, 12, 1), []),
])
def test_months_that_owe_a_report(periods, until, months):
    assert late.months(periods, until) == months


@pytest.mark.parametrize(("start", "end", "problem"), [
    (D(2027, 2, 1), D(2027, 4, 30), None),
    (D(2027, 2, 1), D(2027, 2, 1), None),
    (D(2027, 5, 1), None, None),
    (D(2027, 4, 30), D(2027, 2, 1), "阶段的结束日期（2027-02-01）早于开始日期（2027-04-30）"),
    (None, D(2027, 2, 1), "阶段须有开始日期"),
])
def test_phase_dates(start, end, problem):
    assert late.phase_problem(start, end) == problem
