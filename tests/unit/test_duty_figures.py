"""值班日报 and 日产日清 figures on one day worked out by hand (2026-12-02, Asia/Shanghai).

The eight cases and what each counts as (日清 = handled or closed before the end of the day it came in):

| case | source      | class | urgent | street    | department          | reported      | handled       | closed        | came in | 日清 |
|------|-------------|-------|--------|-----------|---------------------|---------------|---------------|---------------|---------|------|
| A    | grid_worker | 06    |        | 110101001 | 区环境卫生服务中心  | 12-02 08:10   | 12-02 15:00   | 12-03 09:00   | yes     | yes  |
| B    | hotline     | 09    |        | 110101001 | 区城管执法局        | 12-02 09:30   | —             | 12-02 18:00   | yes     | yes  |
| C    | resident    | 06    |        | 110101002 | 区环境卫生服务中心  | 12-02 23:50 (15:50 UTC) | 12-03 00:10 | — | yes  | no   |
| D    | grid_worker | 52    | urgent | 110101002 | —                   | 12-02 11:00   | —             | —             | yes     | no   |
| E    | inspector   | 06    |        | 110101001 | 区环境卫生服务中心  | 12-01 16:00   | 12-02 10:00   | 12-02 17:00   | no      | —    |
| F    | hotline     | —     |        | 110101001 | —                   | 12-03 00:00   | —             | —             | no (next day) | — |
| G    | grid_worker | 09    | urgent | 110101001 | 区城管执法局        | 12-02 00:00   | 12-02 23:59:59| —             | yes     | yes  |
| H    | sensor      | 06    |        | 110101002 | 区环境卫生服务中心  | 12-01 10:00   | —             | 12-01 12:00   | no      | —    |

came in: A B C D G = 5; 日清: A B G = 3, 日清率 60%; handled that day: A E G = 3; closed that day: B E = 2;
by source: grid_worker 3 (A D G), hotline 1 (B), resident 1 (C); by class: 06 2 (A C), 09 2 (B G), 52 1 (D);
urgent, in the order they came in: G, D; not cleared: D, C;
by street: 110101001 3 in / 3 cleared, 110101002 2 / 0; by department: (none) 1 / 0, 区城管执法局 2 / 2,
区环境卫生服务中心 2 / 1.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from gridgov.duty.logic import daily

CST = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
DAY = dt.date(2026, 12, 2)
HW, ZF = "区环境卫生服务中心", "区城管执法局"


def at(month, day, h, m=0, s=0, tz=CST):
    return dt.datetime(2026, month, day, h, m, s, tzinfo=tz)


FACTS = [
    daily.Fact("A", "grid_worker", "06", "normal", "110101001", HW, at(12, 2, 8, 10), at(12, 2, 15), at(12, 3, 9)),
    daily.Fact("B", "hotline", "09", "normal", "110101001", ZF, at(12, 2, 9, 30), None, at(12, 2, 18)),
    daily.Fact("C", "resident", "06", "normal", "110101002", HW, at(12, 2, 15, 50, tz=UTC), at(12, 3, 0, 10), None),
    daily.Fact("D", "grid_worker", "52", "urgent", "110101002", "", at(12, 2, 11)),
    daily.Fact("E", "inspector", "06", "normal", "110101001", HW, at(12, 1, 16), at(12, 2, 10), at(12, 2, 17)),
    daily.Fact("F", "hotline", "", "normal", "110101001", "", at(12, 3, 0)),
    daily.Fact("G", "grid_worker", "09", "urgent", "110101001", ZF, at(12, 2, 0), at(12, 2, 23, 59, 59), None),
    daily.Fact("H", "sensor", "06", "normal", "110101002", HW, at(12, 1, 10), None, at(12, 1, 12)),
]


def test_the_day_is_the_local_calendar_day():
    assert daily.day_bounds(DAY) == (at(12, 2, 0), at(12, 3, 0))


def test_duty_report_figures_of_the_worked_day():
    f = daily.figures(DAY, FACTS)
    assert (f.incoming, f.cleared, f.handled, f.closed) == (5, 3, 3, 2)
    assert f.rate == 0.6
    assert f.by_source == {"grid_worker": 3, "hotline": 1, "resident": 1}
    assert f.by_class == {"06": 2, "09": 2, "52": 1}
    assert f.urgent == ["G", "D"]
    assert f.uncleared == ["D", "C"]


def test_clearance_by_street_and_department_of_the_worked_day():
    f = daily.figures(DAY, FACTS)
    assert [(r.group, r.incoming, r.cleared, r.rate) for r in f.by_street] == [
        ("110101001", 3, 3, 1.0), ("110101002", 2, 0, 0.0)]
    assert [(r.group, r.incoming, r.cleared, r.rate) for r in f.by_department] == [
        ("", 1, 0, 0.0), (ZF, 2, 2, 1.0), (HW, 2, 1, 0.5)]


def test_cleared_same_day_is_handled_or_closed_before_the_day_ends():
    end = at(12, 3, 0)
    table = [  # (handled, closed) → cleared
        ((at(12, 2, 23, 59, 59), None), True),
        ((None, at(12, 2, 12)), True),
        ((at(12, 3, 0), None), False),  # at midnight the day is over
        ((at(12, 3, 1), at(12, 2, 20)), True),
        ((None, None), False),
    ]
    for (handled, closed), want in table:
        f = daily.Fact("X", "hotline", "06", "normal", "110101001", "", at(12, 2, 8), handled, closed)
        assert daily.cleared_same_day(f, end) is want, (handled, closed)


def test_a_day_without_reports_has_no_rate():
    f = daily.figures(dt.date(2026, 11, 30), FACTS)
    assert (f.incoming, f.cleared, f.rate, f.by_street, f.urgent) == (0, 0, None, [], [])
