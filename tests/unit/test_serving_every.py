"""`serving.every`, the one background loop of `gridgov serve`: it runs the work again and again, a failing pass does
not end it, and an interval of 0 starts nothing."""

import threading

from gridgov.serving import every


def test_a_failing_pass_is_logged_and_the_loop_goes_on():
    calls, again = [], threading.Event()

    def work():
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("the first pass fails")
        again.set()

    t = every("test-loop", 0.01, work, first_after=0)
    try:
        assert t is not None and t.daemon and t.name == "gridgov-test-loop"
        assert again.wait(60), "a second pass ran after the failing first one"
        assert calls[:2] == [0, 1]
    finally:  # a loop left running would go on every 10 ms through the rest of the suite, logging into other tests
        t.stop.set()
        t.join(60)
    assert not t.is_alive()


def test_no_interval_no_thread():
    assert every("test-off", 0, lambda: None) is None
