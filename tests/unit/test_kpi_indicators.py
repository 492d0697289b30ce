"""The seeds' KPIs (gridgov/kpi/logic/indicators.py) on a month counted by hand, every expected value typed out (the
SQL that counts such a month is tested against typed figures in tests/integration/test_kpi.py).

The period is November 2026 (Asia/Shanghai). The cases (late bits: 核实 1, 立案 2, 派遣 4, 签收 8, 处置 16, 核查 32, 结案 64):

  a  网格员巡查, reported 11-02, registered 11-02, dispatched 11-02, 处置 due 11-04, handled 11-03 (5.0 work hours),
     closed 11-03, nothing late, satisfaction 5
  b  12345 热线, reported 11-05, registered 11-05, dispatched 11-05, 处置 due 11-06, handled 11-09 (20.0 h, reworked),
     closed 11-10, 处置 late (16), satisfaction 3
  c  网格员 自行处置, reported 11-12, registered 11-12, its own 处置 budget due 11-12, handled 11-13 late (16)
     (9.0 h), closed 11-13 — a self-handled case that was late is late
  d  监督员上报, reported 11-20, registered 11-21 late (2), dispatched 11-21, 处置 due 11-25, not handled yet
  e  居民上报, reported 11-28, declined (never registered)
  f  媒体曝光, reported 10-30, registered 10-30 (October: not this period's 立案), dispatched 11-01 late (4),
     处置 due 11-03, handled 11-02 (3.0 h), closed 12-01 (after the period)
  g  领导交办, reported 11-29, registered 11-30, 处置 due 12-02 (after the period)
b's 核实 was on time, e's late.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.kpi.logic import indicators as ind

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def t():
    """A month worked by hand (seven cases a–g of November 2026: what each counts is said beside it)."""
    return ind.Tally(
        reported=6, valid=5,  # a b c d g registered; e declined (f was reported in October)
        registered=5, registered_on_time=4,  # a b c d g; d's 立案 late
        found_own=3, found_other=2,  # a c d (grid worker, inspector) / b g (hotline, leader)
        dispatched=4, dispatched_on_time=3,  # a b d f (f's 派遣 on 11-01 was late)
        dispatches=6, dispatch_misses=2,  # a, b ×2, d, f and the upheld ruling; b's return and f's ruling
        verified=2, verified_on_time=1, inspected=3, inspected_on_time=3,
        handle_due=5, handle_done=4,  # a b c d f due in November; d not handled
        handled=4, handle_hours_sum=37.0, handle_hours_n=4, reworked=1,  # a b c f
        close_due=5, close_done=3,  # of a b c d g: a b c closed
        closed=3, closed_on_time=1,  # a b c; only a has no late stage
        followed=2, satisfaction_sum=8, satisfied=1)


def test_each_indicator(t):
    v = ind.values(t)
    assert v["discovery"] == 3 / 5  # 60.0 %: below the seed's 90 %
    assert v["missed"] == pytest.approx(2 / 5)
    assert v["dispatch_accuracy"] == 4 / 6
    assert v["handling"] == 4 / 5
    assert v["handling_hours"] == 37.0 / 4  # 9.25 work hours
    assert v["closure"] == 3 / 5
    assert v["on_time"] == 1 / 3, "b (处置 late) and the self-handled c (its own budget, late) are not on time"
    assert v["rework"] == 1 / 4
    assert v["satisfaction"] == 4.0 and v["satisfied"] == 1 / 2
    assert v["valid_reports"] == 5 / 6
    assert v["on_time_verify"] == 1 / 2 and v["on_time_inspect"] == 1.0
    assert v["on_time_dispatch"] == 3 / 4 and v["on_time_register"] == 4 / 5


def test_targets_red_and_green():
    b = ind.BY_KEY
    assert ind.meets(b["discovery"], 0.90) is True and ind.meets(b["discovery"], 0.899) is False
    assert ind.meets(b["dispatch_accuracy"], 0.95) is True
    assert ind.meets(b["handling"], 0.84) is False
    assert ind.meets(b["handling_hours"], 13.0) is True and ind.meets(b["handling_hours"], 13.5) is False
    assert ind.meets(b["closure"], 0.83) is True
    assert ind.meets(b["rework"], 0.1) is None, "no published target"
    assert ind.meets(b["closure"], None) is None


def test_nothing_to_divide_is_none_not_zero():
    v = ind.values(ind.Tally())
    assert all(x is None for x in v.values())
    assert ind.fmt("rate", None) == "—" and ind.fmt("rate", 0.8333) == "83.3%" and ind.fmt("hours", 13) == "13.0 h"


def test_dispatch_accuracy():
    assert ind.dispatch_accuracy(20, 1) == 0.95
    assert ind.dispatch_accuracy(0, 0) is None
    with pytest.raises(ValueError):
        ind.dispatch_accuracy(2, 3)
    # undoings of earlier dispatches in a period with fewer dispatches: never below 0 %
    assert ind.dispatch_accuracy_of(ind.Tally(dispatches=1, dispatch_misses=3)) == 0.0


def test_late_bits():
    assert ind.late(16, "handle") and not ind.late(16, "inspect") and not ind.late(0, "verify")
    assert ind.on_time_closed(True, 0) and not ind.on_time_closed(True, 64) and not ind.on_time_closed(False, 0)
    assert sorted(ind.STAGE_BITS.values()) == [1, 2, 4, 8, 16, 32, 64]


def test_deltas():
    assert ind.delta(0.85, 0.80) == pytest.approx(0.05) and ind.delta(None, 0.8) is None
    assert ind.delta(0.8, None) is None


@pytest.mark.parametrize(("text", "start", "end", "label"), [
    ("2026-11", (2026, 11, 1), (2026, 12, 1), "2026-11"),
    ("2026-12", (2026, 12, 1), (2027, 1, 1), "2026-12"),
    ("2026-Q4", (2026, 10, 1), (2027, 1, 1), "2026-Q4"),
    ("2026-q1", (2026, 1, 1), (2026, 4, 1), "2026-Q1"),
    ("2026", (2026, 1, 1), (2027, 1, 1), "2026"),
    ("2026-11-01~2026-11-15", (2026, 11, 1), (2026, 11, 16), "2026-11-01～2026-11-15"),
])
def test_periods(text, start, end, label):
    p = ind.parse_period(text)
    assert (p.start, p.end, p.label) == (dt.datetime(*start, tzinfo=SH), dt.datetime(*end, tzinfo=SH), label)


def test_previous_and_a_year_before():
    assert ind.month(2026, 1).previous().label == "2025-12"
    assert ind.quarter(2026, 1).previous().label == "2025-Q4"
    assert ind.year(2026).previous().label == "2025"
    r = ind.parse_period("2026-11-01~2026-11-15").previous()
    assert (r.start.date(), r.end.date()) == (dt.date(2026, 10, 17), dt.date(2026, 11, 1))  # the 15 days before
    y = ind.month(2026, 11).shifted_year()
    assert (y.start, y.end, y.label) == (dt.datetime(2025, 11, 1, tzinfo=SH), dt.datetime(2025, 12, 1, tzinfo=SH),
                                         "2025-11")


@pytest.mark.parametrize("bad", ["", "2026-13", "26-11", "2026-Q5", "2026-11-15~2026-11-01", "十一月"])
def test_bad_periods_say_what_is_wrong(bad):
    with pytest.raises(ValueError) as e:
        ind.parse_period(bad)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(e.value))


def test_every_indicator_has_a_plain_definition_and_a_source():
    for i in ind.INDICATORS:
        assert i.definition and "**" not in i.definition and "``" not in i.definition, i.key
        assert i.source, i.key
    assert ind.BY_KEY["dispatch_accuracy"].definition.startswith("派遣准确率 (seed 001 第三篇")
    targets = {i.key: i.target for i in ind.INDICATORS if i.target is not None}
    assert targets == {"discovery": 0.90, "dispatch_accuracy": 0.95, "handling": 0.85, "handling_hours": 13.0,
                       "closure": 0.83}  # seed 001 第三篇
