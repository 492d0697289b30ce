"""Mining, pure (issue #16 item 4): every expected value typed by hand."""

import datetime as dt
import math

from gridgov.mining.logic import forecast, hotspots, repeats, seasonal, weak

UNITS = [f"11010100100{i:02d}" for i in range(1, 21)]  # 20 unit grids


def test_planted_hotspot_is_found():
    counts = {u: 10 for u in UNITS}
    counts[UNITS[6]] = 40  # 230 cases; at the district rate a grid expects 11.5
    found = hotspots.find(counts, UNITS, "0101")
    assert [h.unit for h in found] == [UNITS[6]]
    h = found[0]
    assert h.count == 40 and h.expected == 11.5 and h.ratio == 3.48 and h.matter == "0101"
    assert h.q_value < 0.001


def test_uniform_cases_have_no_hotspot():
    assert hotspots.find({u: 10 for u in UNITS}, UNITS) == []
    # a little noise (8..13) is chance, not a hotspot
    noisy = {u: [8, 13, 11, 9, 12, 10, 10, 9, 12, 11, 8, 10, 13, 9, 10, 11, 12, 10, 9, 11][i] for i, u in enumerate(UNITS)}
    assert hotspots.find(noisy, UNITS) == []


def test_grids_without_cases_count_in_the_rate():
    # two grids with cases, eighteen without: 6 in one grid expects 8/20 → a hotspot
    found = hotspots.find({UNITS[0]: 6, UNITS[1]: 2}, UNITS)
    assert [h.unit for h in found] == [UNITS[0]] and found[0].expected == 0.4


def t(day, hour=9):
    return dt.datetime(2026, 11, day, hour, tzinfo=dt.UTC)


def test_recurring_place_on_a_typed_timeline():
    R = repeats.Report
    rs = [
        R("G1", "0101", "A1", t(1), t(2)),
        R("G1", "0101", "A2", t(5), t(6)),    # 3 days after A1 closed: re-report 1
        R("G1", "0101", "A3", t(20), t(21)),  # 14 days after A2 closed: re-report 2 → 屡禁不止
        R("G1", "0202", "B1", t(3), None),    # another matter at G1: counts apart
        R("G2", "0101", "C1", t(1), t(2)),
        R("G2", "0101", "C2", t(4), None),    # one re-report only
        R("G3", "0101", "D1", t(1), None),    # never closed: the next is no re-report
        R("G3", "0101", "D2", t(3), t(4)),
        R("G3", "0101", "D3", t(28), None),   # 24 days after D2 closed: re-report 1 only
    ]
    found = repeats.find(rs, days=30, times=2)
    assert [(r.place, r.matter, r.cases, r.re_reports, r.numbers) for r in found] == [
        ("G1", "0101", 3, 2, ("A2", "A3"))]
    # with a 10-day window A3 (14 days) no longer counts
    assert repeats.find(rs, days=10, times=2) == []


def test_fifty_metre_cells():
    # a 500 m walk east at 39.9° N (1 m ≈ 0.0000117° of longitude) crosses 10 squares (11 when it starts mid-square)
    cells = {repeats.cell(116.4 + i * 0.0000117, 39.9) for i in range(500)}
    assert len(cells) in (10, 11)
    assert repeats.cell(116.4, 39.9) == repeats.cell(116.4, 39.9)


def test_month_and_weekday_profile():
    first, last = dt.date(2026, 6, 1), dt.date(2026, 7, 31)  # 61 days; June 1st 2026 is a Monday
    days = []
    for i in range(61):
        d = first + dt.timedelta(days=i)
        days += [d] * (3 if d.month == 7 else 1)  # 30 in June, 93 in July
    p = seasonal.profile(days, first, last)
    # mean 123 / 61 a day; June 1/day → 61/123 = 0.50; July 3/day → 183/123 = 1.49
    assert p.months[5] == 0.5 and p.months[6] == 1.49 and p.months[0] is None
    assert p.peak_month is None  # two months say nothing of a season
    assert p.days == 61


def _seasonal_series(weeks=156):
    # 3 years: level 100, +0.2 a week, a yearly wave of ±30 and a fixed small wobble
    return [100 + 0.2 * w + 30 * math.sin(2 * math.pi * w / 52) + (3 if w % 3 == 0 else -2) for w in range(weeks)]


def test_forecast_beats_the_seasonal_naive_baseline():
    f = forecast.forecast(_seasonal_series())
    assert f.method == "holt_winters" and not f.short and f.origins == 6
    assert len(f.values) == 4
    assert f.mae < 5.0 and f.mape < 0.05  # typed threshold: within 5 cases and 5 % a week
    assert f.baseline_mae > 10.0  # the naive copy of last year misses the trend of 10.4 cases a year
    assert f.mae < f.baseline_mae
    assert "本预测更准" in forecast.error_words(f) and f"{f.mae:g} 件" in forecast.error_words(f)


def test_short_series_falls_back_and_says_so():
    f = forecast.forecast([5, 7, 6, 8, 5, 6])
    assert f.method == "naive" and f.short and f.values == (6.2, 6.2, 6.2, 6.2)  # (6+8+5+6)/4 = 6.25, one decimal
    assert "过短" in f.method_label
    assert forecast.forecast([3.0] * 30).method == "holt"


def test_seasonal_strength_of_a_seasonal_series():
    assert seasonal.strength(_seasonal_series()) > 0.9
    assert seasonal.strength([1.0] * 60) is None


def test_weak_spots_rank_the_worst_with_enough_cases():
    rows = [("A", "甲", 0.9, 20), ("B", "乙", 0.5, 10), ("C", "丙", 0.0, 1), ("D", "丁", 0.7, 30)]
    assert [w.code for w in weak.worst(rows, "on_time", True, top=2)] == ["B", "D"]
    assert [w.code for w in weak.worst(rows, "rework", False, top=1)] == ["A"]
