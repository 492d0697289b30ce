"""The registers' pure rules (003 篇7 第六条 and 附件1), with the expected values worked out by hand."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.ledgers.logic import matching, periods, quota, sampling, uptime

SH = ZoneInfo("Asia/Shanghai")


# ---------------------------------------------------------------- 附件2 quota


def test_quota_three_streets_worked_by_hand():
    """全区 1200 件/年；总人口 200,000、总面积 8.0 km²。
    甲 100,000 人 2.0 km²: 1200/200000×100000×0.6 = 360；1200/8×2.0×0.4 = 120；基数 480；月均 40
    乙  50,000 人 1.0 km²: 1200/200000× 50000×0.6 = 180；1200/8×1.0×0.4 =  60；基数 240；调整 +12 → 252；月均 21
    丙  50,000 人 5.0 km²: 180；1200/8×5.0×0.4 = 300；基数 480；月均 40        （基数合计 1200）"""
    units = [quota.UnitBase("A", "甲", 100_000, 2.0), quota.UnitBase("B", "乙", 50_000, 1.0),
             quota.UnitBase("C", "丙", 50_000, 5.0)]
    rows = quota.allocate(1200, units, {"B": 12})
    got = [(r.code, round(r.base, 6), r.adjustment, round(r.final, 6), round(r.monthly, 6)) for r in rows]
    assert got == [("A", 480.0, 0.0, 480.0, 40.0), ("B", 240.0, 12.0, 252.0, 21.0), ("C", 480.0, 0.0, 480.0, 40.0)]


def test_quota_weights_are_parameters():
    """Population only (1.0 / 0.0): 甲 1200×100000/200000 = 600, 乙 300, 丙 300."""
    units = [quota.UnitBase("A", "甲", 100_000, 2.0), quota.UnitBase("B", "乙", 50_000, 1.0),
             quota.UnitBase("C", "丙", 50_000, 5.0)]
    assert [round(r.base, 6) for r in quota.allocate(1200, units, population_weight=1.0, area_weight=0.0)] == \
        [600.0, 300.0, 300.0]


@pytest.mark.parametrize("units,total,code", [
    ([quota.UnitBase("A", "甲", None, 2.0)], 100, "quota_population_missing"),
    ([quota.UnitBase("A", "甲", 0, 2.0)], 100, "quota_population_missing"),
    ([quota.UnitBase("A", "甲", 10, None)], 100, "quota_area_missing"),
    ([quota.UnitBase("A", "甲", 10, 1.0)], 0, "quota_total_missing"),
])
def test_quota_bad_input(units, total, code):
    with pytest.raises(quota.QuotaInputError) as e:
        quota.allocate(total, units)
    assert e.value.code == code and e.value.message


def test_quota_weights_must_add_up():
    with pytest.raises(quota.QuotaInputError) as e:
        quota.allocate(100, [quota.UnitBase("A", "甲", 10, 1.0)], population_weight=0.7, area_weight=0.4)
    assert e.value.code == "quota_weights_invalid"


# ---------------------------------------------------------------- 抽查


@pytest.mark.parametrize("closed,size", [(0, 0), (3, 3), (7, 5), (60, 6), (123, 13), (250, 20)])
def test_sample_size_ten_percent_min_five_max_twenty(closed, size):
    assert sampling.sample_size(closed) == size


def test_sample_is_reproducible_from_period_and_street():
    """seed "2026-11:110101001" over the 60 numbers 11010126110001…0060 (sorted) draws these six, in this order."""
    pool = [f"1101012611{i:04d}" for i in range(60, 0, -1)]  # the order given does not matter
    want = ["11010126110026", "11010126110050", "11010126110055", "11010126110028", "11010126110039",
            "11010126110021"]
    assert sampling.seed("2026-11", "110101001") == "2026-11:110101001"
    assert sampling.draw("2026-11", "110101001", pool) == want
    assert sampling.draw("2026-11", "110101001", list(reversed(pool))) == want
    assert sampling.draw("2026-10", "110101002", [f"C{i:03d}" for i in range(1, 8)]) == \
        ["C005", "C002", "C007", "C003", "C006"]


# ---------------------------------------------------------------- 倒查 matching

FOUND = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SH)
LON, LAT = 116.4, 39.9
NORTH_40M = 40 / 111_195.08  # degrees of latitude for 40 m (mean Earth radius 6,371,008.8 m)
NORTH_60M = 60 / 111_195.08


def cand(number, dlat=0.0, at=FOUND - dt.timedelta(hours=3), matter="06010", source="grid_worker"):
    return matching.Candidate(number, LON, LAT + dlat, at, matter, source)


def test_distance_is_metres():
    assert matching.distance_m(LON, LAT, LON, LAT + NORTH_40M) == pytest.approx(40.0, abs=0.01)


def test_a_case_within_50_m_reported_before_is_suggested():
    assert matching.suggest([cand("A", NORTH_40M)], LON, LAT, FOUND, "06010").number == "A"


@pytest.mark.parametrize("c,why", [
    (cand("far", NORTH_60M), "60 m away"),
    (cand("late", at=FOUND + dt.timedelta(hours=2, minutes=1)), "reported 2 h 1 min after"),
    (cand("old", at=FOUND - dt.timedelta(days=30, minutes=1)), "reported more than 30 days before"),
    (cand("other", matter="06011"), "another matter"),
    (cand("theirs", source="media"), "not found by the street's own people"),
])
def test_what_does_not_match(c, why):
    assert matching.suggest([c], LON, LAT, FOUND, "06010") is None, why


def test_edges_of_the_window_count():
    assert matching.suggest([cand("grace", at=FOUND + dt.timedelta(hours=2))], LON, LAT, FOUND, "06010")
    assert matching.suggest([cand("lookback", at=FOUND - dt.timedelta(days=30))], LON, LAT, FOUND, "06010")


def test_any_matter_when_the_problem_names_none_or_when_asked():
    assert matching.suggest([cand("other", matter="06011")], LON, LAT, FOUND, None).number == "other"
    assert matching.suggest([cand("other", matter="06011")], LON, LAT, FOUND, "06010", same_matter=False)


def test_the_nearest_then_the_earliest():
    near, far = cand("near", NORTH_40M / 4), cand("far", NORTH_40M)
    assert matching.suggest([far, near], LON, LAT, FOUND, "06010").number == "near"
    early, later = cand("B2", at=FOUND - dt.timedelta(hours=5)), cand("B1", at=FOUND - dt.timedelta(hours=1))
    assert matching.suggest([later, early], LON, LAT, FOUND, "06010").number == "B2"


# ---------------------------------------------------------------- periods and uptime


def test_periods():
    assert periods.month("2026-11") == (dt.datetime(2026, 11, 1, tzinfo=SH), dt.datetime(2026, 12, 1, tzinfo=SH))
    assert periods.month("2026-12")[1] == dt.datetime(2027, 1, 1, tzinfo=SH)
    assert periods.year_to_date("2026-11") == (dt.datetime(2026, 1, 1, tzinfo=SH), dt.datetime(2026, 12, 1, tzinfo=SH))
    assert periods.previous("2026-01") == "2025-12"
    for bad in ("2026-13", "2026-1", "26-11", "", "1999-12"):
        with pytest.raises(periods.PeriodError):
            periods.parse(bad)


def test_uptime_clips_and_merges():
    """Year to date [2026-01-01, 2026-12-01): a fault 2025-12-31 20:00 → 2026-01-01 10:00 counts 10 h; two
    overlapping reports 03-01 08:00–20:00 and 03-01 18:00–03-02 02:00 count 18 h once; an open fault from
    11-30 00:00 counts 24 h: 52 h. One upgrade of 7 days (168 h) started in the year."""
    t = lambda *a: dt.datetime(*a, tzinfo=SH)  # noqa: E731
    faults = [(t(2025, 12, 31, 20), t(2026, 1, 1, 10)), (t(2026, 3, 1, 8), t(2026, 3, 1, 20)),
              (t(2026, 3, 1, 18), t(2026, 3, 2, 2)), (t(2026, 11, 30, 0), None)]
    upgrades = [(t(2026, 6, 1), t(2026, 6, 8))]
    assert uptime.system_uptime(faults, upgrades, t(2026, 1, 1), t(2026, 12, 1)) == \
        {"fault_hours": 52.0, "upgrade_hours": 168.0, "upgrades": 1, "usable": True}
