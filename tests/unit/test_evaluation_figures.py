"""满意度回访 figures and the two-way ratings' summary, on surveys and ratings typed by hand (no database)."""

import datetime as dt

from gridgov.evaluation.logic import figures as fig
from gridgov.evaluation.logic import window


def s(street, dept, a, e, r, resolved=True):
    return {"street": street, "department": dept, "outcome": "surveyed", "attitude": a, "efficiency": e,
            "result": r, "resolved": resolved}


def gone(street, dept):
    return {"street": street, "department": dept, "outcome": "unreachable", "attitude": None, "efficiency": None,
            "result": None, "resolved": None}


SURVEYS = [
    s("110101001", "HW", 5, 4, 5),
    s("110101001", "HW", 4, 4, 3),
    s("110101001", "ZF", 2, 1, 2, resolved=False),
    s("110101002", "HW", 5, 5, 4),
    gone("110101001", "HW"),
    s("110101002", None, 3, 3, 3),  # settled at a level: no department
]


def test_one_street_worked_by_hand():
    # 110101001: 3 reached (results 5, 3, 2), 1 unreachable; 8 cases closed in the month
    # 回访率 3/8 = 0.375; 态度 (5+4+2)/3 = 3.67; 效率 (4+4+1)/3 = 3.0; 结果 (5+3+2)/3 = 3.33
    # 满意率: results ≥ 3 → 2 of 3 = 0.6667; 解决率 2 of 3
    got = fig.by_unit(SURVEYS, {"110101001": 8, "110101002": 2, "110101003": 4}, "street")
    assert got["110101001"] == {
        "closed": 8, "surveyed": 3, "unreachable": 1, "follow_up_rate": 0.375,
        "means": {"attitude": 3.67, "efficiency": 3.0, "result": 3.33},
        "satisfied_share": 0.6667, "resolved_share": 0.6667}
    # a street with closed cases and no survey is listed with zeros and no means
    assert got["110101003"] == {"closed": 4, "surveyed": 0, "unreachable": 0, "follow_up_rate": 0.0,
                                "means": {"attitude": None, "efficiency": None, "result": None},
                                "satisfied_share": None, "resolved_share": None}
    assert got["110101002"]["follow_up_rate"] == 1.0  # 2 of 2


def test_departments_skip_level_settled_cases():
    got = fig.by_unit(SURVEYS, {"HW": 5, "ZF": 1}, "department")
    assert set(got) == {"HW", "ZF"}
    # HW: reached results 5, 3, 4 → mean 4.0, all ≥ 3; one unreachable; 3 of 5 closed surveyed
    assert got["HW"]["means"]["result"] == 4.0
    assert got["HW"]["satisfied_share"] == 1.0
    assert got["HW"]["unreachable"] == 1
    assert got["HW"]["follow_up_rate"] == 0.6
    assert got["ZF"]["satisfied_share"] == 0.0 and got["ZF"]["resolved_share"] == 0.0


def test_no_closed_case_has_no_rate():
    assert fig.satisfaction([], 0)["follow_up_rate"] is None


def test_overall_is_the_result_dimension():
    assert fig.overall(2) == 2


def test_scores_are_integers_one_to_five():
    assert [fig.valid_score(v) for v in (1, 5, "3", " 4 ")] == [1, 5, 3, 4]
    assert [fig.valid_score(v) for v in (0, 6, "x", None, 3.5, True, "", "-1")] == [None] * 8


def test_rating_summary_means_without_names():
    ratings = [
        {"rater": "110101001", "ratee": "HW", "scores": {"speed": 5, "quality": 4, "cooperation": 3}, "remark": "快"},
        {"rater": "110101002", "ratee": "HW", "scores": {"speed": 3, "quality": 4, "cooperation": 4}, "remark": ""},
        {"rater": "110101001", "ratee": "ZF", "scores": {"speed": 2, "quality": 2, "cooperation": 2}, "remark": "慢"},
    ]
    got = fig.rating_summary(ratings, ["speed", "quality", "cooperation"])
    # HW: speed (5+3)/2 = 4.0, quality 4.0, cooperation 3.5 → overall (4 + 4 + 3.5)/3 = 3.83
    assert got["HW"] == {"raters": 2, "means": {"speed": 4.0, "quality": 4.0, "cooperation": 3.5},
                         "overall": 3.83, "remarks": ["快"]}
    assert got["ZF"]["overall"] == 2.0 and got["ZF"]["remarks"] == ["慢"]


def test_the_window_is_the_month_and_five_working_days_after():
    # December 2026: Tue 1, Wed 2, Thu 3, Fri 4, (Sat 5, Sun 6), Mon 7 → the 5th working day is 7 December
    weekdays = lambda d: d.weekday() < 5  # noqa: E731 — a plain calendar for the worked example
    assert window.last_rating_day("2026-11", weekdays) == dt.date(2026, 12, 7)
    assert window.window_state("2026-11", dt.date(2026, 11, 1), weekdays) == "open"
    assert window.window_state("2026-11", dt.date(2026, 12, 7), weekdays) == "open"
    assert window.window_state("2026-11", dt.date(2026, 12, 8), weekdays) == "closed"
    assert window.window_state("2026-12", dt.date(2026, 11, 30), weekdays) == "not_started"
    # a holiday moves it: with 1–3 December off, the working days are Fri 4, Mon 7, Tue 8, Wed 9, Thu 10
    off = {dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 3)}
    assert window.last_rating_day("2026-11", lambda d: weekdays(d) and d not in off) == dt.date(2026, 12, 10)
    # December → January of the next year
    assert window.last_rating_day("2026-12", weekdays) == dt.date(2027, 1, 7)
