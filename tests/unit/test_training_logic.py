"""培训考试's pure logic: answers normalised and marked all-or-nothing, papers drawn reproducibly, the question sheet
checked row by row (expected values typed by hand)."""

import pytest

from gridgov.training.logic import marking, sheet

NORMALISE = [  # (kind, given, options) → stored
    ("single", "a", 4, "A"), ("single", " B ", 4, "B"), ("single", "E", 4, None), ("single", "AB", 4, None),
    ("multiple", "dba", 4, "ABD"), ("multiple", "A,C", 4, "AC"), ("multiple", "AAC", 4, "AC"), ("multiple", "", 4, None),
    ("true_false", "对", 0, "T"), ("true_false", "错误", 0, "F"), ("true_false", "×", 0, "F"), ("true_false", "A", 0, None),
]


@pytest.mark.parametrize("kind,given,options,stored", NORMALISE)
def test_normalise(kind, given, options, stored):
    assert marking.normalise(kind, given, options) == stored


def test_mark_is_all_or_nothing_per_question():
    items = {1: marking.Item("single", "A", 10, 4), 2: marking.Item("multiple", "ABD", 20, 4),
             3: marking.Item("true_false", "F", 5), 4: marking.Item("multiple", "BC", 10, 4)}
    assert marking.mark(items, {1: "A", 2: "AB", 3: "错", 4: "cb"}) == (25, 45)  # 10 + 0 + 5 + 10
    assert marking.mark(items, {}) == (0, 45)


def test_draw_is_reproducible_from_the_seed():
    ids = [5, 3, 9, 1, 7]
    assert marking.seed_of(4, 12, 2) == "4:12:2"
    assert marking.draw(ids, 3, "4:12:2") == marking.draw([1, 3, 5, 7, 9], 3, "4:12:2")
    assert len(set(marking.draw(ids, 5, "x"))) == 5


def test_sheet_rows_checked_with_their_numbers():
    rows = [sheet.HEADER,
            ["单选", "题一", "甲", "乙", "", "", "", "", "B", "10"],
            ["多选", "题二", "甲", "", "丙", "", "", "", "AC", "10"],
            ["判断", "题三", "甲", "", "", "", "", "", "对", "5"],
            ["", "", "", "", "", "", "", "", "", ""],
            ["判断", "", "", "", "", "", "", "", "是", "x"]]
    parsed, errors = sheet.parse(rows)
    assert parsed == [sheet.Parsed("single", "题一", ["甲", "乙"], "B", 10)]
    assert errors == ["第 3 行：选项之间不能有空缺",
                      "第 4 行：判断题不填选项",
                      "第 6 行：题目不能为空；分值应为 1～100 的整数"]
    assert sheet.parse([["题目", "答案"]])[1] == ["第 1 行：缺少列「题型、分值」"]
