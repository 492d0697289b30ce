"""The pure rules of 人员网格, as tables typed by hand: the return check (state per plan, return and day), the refusals
of a whereabouts and of a return, the bi-weekly 例会 schedule with the missed days, and the conditions of a dynamic
group (checks, birth-date bounds, the sentence shown)."""

import datetime as dt

import pytest

from gridgov.groups.logic import conditions as cl
from gridgov.groups.logic import meetings as ml
from gridgov.groups.logic import returns as rl

D = dt.date
DUE = D(2026, 10, 8)

# (plan, returned on, today) → state
STATES = [
    (None, None, D(2026, 10, 1), "unknown"),
    ("stay", None, D(2026, 11, 2), "staying"),
    ("home", D(2026, 10, 7), D(2026, 11, 2), "returned"),
    ("home", D(2026, 10, 8), D(2026, 11, 2), "returned"),  # on the due day: on time
    ("home", D(2026, 10, 9), D(2026, 11, 2), "late"),
    ("travel", None, D(2026, 10, 8), "away"),  # not back yet, but the due day has not passed
    ("travel", None, D(2026, 10, 9), "overdue"),
    ("other", None, D(2026, 10, 3), "away"),
]


@pytest.mark.parametrize(("plan", "returned", "today", "want"), STATES)
def test_the_return_state(plan, returned, today, want):
    assert rl.state(plan, returned, DUE, today) == want


START, END = D(2026, 10, 1), D(2026, 10, 7)
# (plan, place, leave, back) → refusal code (None: accepted)
PLANS = [
    ("stay", "", None, None, None),
    ("home", "江苏省南通市", D(2026, 10, 1), D(2026, 10, 7), None),
    ("home", "江苏省南通市", D(2026, 9, 24), D(2026, 10, 7), None),  # a week before the holiday
    ("home", "江苏省南通市", D(2026, 9, 23), D(2026, 10, 7), "leave_outside_holiday"),
    ("home", "江苏省南通市", D(2026, 10, 8), D(2026, 10, 9), "leave_outside_holiday"),
    ("home", "江苏省南通市", D(2026, 10, 5), D(2026, 10, 3), "return_before_departure"),
    ("home", "", D(2026, 10, 1), D(2026, 10, 7), "place_required"),
    ("travel", "大理", None, D(2026, 10, 7), "dates_required"),
    ("flight", "大理", D(2026, 10, 1), D(2026, 10, 7), "invalid_plan"),
]


@pytest.mark.parametrize(("plan", "place", "leave", "back", "want"), PLANS)
def test_what_a_whereabouts_may_say(plan, place, leave, back, want):
    refusal = rl.plan_refusal(plan, place, leave, back, START, END)
    assert (refusal[0] if refusal else None) == want


# (plan, left on, returned on, already returned on) → refusal code
RETURNS = [
    ("home", D(2026, 10, 2), D(2026, 10, 8), None, None),
    ("home", D(2026, 10, 2), D(2026, 10, 2), None, None),  # back the same day
    ("home", D(2026, 10, 2), D(2026, 10, 1), None, "return_before_departure"),
    ("home", D(2026, 10, 2), D(2026, 10, 9), D(2026, 10, 8), "already_returned"),
    ("stay", None, D(2026, 10, 8), None, "not_away"),
]


@pytest.mark.parametrize(("plan", "left", "back", "already", "want"), RETURNS)
def test_what_a_return_may_say(plan, left, back, already, want):
    refusal = rl.return_refusal(plan, left, back, already)
    assert (refusal[0] if refusal else None) == want


def test_meetings_every_two_weeks_and_the_missed_ones():
    days = ml.due_dates(D(2026, 9, 7), D(2026, 11, 2))
    assert days == [D(2026, 9, 7), D(2026, 9, 21), D(2026, 10, 5), D(2026, 10, 19), D(2026, 11, 2)]
    held = {D(2026, 9, 7), D(2026, 10, 19)}
    # today's meeting is not missed yet; 09-21 and 10-05 are
    assert ml.missed(days, held, D(2026, 11, 2)) == [D(2026, 9, 21), D(2026, 10, 5)]
    assert ml.next_due(D(2026, 9, 7), D(2026, 11, 2)) == D(2026, 11, 16)
    assert ml.next_due(D(2026, 9, 7), D(2026, 11, 1)) == D(2026, 11, 2)
    assert ml.next_due(D(2026, 9, 7), D(2026, 9, 1)) == D(2026, 9, 7)
    assert ml.due_dates(D(2026, 9, 7), D(2026, 9, 6)) == []


def test_the_conditions_of_a_dynamic_group():
    c = cl.clean([{"field": "age", "op": "gte", "value": "80"}, {"field": "living_alone", "value": "true"}])
    assert c == [{"field": "age", "op": "gte", "value": 80}, {"field": "living_alone", "op": "eq", "value": True}]
    assert cl.describe(c) == "年龄 ≥ 80 岁 且 独居"
    # on 2 November 2026, 80 or older: born on or before 2 November 1946
    assert cl.birth_bounds(c, D(2026, 11, 2)) == (D(1946, 11, 2), None)
    # 70 to 79: born on or before 2026-11-02 minus 70 years, after 2026-11-02 minus 80 years
    band = cl.clean([{"field": "age", "op": "gte", "value": 70}, {"field": "age", "op": "lte", "value": 79}])
    assert cl.birth_bounds(band, D(2026, 11, 2)) == (D(1956, 11, 2), D(1946, 11, 2))
    assert cl.years_before(D(2028, 2, 29), 1) == D(2027, 2, 28)
    assert cl.describe(cl.clean([{"field": "gender", "value": "F"}, {"field": "tag", "value": "elderly_alone"}]),
                       {"elderly_alone": "独居老人"}) == "女性 且 重点人群类别为「独居老人」"


@pytest.mark.parametrize(("conditions", "message"), [
    ([], "请至少设置一个条件"),
    ([{"field": "income", "value": 1}], "第 1 个条件的字段应为：age（年龄）、gender（性别）、reg_type（人口类型）、"
                                        "living_alone（独居（户内仅一名在册人员））、tag（重点人群类别）"),
    ([{"field": "age", "op": "eq", "value": 80}], "「年龄」只能用 ≥、≤"),
    ([{"field": "age", "op": "gte", "value": "八十"}], "「年龄」应为整数"),
    ([{"field": "age", "op": "gte", "value": 151}], "「年龄」应在 0 至 150 之间"),
    ([{"field": "living_alone", "value": "yes"}], "「独居（户内仅一名在册人员）」应为 true 或 false"),
    ([{"field": "gender", "value": "X"}], "「性别」应为 M/F"),
    ([{"field": "tag", "value": ""}], "请填写「重点人群类别」（最多 40 个字符）"),
    ([{"field": "age", "op": "gte", "value": 1}] * 9, "条件最多 8 个"),
])
def test_bad_conditions_are_refused_with_a_message(conditions, message):
    with pytest.raises(ValueError) as e:
        cl.clean(conditions)
    assert str(e.value) == message
