"""人员考核: the person score and the pay bands (差异化管理), worked out by hand."""

from gridgov.performance.logic import score

W = score.DEFAULT_WEIGHTS  # 出勤 30 巡查 20 上报 20 走访 10 办结 10 质量 10
T = {"reports": 2, "visits": 1, "settled": 1}
D = score.DEFAULT_DEDUCTIONS  # 返工 2, 无效上报 1, 确认的弄虚作假 5
BANDS = score.DEFAULT_BANDS  # A ≥ 90 × 1.2, B ≥ 75 × 1.0, C ≥ 60 × 0.8, D × 0.6


def test_a_full_month_without_visits_or_settled_cases():
    # 出勤 30 × 21/21 = 30; 巡查 20 × 21/21 = 20; 上报 20 × 2/2 = 20; 走访 0; 办结 0; 质量 10 → 80 / 100 = 80.0
    r = score.person_score(score.Facts(workdays=21, days_on_duty=21, patrols=21, patrols_planned=21,
                                       valid_reports=2), W, T, D)
    assert r.score == 80.0
    assert r.points == {"attendance": 30.0, "patrols": 20.0, "reports": 20.0, "visits": 0.0, "settled": 0.0,
                        "quality": 10.0}
    assert score.band_of(r.score, BANDS) == ("B", 1.0)


def test_half_a_month_and_a_confirmed_flag():
    # 出勤 30 × 10/21 = 14.29; 巡查 20 × 10/21 = 9.52; 上报 20 × 1/2 = 10; 质量 10 − 5 = 5 → 38.81 → 38.8 (D)
    r = score.person_score(score.Facts(workdays=21, days_on_duty=10, patrols=10, patrols_planned=21,
                                       valid_reports=1, flags=1), W, T, D)
    assert r.score == 38.8
    assert score.band_of(r.score, BANDS) == ("D", 0.6)


def test_an_inspector_is_scored_on_reports_settled_and_quality_only():
    # 上报 20 × min(1, 3/2) = 20; 办结 10 × 1 = 10; 质量 10 − 2 × 1 (返工) − 1 × 1 (无效) = 7 → 37 / 40 = 92.5 (A)
    r = score.person_score(score.Facts(workdays=21, valid_reports=3, invalid_reports=1, settled=4, rework=1,
                                       inspector=True), W, T, D)
    assert r.points["attendance"] is None and r.points["patrols"] is None and r.points["visits"] is None
    assert r.score == 92.5
    assert score.band_of(r.score, BANDS) == ("A", 1.2)


def test_quality_never_below_zero():
    r = score.person_score(score.Facts(workdays=20, days_on_duty=20, flags=3), W, T, D)
    assert r.points["quality"] == 0.0


def test_band_boundaries():
    assert [score.band_of(s, BANDS) for s in (100, 90.0, 89.9, 75.0, 74.9, 60.0, 59.9, 0.0)] == [
        ("A", 1.2), ("A", 1.2), ("B", 1.0), ("B", 1.0), ("C", 0.8), ("C", 0.8), ("D", 0.6), ("D", 0.6)]


def test_band_tables_that_cannot_be_used():
    ok = [{"band": "优", "min": 80, "coefficient": 1.1}, {"band": "良", "min": 0, "coefficient": 1.0}]
    assert score.check_bands(ok) is None
    assert score.check_bands([]) == "至少需要一个档次"
    assert score.check_bands([{"band": "A", "min": 60, "coefficient": 1}]) == "最后一档的最低分应为 0（每个分数都要有档次）"
    assert score.check_bands([ok[1], ok[0]]) == "各档最低分应从高到低排列，且不能相同"
    assert score.check_bands([ok[0], {**ok[1], "band": "优"}]) == "档次名称不能为空，也不能重复"
    assert score.check_bands([ok[0], {**ok[1], "coefficient": 9}]) == "绩效系数应在 0～5 之间"


def test_ranks_within_a_street_share_equal_scores():
    assert score.ranks([80.0, 38.8, 80.0, 10.0]) == [1, 3, 1, 4]
