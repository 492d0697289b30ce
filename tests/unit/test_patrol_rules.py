"""The patrol rules on hand-made tracks (gridgov/patrol/logic): length and time, coverage, 巡查完成, anomalies,
the class → method mapping of seed 001 第三篇, and the attendance of a day.

Along a meridian the great-circle distance is R·Δφ: with R = 6,371,008.8 m, 0.001° of latitude is 111.195 m."""

import datetime as dt

import pytest

from gridgov.patrol.logic import attendance as att
from gridgov.patrol.logic import plans, track

LON, LAT = 116.40, 39.90
STEP = 0.001  # degrees of latitude = 111.195 m


def north(*steps_and_times):
    """Points going north: [(t, lon, lat)] from (t, number of 0.001° steps from the start)."""
    return [(t, LON, LAT + k * STEP) for t, k in steps_and_times]


def test_length_and_time():
    s = track.summary(north((0, 0), (60, 1), (120, 2)))
    assert s.points == 3 and s.duration_s == 120
    assert s.length_m == pytest.approx(222.39, abs=0.01)


def test_an_empty_track():
    assert track.summary([]) == track.Summary(0, 0.0, 0.0)


def test_impossible_speed_on_foot_but_not_by_car():
    pts = north((0, 0), (60, 10))  # 1,111.95 m in 60 s = 66.7 km/h
    found = track.anomalies(pts, "foot", track.Thresholds())
    assert [(a.kind, a.start, a.end) for a in found] == [("speed", 0, 60)]
    assert "67 公里/小时" in found[0].detail and "20 公里/小时" in found[0].detail
    assert track.anomalies(pts, "vehicle", track.Thresholds()) == []


def test_gps_jitter_is_not_speed():
    pts = north((0, 0), (1, 0.4))  # 44.5 m in one second (160 km/h) but under the 50 m a speed is judged over
    assert track.anomalies(pts, "foot", track.Thresholds()) == []


def test_consecutive_fast_steps_are_one_anomaly_and_a_jump_in_no_time_is_one_too():
    pts = north((0, 0), (10, 5), (20, 10), (30, 11), (30, 20))
    found = track.anomalies(pts, "foot", track.Thresholds())
    # 0→10→20: 556 m per 10 s (200 km/h), one anomaly; 20→30: 111 m in 10 s = 40 km/h, fast too, joins it;
    # 30→30: 1 km in no time ("瞬间移动") joins it as well
    assert [(a.kind, a.start, a.end) for a in found] == [("speed", 0, 30)]
    assert "瞬间移动" in found[0].detail  # the fastest step of the run is named: here a jump in no time
    only_jump = track.anomalies(north((0, 0), (0, 9)), "vehicle", track.Thresholds())
    assert [a.kind for a in only_jump] == ["speed"] and "瞬间移动" in only_jump[0].detail


def test_long_stillness():
    # 7 points within 10 m of the first over 36 minutes, then moving on
    pts = [(i * 360, LON, LAT + (0.00005 if i % 2 else 0)) for i in range(7)] + north((2760, 5))  # then 556 m in 10 min
    found = track.anomalies(pts, "foot", track.Thresholds())
    assert [(a.kind, a.start, a.end) for a in found] == [("still", 0, 2160)]
    short = [(i * 240, LON, LAT) for i in range(7)]  # 24 minutes: not yet
    assert track.anomalies(short, "foot", track.Thresholds()) == []


def test_outside_the_grid_for_too_long():
    pts = north((0, 0), (180, 1), (360, 2), (540, 3), (720, 4))
    # outside from 180 until the next point inside at 720: 9 minutes ≥ 5
    found = track.anomalies(pts, "vehicle", track.Thresholds(), inside=[True, False, False, False, True])
    assert [(a.kind, a.start, a.end) for a in found] == [("outside", 180, 540)]
    # 3 minutes outside: fine
    assert track.anomalies(pts[:3], "vehicle", track.Thresholds(), inside=[True, False, True]) == []


