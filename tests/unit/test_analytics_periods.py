"""The period picker (gridgov.analytics.periods) and the roll-up's pure definition (gridgov.analytics.logic):
boundaries typed by hand — weeks start on Monday, quarters, a custom range includes both ends, days are
Asia/Shanghai days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.analytics import logic, periods

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def local(y, m, d):
    return dt.datetime(y, m, d, tzinfo=SH)


def test_a_week_runs_monday_to_sunday():
    p = periods.of("week", dt.date(2026, 12, 3))  # a Thursday
    assert (p.start, p.end) == (local(2026, 11, 30), local(2026, 12, 7))
    assert periods.of("week", dt.date(2026, 11, 30)).start == local(2026, 11, 30), "Monday opens its own week"
    assert periods.of("week", dt.date(2026, 12, 6)).start == local(2026, 11, 30), "Sunday closes it"
    before = p.previous()
    assert (before.start, before.end) == (local(2026, 11, 23), local(2026, 11, 30)), "环比: the week before"


def test_day_month_quarter_year():
    d = periods.of("day", dt.date(2026, 3, 1))
    assert (d.start, d.end) == (local(2026, 3, 1), local(2026, 3, 2))
    assert d.previous().start == local(2026, 2, 28)
    q = periods.of("quarter", dt.date(2026, 12, 3))
    assert (q.start, q.end, q.label) == (local(2026, 10, 1), local(2027, 1, 1), "2026-Q4")
    assert q.previous().label == "2026-Q3" and q.shifted_year().label == "2025-Q4"
    assert periods.parse("quarter", "2026-Q1").start == local(2026, 1, 1)
    assert periods.parse("month", "2026-02").end == local(2026, 3, 1)
    assert periods.parse("year", "2025").end == local(2026, 1, 1)
    assert periods.last_quarter(dt.date(2026, 2, 10)).label == "2025-Q4"
    assert periods.last_quarter(dt.date(2026, 12, 3)).label == "2026-Q3"


def test_a_custom_range_includes_both_days():
    p = periods.parse("range", "2026-11-01", "2026-11-15")
    assert (p.start, p.end) == (local(2026, 11, 1), local(2026, 11, 16))
    assert p.previous().start == local(2026, 10, 17), "环比: the 15 days before"
    with pytest.raises(ValueError, match="结束日期不能早于开始日期"):
        periods.parse("range", "2026-11-15", "2026-11-01")
    with pytest.raises(ValueError, match="应为 YYYY-MM-DD"):
        periods.parse("day", "11/15/2026")
    with pytest.raises(ValueError, match="未知的期间类型"):
        periods.parse("fortnight", "2026-11-01")


def test_days_are_shanghai_days():
    # 2026-11-30 16:30 UTC is 1 December 00:30 in Beijing: the roll-up counts it on 1 December
    assert logic.day(dt.datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == dt.date(2026, 12, 1)
    assert logic.day(dt.datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == dt.date(2026, 11, 30)
    assert logic.month_number(dt.datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == 202612
    assert logic.month_number(None) == 0


def _case(**kw):
    base = {"reported_at": None, "registered_at": None, "dispatched_at": None, "handled_at": None,
            "closed_at": None, "handle_due_at": None, "late_stages": 0, "source": "grid_worker", "rework_count": 0,
            "handle_hours": None, "satisfaction": None, "scope_key": "110101001002.U0007", "grid": "110101001002M01",
            "department": 7, "major": "event-06", "restricted": ""}
    return base | kw


def test_one_case_counts_on_the_days_of_its_steps():
    c = _case(reported_at=local(2026, 3, 2) + dt.timedelta(hours=9), registered_at=local(2026, 3, 2) + dt.timedelta(
        hours=10), closed_at=local(2026, 3, 4) + dt.timedelta(hours=9), late_stages=16, satisfaction=3,
        handled_at=local(2026, 3, 3) + dt.timedelta(hours=15), handle_hours=6.0, rework_count=1)
    events = [("dispatch", "dispatcher", local(2026, 3, 2) + dt.timedelta(hours=11)),
              ("return", "handler", local(2026, 3, 2) + dt.timedelta(hours=12)),
              ("inspect_fail", "inspector", local(2026, 3, 3) + dt.timedelta(hours=16)),
              ("report", "grid_worker", local(2026, 3, 2) + dt.timedelta(hours=9))]
    daily, cohort = logic.counts(c, events)
    assert daily == {
        dt.date(2026, 3, 2): {"reported": 1, "valid": 1, "registered": 1, "registered_on_time": 1, "found_own": 1,
                              "dispatches": 1, "dispatch_misses": 1},
        dt.date(2026, 3, 3): {"handled": 1, "reworked": 1, "handle_hours_sum": 6.0, "handle_hours_n": 1,
                              "inspected": 1, "inspected_on_time": 1},
        dt.date(2026, 3, 4): {"closed": 1, "followed": 1, "satisfaction_sum": 3},  # 处置 late: not on time
    }
    assert cohort == {("close", dt.date(2026, 3, 2), 202603): 1}
    groups = logic.groups(c)
    assert groups == [("grid", "110101001002M01", "110101001002", ""), ("department", "7", "110101001", ""),
                      ("major", "event-06", "110101001", ""), ("source", "grid_worker", "110101001", ""),
                      ("community", "", "110101001002", ""), ("street", "", "110101001", "")]


def test_a_change_is_the_difference_of_before_and_after():
    before = _case(reported_at=local(2026, 3, 2))
    after = _case(reported_at=local(2026, 3, 2), registered_at=local(2026, 3, 3), department=8)
    daily, cohort = logic.difference((before, []), (after, []))
    # the department moved from 7 to 8: its report leaves department 7 and arrives at department 8
    assert daily[(("department", "7", "110101001", ""), "d", dt.date(2026, 3, 2))] == {"reported": -1}
    assert daily[(("department", "8", "110101001", ""), "d", dt.date(2026, 3, 2))] == {"reported": 1, "valid": 1}
    assert daily[(("grid", "110101001002M01", "110101001002", ""), "d", dt.date(2026, 3, 2))] == {"valid": 1}
    # … and the same in the month's row (its day: the 1st)
    assert daily[(("department", "8", "110101001", ""), "m", dt.date(2026, 3, 1))] == {
        "reported": 1, "valid": 1, "registered": 1, "registered_on_time": 1, "found_own": 1}
    assert cohort[(("grid", "110101001002M01", "110101001002", ""), "d", ("close", dt.date(2026, 3, 3), 0))] == 1
    assert cohort[(("grid", "110101001002M01", "110101001002", ""), "m", ("close", dt.date(2026, 3, 1), 0))] == 1
    assert daily[(("street", "", "110101001", ""), "d", dt.date(2026, 3, 3))] == {
        "registered": 1, "registered_on_time": 1, "found_own": 1}
    # days: department 7 on the 2nd; department 8, the grid, the major class, the source, the community and the
    # street on the 2nd and the 3rd; months: those seven groups' March rows. Cohorts: the 6 groups × day and month.
    assert len(daily) == 1 + 6 * 2 + 7 and len(cohort) == 12


def open_case(**fields):
    base = {"status": "accepted", "stage": "handle", "paused_at": None, "stage_due_at": local(2026, 11, 20),
            "scope_key": "110101001001.110101001001001", "management_grid_id": 7, "assignee_department_id": 3,
            "restricted": ""}
    return {**base, **fields}


@pytest.mark.parametrize("fields, key", [
    ({}, ("110101001001", 7, 3, "", 202611)),
    # the due time's Shanghai month: 30 November 17:00 UTC is 1 December 01:00 in Beijing
    ({"stage_due_at": dt.datetime(2026, 11, 30, 17, tzinfo=UTC)}, ("110101001001", 7, 3, "", 202612)),
    ({"stage_due_at": dt.datetime(2026, 11, 30, 15, tzinfo=UTC)}, ("110101001001", 7, 3, "", 202611)),
    ({"status": "suspended", "paused_at": local(2026, 11, 2)}, ("110101001001", 7, 3, "", 0)),  # 挂账: no clock
    ({"status": "reported", "stage": "", "stage_due_at": None}, ("110101001001", 7, 3, "", 0)),
    ({"management_grid_id": None, "assignee_department_id": None, "scope_key": "110101001001",
      "restricted": "cases.view_petition"}, ("110101001001", 0, 0, "cases.view_petition", 202611)),
    ({"status": "closed", "stage": ""}, None),
    ({"status": "declined", "stage": ""}, None),
])
def test_the_open_count_row_of_a_case(fields, key):
    assert logic.open_key(open_case(**fields)) == key


def test_an_open_count_moves_with_the_case():
    before, after = open_case(), open_case(stage="inspect", stage_due_at=local(2026, 12, 2), status="handled")
    assert logic.open_difference(before, after) == {("110101001001", 7, 3, "", 202611): -1,
                                                     ("110101001001", 7, 3, "", 202612): 1}
    assert logic.open_difference(before, open_case(status="closed", stage="")) == {
        ("110101001001", 7, 3, "", 202611): -1}
    assert logic.open_difference(None, before) == {("110101001001", 7, 3, "", 202611): 1}
    assert logic.open_difference(before, open_case(assignee_department_id=3)) == {}, "the same row: no change"
