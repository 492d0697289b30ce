"""One retry schedule for outside deliveries, typed out: 30 s, 1, 2, 4, 8, 16 min, then 30 min (the cap)."""

import datetime as dt

import pytest

from gridgov.backoff import next_attempt, wait_after


@pytest.mark.parametrize(("failed", "seconds"), [
    (0, 0), (1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1800), (8, 1800), (20, 1800),
])
def test_wait_after_failed_attempts(failed, seconds):
    assert wait_after(failed) == dt.timedelta(seconds=seconds)


def test_a_receiver_down_for_an_hour_is_tried_seven_times():
    t0 = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)
    t, tries = t0, 0
    while t < t0 + dt.timedelta(hours=1):
        tries += 1
        t = next_attempt(tries, t)
    assert tries == 7  # after 30 s, 1, 2, 4, 8, 16 min (31.5 min in all), then 30 min: 61.5 min