def test_thresholds_are_data():
    pts = north((0, 0), (60, 10))  # 66.7 km/h
    th = track.Thresholds.of({"max_kmh": {"foot": 70.0, "vehicle": 120.0}})
    assert track.anomalies(pts, "foot", th) == []
    assert track.checkin_far(301, track.Thresholds()) and not track.checkin_far(300, track.Thresholds())


def test_coverage_is_the_share_of_the_grids_unit_grids_visited():
    assert track.coverage({"a", "b", "x"}, ["a", "b", "c", "d"]) == 0.5
    assert track.coverage([], ["a"]) == 0.0
    assert track.coverage(["a"], []) == 0.0


PLAN = track.Requirement(min_minutes=60, min_km=2, min_share=0.6)
DONE = [  # (duration s, length m, share) → done, what is missing
    ((3600, 2000, 0.6), True, []),
    ((3599, 2000, 0.6), False, ["时长"]),
    ((3600, 1999, 0.6), False, ["里程"]),
    ((3600, 2000, 0.59), False, ["覆盖"]),
    ((100, 10, 0.0), False, ["时长", "里程", "覆盖"]),
]


@pytest.mark.parametrize(("values", "done", "missing"), DONE)
def test_patrol_done_means_the_plan_is_met(values, done, missing):
    dur, length, share = values
    ok, why = track.patrol_done(track.Summary(10, length, dur), share, PLAN)
    assert ok is done
    assert [w for w in missing for line in why if w in line] == missing and len(why) == len(missing)


def test_the_class_mapping_is_the_seeds():
    """Seed 001 第三篇: 一类网格 主要道路、窗口 徒步巡查; 二、三类 机动巡查; 错时督查 is for 难点、重点地段."""
    assert {c: p.method for c, p in plans.CLASS_PLANS.items()} == {"1": "foot", "2": "vehicle", "3": "vehicle"}
    assert "错时督查" in plans.KEY_PLACE_STANDARD
    assert plans.expected_patrols(5, 30) == 21 and plans.expected_patrols(3, 7) == 3


MON, FRI, SAT = dt.date(2026, 11, 16), dt.date(2026, 11, 20), dt.date(2026, 11, 21)
FLEX = att.Window(dt.time(14), dt.time(21), "1234")  # seed 003 篇1: 周一至周四 下午2:00-晚上9:00
DAYS = [  # day, working day?, first check-in, on leave, window → status
    (MON, True, dt.time(8, 35), False, att.DEFAULT_WINDOW, "on_duty"),  # within the 5 minutes' grace
    (MON, True, dt.time(8, 36), False, att.DEFAULT_WINDOW, "late"),
    (MON, True, None, False, att.DEFAULT_WINDOW, "absent"),
    (MON, True, None, True, att.DEFAULT_WINDOW, "leave"),
    (SAT, False, None, False, att.DEFAULT_WINDOW, "rest"),
    (SAT, False, dt.time(10), False, att.DEFAULT_WINDOW, "on_duty"),  # came in on a rest day
    (MON, True, dt.time(14, 20), False, FLEX, "late"),
    (MON, True, dt.time(13, 50), False, FLEX, "on_duty"),
    (FRI, True, None, False, FLEX, "rest"),  # Friday is outside the flexible window
]


@pytest.mark.parametrize(("day", "workday", "checkin", "leave", "window", "status"), DAYS)
def test_attendance_of_a_day(day, workday, checkin, leave, window, status):
    assert att.day_status(day, workday, checkin, leave, window) == status


def test_minutes_late():
    assert att.late_minutes(dt.time(9, 0), att.DEFAULT_WINDOW) == 30
    assert att.late_minutes(dt.time(8, 35), att.DEFAULT_WINDOW) == 0


def test_a_make_up_saturday_is_a_working_day_of_the_default_window():
    assert att.day_status(SAT, True, None, False) == "absent"
    assert att.day_status(SAT, True, None, False, FLEX) == "rest"
