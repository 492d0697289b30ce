"""The deadline calculator (gridgov/worktime/logic): pure, no database.

Expected values are worked out by hand from the 2026 arrangement in chinese_calendar 1.11.0 and the default
office hours 08:30–12:00 + 13:30–17:30 (7.5 h; 1 working day = 7.5 office hours):
  元旦 1/1–1/3 (Thu–Sat), 1/4 Sun works · 春节 2/15 (Sun)–2/23 (Mon), 2/14 Sat and 2/28 Sat work ·
  清明 4/4–4/6 (Sat–Mon) · 劳动节 5/1 (Fri)–5/5 (Tue), 5/9 Sat works · 9/20 Sun works (国庆 make-up).
Ordinary weeks used below: 2026-03-02 is a Monday, so 3/6 Fri, 3/7 Sat, 3/9 Mon, 3/10 Tue, 3/11 Wed.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from gridgov.worktime.logic.calendar import (
    DEFAULT_OFFICE_HOURS,
    SHANGHAI,
    OfficeHours,
    Override,
    WorkCalendar,
    china_calendar,
    library_years,
)
from gridgov.worktime.logic.sla import (
    Unit,
    due_budget,
    due_time,
    elapsed,
    merge_pauses,
    warning_level,
)

WH, WD, ND, NH = Unit.WORK_HOURS, Unit.WORK_DAYS, Unit.NATURAL_DAYS, Unit.NATURAL_HOURS


def T(y, m, d, h=0, mi=0, s=0, us=0):
    return dt.datetime(y, m, d, h, mi, s, us, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def cal():
    return china_calendar()


# ---------------------------------------------------------------- the calendar itself


def test_library_agrees_with_chinese_calendar_is_workday(cal):
    day = dt.date(2025, 1, 1)
    while day <= dt.date(2026, 12, 31):
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        assert cal.info(day).source == "library"
        day += dt.timedelta(days=1)


def test_special_days_of_2026(cal):
    special = {d.day: d for d in cal.special_days(2026)}
    assert special[dt.date(2026, 2, 14)].is_workday and special[dt.date(2026, 2, 14)].name == "春节调休上班"
    assert not special[dt.date(2026, 2, 16)].is_workday and special[dt.date(2026, 2, 16)].name == "春节"
    assert special[dt.date(2026, 4, 6)].name == "清明"
    assert special[dt.date(2026, 9, 20)].is_workday
    assert dt.date(2026, 3, 7) not in special  # an ordinary Saturday is not listed
    assert dt.date(2026, 3, 9) not in special


def test_beyond_library_falls_back_to_plain_rule_without_crashing(cal):
    first, last = library_years()
    assert last < 2031
    for day in (dt.date(2031, 1, 1), dt.date(2100, 10, 1), dt.date(first - 1, 2, 1)):
        info = cal.info(day)
        assert info.source == "plain" and not cal.known(day)
        assert info.is_workday == (day.weekday() < 5)
    assert cal.known(dt.date(2026, 2, 16))
    assert not cal.year_known(2031) and cal.year_known(2026)
    assert cal.special_days(2031) == []


def test_override_wins_over_library_and_plain_rule():
    cal = china_calendar({dt.date(2026, 4, 6): Override(True, "本区调整"), dt.date(2031, 1, 1): (False, "元旦"),
                          dt.date(2031, 1, 4): True})
    assert cal.is_workday(dt.date(2026, 4, 6)) and cal.info(dt.date(2026, 4, 6)).source == "override"
    assert not cal.is_workday(dt.date(2031, 1, 1)) and cal.known(dt.date(2031, 1, 1))
    assert cal.is_workday(dt.date(2031, 1, 4))  # a Saturday
    assert [d.day for d in cal.special_days(2031)] == [dt.date(2031, 1, 1), dt.date(2031, 1, 4)]


def test_custom_rule_callable():
    cal = WorkCalendar(lambda d: d.weekday() < 6)  # Monday–Saturday
    assert cal.is_workday(dt.date(2026, 3, 7)) and cal.info(dt.date(2026, 3, 7)).source == "custom"
    # Sat 3/7 10:00 + 1 h → 11:00 the same Saturday
    assert due_time(T(2026, 3, 7, 10), 1, WH, cal) == T(2026, 3, 7, 11)


def test_office_hours_parse_and_validation():
    assert DEFAULT_OFFICE_HOURS.day_seconds == 7.5 * 3600
    oh = OfficeHours.parse("09:00-12:00，14:00–18:00")
    assert str(oh) == "09:00-12:00, 14:00-18:00" and oh.day_seconds == 7 * 3600
    for bad in ("12:00-09:00", "08:00-12:00, 11:00-14:00", "", "8点-12点", "08:00-24:00"):
        with pytest.raises(ValueError):
            OfficeHours.parse(bad)


# ---------------------------------------------------------------- weekends and holidays


def test_weekend_work_hours(cal):
    # Fri 3/6 16:00 + 4 h: 16:00–17:30 = 1.5 h; weekend; Mon 3/9 08:30 + 2.5 h = 11:00
    assert due_time(T(2026, 3, 6, 16), 4, WH, cal) == T(2026, 3, 9, 11)


def test_weekend_work_days(cal):
    # Thu 3/5 10:00 + 2 days (15 h): Thu 2 + 4 = 6 h; Fri 7.5 → 13.5; Mon 3/9 1.5 h → 10:00
    assert due_time(T(2026, 3, 5, 10), 2, WD, cal) == T(2026, 3, 9, 10)


def test_start_on_weekend(cal):
    # Sat 3/7 10:00 → clock starts Mon 08:30; + 1 h = 09:30
    assert due_time(T(2026, 3, 7, 10), 1, WH, cal) == T(2026, 3, 9, 9, 30)


def test_qingming_2026(cal):
    # Fri 4/3 10:00 + 1 day (7.5 h): Fri 6 h; 4/4–4/6 holiday; Tue 4/7 1.5 h → 10:00
    assert due_time(T(2026, 4, 3, 10), 1, WD, cal) == T(2026, 4, 7, 10)


def test_labour_day_2026(cal):
    # Thu 4/30 14:00 + 2 days (15 h): Thu 3.5 h; 5/1–5/5 holiday; Wed 5/6 7.5 → 11;
    # Thu 5/7 08:30–12:00 3.5 → 14.5, then 13:30 + 0.5 h → 14:00
    assert due_time(T(2026, 4, 30, 14), 2, WD, cal) == T(2026, 5, 7, 14)


def test_makeup_saturday(cal):
    # Fri 5/8 10:00 + 1 day: Fri 6 h; Sat 5/9 is a 调休 working day: 1.5 h → Sat 10:00 (not Mon 5/11)
    assert due_time(T(2026, 5, 8, 10), 1, WD, cal) == T(2026, 5, 9, 10)


def test_makeup_sunday(cal):
    # Fri 9/18 17:00 + 1 h: 0.5 h on Fri; Sat 9/19 rest; Sun 9/20 works: 08:30 + 0.5 h → 09:00
    assert due_time(T(2026, 9, 18, 17), 1, WH, cal) == T(2026, 9, 20, 9)


def test_spring_festival_start_day_before_holiday(cal):
    # Sat 2/14 (make-up working day, the day before the 2/15–2/23 holiday) 09:00 + 3 days (22.5 h):
    # Sat 09:00–12:00 3 h + 13:30–17:30 4 h = 7; holiday; Tue 2/24 7.5 → 14.5; Wed 2/25 → 22; Thu 2/26 0.5 → 09:00
    assert due_time(T(2026, 2, 14, 9), 3, WD, cal) == T(2026, 2, 26, 9)
    # Fri 2/13 10:00 + 3 days: Fri 6; Sat 2/14 7.5 → 13.5; Tue 2/24 → 21; Wed 2/25 1.5 → 10:00
    assert due_time(T(2026, 2, 13, 10), 3, WD, cal) == T(2026, 2, 25, 10)


def test_spring_festival_spanning_both_makeup_days(cal):
    # Thu 2/12 10:00 + 7 days (52.5 h): Thu 6; Fri 2/13 → 13.5; Sat 2/14 → 21; holiday 2/15–2/23;
    # Tue 2/24 → 28.5; Wed → 36; Thu → 43.5; Fri 2/27 → 51; Sat 2/28 (make-up) 1.5 h → 10:00
    assert due_time(T(2026, 2, 12, 10), 7, WD, cal) == T(2026, 2, 28, 10)


# ---------------------------------------------------------------- office hours


@pytest.mark.parametrize(("start", "expected"), [
    (T(2026, 3, 10, 7), T(2026, 3, 10, 9, 30)),          # before opening → starts 08:30
    (T(2026, 3, 10, 8, 30), T(2026, 3, 10, 9, 30)),      # exactly at opening
    (T(2026, 3, 10, 12, 30), T(2026, 3, 10, 14, 30)),    # in the lunch break → starts 13:30
    (T(2026, 3, 10, 12), T(2026, 3, 10, 14, 30)),        # exactly at the start of lunch
    (T(2026, 3, 10, 13, 30), T(2026, 3, 10, 14, 30)),    # exactly at the end of lunch
    (T(2026, 3, 10, 17, 30), T(2026, 3, 11, 9, 30)),     # exactly at closing → next morning
    (T(2026, 3, 10, 18), T(2026, 3, 11, 9, 30)),         # after closing
    (T(2026, 3, 10, 11, 30), T(2026, 3, 10, 14)),        # 0.5 h before lunch + 0.5 h after
])
def test_office_hours_one_work_hour(cal, start, expected):
    assert due_time(start, 1, WH, cal) == expected


def test_budget_ending_at_a_period_end_is_due_then(cal):
    # 11:00 + 1 h = 12:00 (not 13:30); 08:30 + 1 day = 17:30 the same day (not 08:30 tomorrow)
    assert due_time(T(2026, 3, 10, 11), 1, WH, cal) == T(2026, 3, 10, 12)
    assert due_time(T(2026, 3, 10, 8, 30), 1, WD, cal) == T(2026, 3, 10, 17, 30)


def test_zero_budget_is_due_at_start(cal):
    assert due_time(T(2026, 3, 7, 10), 0, WD, cal) == T(2026, 3, 7, 10)


def test_custom_office_hours():
    cal = china_calendar(office_hours=OfficeHours.parse("09:00-17:00"))
    # 1 working day = 8 h; Tue 3/10 13:00 + 1 day: 4 h Tue + 4 h Wed → Wed 13:00
    assert due_time(T(2026, 3, 10, 13), 1, WD, cal) == T(2026, 3, 11, 13)


def test_other_input_time_zone_is_kept(cal):
    utc = dt.datetime(2026, 3, 10, 0, 30, tzinfo=dt.UTC)  # 08:30 in Beijing
    due = due_time(utc, 1, WH, cal)
    assert due.tzinfo is dt.UTC and due == T(2026, 3, 10, 9, 30)
    ny = dt.datetime(2026, 3, 9, 19, 30, tzinfo=ZoneInfo("America/New_York"))  # = Tue 3/10 07:30 Beijing (EDT)
    assert due_time(ny, 1, WH, cal) == T(2026, 3, 10, 9, 30)


# ---------------------------------------------------------------- pauses, working units


def test_one_pause(cal):
    # Tue 08:30 + 1 day, paused 10:00–11:00: one office hour not counted → Wed 09:30
    assert due_time(T(2026, 3, 10, 8, 30), 1, WD, cal, [(T(2026, 3, 10, 10), T(2026, 3, 10, 11))]) == T(2026, 3, 11, 9, 30)


def test_pause_outside_office_time_changes_nothing(cal):
    lunch = (T(2026, 3, 10, 12), T(2026, 3, 10, 13, 30))
    night = (T(2026, 3, 10, 18), T(2026, 3, 11, 8))
    assert due_time(T(2026, 3, 10, 8, 30), 1, WD, cal, [lunch, night]) == T(2026, 3, 10, 17, 30)


def test_several_pauses(cal):
    # 09:00–10:00 and 14:00–15:00: 2 h more → Wed 08:30 + 2 h = 10:30
    pauses = [(T(2026, 3, 10, 14), T(2026, 3, 10, 15)), (T(2026, 3, 10, 9), T(2026, 3, 10, 10))]
    assert due_time(T(2026, 3, 10, 8, 30), 1, WD, cal, pauses) == T(2026, 3, 11, 10, 30)


def test_overlapping_pauses(cal):
    # 09:00–10:30 ∪ 10:00–11:00 = 09:00–11:00 (2 h, not 2.5) → Wed 10:30
    pauses = [(T(2026, 3, 10, 9), T(2026, 3, 10, 10, 30)), (T(2026, 3, 10, 10), T(2026, 3, 10, 11))]
    assert due_time(T(2026, 3, 10, 8, 30), 1, WD, cal, pauses) == T(2026, 3, 11, 10, 30)
    assert merge_pauses(pauses, 0) == merge_pauses([(T(2026, 3, 10, 9), T(2026, 3, 10, 11))], 0)


def test_pause_spanning_a_weekend(cal):
    # Fri 3/6 08:30 + 2 days (15 h), paused Fri 16:30 → Mon 10:30: Fri 3.5 + 3 = 6.5 h;
    # Mon 10:30–12:00 1.5 → 8; 13:30–17:30 4 → 12; Tue 3/10 3 h → 11:30
    pauses = [(T(2026, 3, 6, 16, 30), T(2026, 3, 9, 10, 30))]
    assert due_time(T(2026, 3, 6, 8, 30), 2, WD, cal, pauses) == T(2026, 3, 10, 11, 30)


def test_pause_before_start_only_counts_after_start(cal):
    # paused 08:00–09:30, start 09:00: the clock starts at 09:30 → + 1 h = 10:30; a pause over before start is ignored
    pauses = [(T(2026, 3, 10, 8), T(2026, 3, 10, 9, 30)), (T(2026, 3, 9, 9), T(2026, 3, 9, 10))]
    assert due_time(T(2026, 3, 10, 9), 1, WH, cal, pauses) == T(2026, 3, 10, 10, 30)


def test_open_pause(cal):
    open_pause = [(T(2026, 3, 10, 10), None)]
    assert due_time(T(2026, 3, 10, 8, 30), 1, WD, cal, open_pause) is None
    # budget used up (09:30) before the open pause began (10:00): the case was already overdue
    assert due_time(T(2026, 3, 10, 8, 30), 1, WH, cal, open_pause) == T(2026, 3, 10, 9, 30)


def test_pause_objects_with_start_and_end(cal):
    class Suspension:
        def __init__(self, start, end):
            self.start, self.end = start, end

    assert due_time(T(2026, 3, 10, 8, 30), 1, WD, cal, [Suspension(T(2026, 3, 10, 10), T(2026, 3, 10, 11))]) \
        == T(2026, 3, 11, 9, 30)


def test_bad_pauses_refused(cal):
    with pytest.raises(ValueError):
        due_time(T(2026, 3, 10, 9), 1, WH, cal, [(T(2026, 3, 10, 11), T(2026, 3, 10, 10))])
    with pytest.raises(ValueError):
        due_time(T(2026, 3, 10, 9), 1, WH, cal, [(dt.datetime(2026, 3, 10, 10), None)])


# ---------------------------------------------------------------- natural units


def test_natural_days_count_holidays(cal):
    # Fri 2/13 10:00 + 3 × 24 h → Mon 2/16 10:00 (in the holiday: natural days don't care)
    assert due_time(T(2026, 2, 13, 10), 3, ND, cal) == T(2026, 2, 16, 10)
    # + 36 h → Sat 2/14 22:00
    assert due_time(T(2026, 2, 13, 10), 36, NH, cal) == T(2026, 2, 14, 22)


def test_natural_units_with_pauses(cal):
    # Tue 3/10 10:00 + 2 days, paused Wed 12:00–18:00 (6 h of wall time) → Thu 3/12 16:00
    assert due_time(T(2026, 3, 10, 10), 2, ND, cal, [(T(2026, 3, 11, 12), T(2026, 3, 11, 18))]) == T(2026, 3, 12, 16)
    # 2 h from 10:00, pauses 10:30–11:00 ∪ 10:45–11:15 = 45 min → 12:45
    pauses = [(T(2026, 3, 10, 10, 30), T(2026, 3, 10, 11)), (T(2026, 3, 10, 10, 45), T(2026, 3, 10, 11, 15))]
    assert due_time(T(2026, 3, 10, 10), 2, NH, cal, pauses) == T(2026, 3, 10, 12, 45)
    # a pause after the due time changes nothing; an open pause before it stops the clock
    assert due_time(T(2026, 3, 10, 10), 2, NH, cal, [(T(2026, 3, 10, 13), None)]) == T(2026, 3, 10, 12)
    assert due_time(T(2026, 3, 10, 10), 2, NH, cal, [(T(2026, 3, 10, 11), None)]) is None


# ---------------------------------------------------------------- fractions


def test_fractional_budgets(cal):
    # 0.5 day = 3.75 h from Tue 08:30: 3.5 h to 12:00, 0.25 h from 13:30 → 13:45
    assert due_time(T(2026, 3, 10, 8, 30), 0.5, WD, cal) == T(2026, 3, 10, 13, 45)
    # 1.5 h from 11:00: 1 h to 12:00, 0.5 h from 13:30 → 14:00
    assert due_time(T(2026, 3, 10, 11), 1.5, WH, cal) == T(2026, 3, 10, 14)
    # 0.5 natural day from 20:00 → 08:00 next day; 0.25 natural hour → 15 min
    assert due_time(T(2026, 3, 10, 20), 0.5, ND, cal) == T(2026, 3, 11, 8)
    assert due_time(T(2026, 3, 10, 20), 0.25, NH, cal) == T(2026, 3, 10, 20, 15)


# ---------------------------------------------------------------- beyond the library's data


def test_year_2031_plain_rule_and_override():
    cal = china_calendar()
    # 2031-01-01 is a Wednesday; Fri 1/3 10:00 + 1 day → Mon 1/6 10:00 by the Mon–Fri rule
    assert due_time(T(2031, 1, 3, 10), 1, WD, cal) == T(2031, 1, 6, 10)
    over = china_calendar({dt.date(2031, 1, 6): Override(False, "本地休息")})
    assert due_time(T(2031, 1, 3, 10), 1, WD, over) == T(2031, 1, 7, 10)
    makeup = china_calendar({dt.date(2031, 1, 4): Override(True, "调休上班")})
    assert due_time(T(2031, 1, 3, 10), 1, WD, makeup) == T(2031, 1, 4, 10)


def test_override_beats_library_in_due_time():
    # 清明 Mon 4/6 declared a working day → Fri 4/3 10:00 + 1 day = Mon 4/6 10:00
    cal = china_calendar({dt.date(2026, 4, 6): Override(True, "本区调整")})
    assert due_time(T(2026, 4, 3, 10), 1, WD, cal) == T(2026, 4, 6, 10)


def test_calendar_without_working_days_raises_instead_of_looping():
    with pytest.raises(ValueError):
        due_time(T(2026, 3, 10, 9), 1, WH, WorkCalendar(lambda d: False))


# ---------------------------------------------------------------- bad input


def test_naive_datetimes_refused(cal):
    naive = dt.datetime(2026, 3, 10, 9)
    with pytest.raises(ValueError):
        due_time(naive, 1, WH, cal)
    with pytest.raises(ValueError):
        elapsed(T(2026, 3, 10, 9), naive, WH, cal)
    with pytest.raises(ValueError):
        warning_level(T(2026, 3, 10, 9), due_budget(1, WH), naive, cal)


def test_bad_amounts_and_units(cal):
    for amount in (-1, float("nan"), float("inf"), "x"):
        with pytest.raises(ValueError):
            due_time(T(2026, 3, 10, 9), amount, WH, cal)
    with pytest.raises(ValueError):
        due_time(T(2026, 3, 10, 9), 1, "fortnights", cal)
    assert due_time(T(2026, 3, 10, 9), 1, "work_hours", cal) == T(2026, 3, 10, 10)


# ---------------------------------------------------------------- elapsed and warning levels


def test_elapsed(cal):
    start = T(2026, 3, 10, 8, 30)
    assert elapsed(start, T(2026, 3, 11, 8, 30), WD, cal) == 1.0
    assert elapsed(start, T(2026, 3, 10, 12, 45), WH, cal) == 3.5  # lunch is not counted
    assert elapsed(start, T(2026, 3, 9, 8, 30), WH, cal) == 0  # now before start
    # Fri 4/3 08:30 → Tue 4/7 08:30 across 清明: 1 day only
    assert elapsed(T(2026, 4, 3, 8, 30), T(2026, 4, 7, 8, 30), WD, cal) == 1.0
    pause = [(T(2026, 3, 10, 10), T(2026, 3, 10, 11))]
    assert elapsed(start, T(2026, 3, 10, 17, 30), WH, cal, pause) == 6.5
    assert elapsed(start, T(2026, 3, 10, 10, 30), WH, cal, [(T(2026, 3, 10, 10), None)]) == 1.5
    assert elapsed(T(2026, 3, 10, 10), T(2026, 3, 11, 10), ND, cal, [(T(2026, 3, 10, 12), T(2026, 3, 10, 18))]) == 0.75


@pytest.mark.parametrize(("start", "amount", "unit"), [
    (T(2026, 2, 12, 10), 7, WD), (T(2026, 4, 30, 14), 2.25, WD), (T(2026, 3, 6, 16, 17), 13, WH),
    (T(2026, 2, 13, 10), 3, ND), (T(2030, 12, 30, 11), 5, WD),
])
def test_elapsed_at_due_equals_budget(cal, start, amount, unit):
    pauses = [(start + dt.timedelta(hours=5), start + dt.timedelta(hours=30))]
    due = due_time(start, amount, unit, cal, pauses)
    assert elapsed(start, due, unit, cal, pauses) == pytest.approx(amount, abs=1e-9)


def test_warning_levels_at_the_boundaries(cal):
    # Tue 08:30 + 1 day, due 17:30; 80 % = 6 h of office time = 08:30–12:00 (3.5) + 13:30–16:00 (2.5) → 16:00
    start, budget = T(2026, 3, 10, 8, 30), due_budget(1, WD)
    assert warning_level(start, budget, T(2026, 3, 10, 15, 59, 59), cal) == "green"
    assert warning_level(start, budget, T(2026, 3, 10, 16), cal) == "yellow"
    assert warning_level(start, budget, T(2026, 3, 10, 17, 30), cal) == "yellow"  # exactly due: not yet late
    assert warning_level(start, budget, T(2026, 3, 10, 17, 30, us=1), cal) == "red"
    assert warning_level(start, budget, T(2026, 3, 10, 20), cal) == "red"  # after closing: still overdue
    assert warning_level(start, budget, T(2026, 3, 11, 8, 30), cal) == "red"  # next morning


def test_warning_level_half_share_boundary(cal):
    # 0.5 × 7.5 h = 3.75 h: 3.5 h by 12:00 (0.467, still green through lunch), + 0.25 h → 13:45
    start, budget = T(2026, 3, 10, 8, 30), due_budget(1, WD)
    assert warning_level(start, budget, T(2026, 3, 10, 13, 30), cal, yellow_share=0.5) == "green"
    assert warning_level(start, budget, T(2026, 3, 10, 13, 44), cal, yellow_share=0.5) == "green"
    assert warning_level(start, budget, T(2026, 3, 10, 13, 45), cal, yellow_share=0.5) == "yellow"


def test_warning_levels_natural_and_paused(cal):
    # 10 natural hours from 08:00: yellow from 16:00, red after 18:00
    start, budget = T(2026, 3, 10, 8), due_budget(10, NH)
    assert warning_level(start, budget, T(2026, 3, 10, 15, 59), cal) == "green"
    assert warning_level(start, budget, T(2026, 3, 10, 16), cal) == "yellow"
    assert warning_level(start, budget, T(2026, 3, 10, 18, 0, 1), cal) == "red"
    # suspended at 09:00 and still suspended: never red, however late
    assert warning_level(start, budget, T(2026, 6, 1), cal, [(T(2026, 3, 10, 9), None)]) == "green"
    with pytest.raises(ValueError):
        warning_level(start, budget, T(2026, 3, 10, 9), cal, yellow_share=0)
