"""When a 帮扶对子 is 超期未走访 (gridgov/party/logic/pairs.py): (last visit, formed on, today, days) → (days since,
overdue), typed by hand."""

import datetime as dt

import pytest

from gridgov.party.logic import pairs

D = dt.date
CASES = [
    # last visit,        formed on,          today,              N,  days since, overdue
    (D(2026, 8, 22), D(2026, 1, 1), D(2026, 11, 20), 90, 90, False),  # exactly N days: not yet
    (D(2026, 8, 21), D(2026, 1, 1), D(2026, 11, 20), 90, 91, True),  # one day more
    (None, D(2026, 11, 20), D(2026, 11, 20), 90, 0, False),  # formed today, never visited
    (None, D(2026, 7, 1), D(2026, 11, 20), 90, 142, True),  # never visited since the pairing
    (D(2026, 11, 20), D(2026, 1, 1), D(2026, 11, 20), 1, 0, False),  # visited today
    (D(2025, 11, 20), D(2025, 1, 1), D(2026, 11, 20), 365, 365, False),
]


@pytest.mark.parametrize(("last", "formed", "today", "days", "since", "overdue"), CASES)
def test_overdue(last, formed, today, days, since, overdue):
    assert pairs.since(last, formed, today) == since
    assert pairs.overdue(last, formed, today, days) is overdue


def test_the_period_is_between_one_day_and_ten_years():
    assert [pairs.days_problem(n) for n in (0, 1, 90, 3650, 3651)] == [
        "走访周期应为 1～3650 天", None, None, None, "走访周期应为 1～3650 天"]
