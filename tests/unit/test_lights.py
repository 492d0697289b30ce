"""THE light of a running stage (gridgov.worktime.logic.sla.light), written out by hand: (due, yellow, now,
paused) → light. Red strictly after the due time, yellow from the yellow time on, paused while 挂账."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.dashboard.kpi import on_time
from gridgov.worktime.logic.sla import light, past_due

SH = ZoneInfo("Asia/Shanghai")


def T(h, m=0, s=0, us=0):
    return dt.datetime(2026, 3, 10, h, m, s, us, tzinfo=SH)


DUE, YELLOW = T(17, 30), T(16)


@pytest.mark.parametrize(("due", "yellow", "now", "paused", "expected"), [
    (DUE, YELLOW, T(15, 59, 59), False, "green"),
    (DUE, YELLOW, T(16), False, "yellow"),  # the yellow instant itself is yellow
    (DUE, YELLOW, T(17, 0), False, "yellow"),
    (DUE, YELLOW, T(17, 30), False, "yellow"),  # exactly due: not yet late
    (DUE, YELLOW, T(17, 30, us=1), False, "red"),
    (DUE, YELLOW, T(23), False, "red"),
    (DUE, YELLOW, T(23), True, "paused"),  # 挂账 stops the clock, even past due
    (DUE, YELLOW, T(9), True, "paused"),
    (None, None, T(23), True, "paused"),  # an open pause: no due time
    (None, None, T(23), False, "green"),  # no due time: never late
    (DUE, None, T(17), False, "green"),
    (DUE, None, T(17, 31), False, "red"),
    (DUE, DUE, T(17, 30), False, "yellow"),  # a zero budget: yellow at once, red after
    (DUE.astimezone(dt.UTC), YELLOW.astimezone(dt.UTC), T(17, 30, us=1), False, "red"),  # any time zone
])
def test_light_table(due, yellow, now, paused, expected):
    assert light(due, yellow, now, paused) == expected


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        light(DUE, YELLOW, dt.datetime(2026, 3, 10, 18))


@pytest.mark.parametrize(("due", "now", "expected"), [
    (T(17, 30), T(17, 29, 59), False), (T(17, 30), T(17, 30), False), (T(17, 30), T(17, 30, us=1), True),
    (None, T(23), False),
])
def test_past_due(due, now, expected):
    assert past_due(due, now) is expected


@pytest.mark.parametrize(("handled", "due", "expected"), [
    (T(17, 30), T(17, 30), True),  # handled at the due instant: on time, as the light is not red then
    (T(17, 30, us=1), T(17, 30), False), (None, T(17, 30), False), (None, None, True), (T(23), None, True),
])
def test_on_time_is_the_opposite_of_red_at_the_handling_time(handled, due, expected):
    assert on_time(handled, due) is expected
