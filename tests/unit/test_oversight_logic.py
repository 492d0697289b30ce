"""派遣准确率, 市区两级平台派件 (及时率 × 结案率) and the states of a 督办通知书 / 市级派件 — pure, worked by hand.

Seeds: 001 第三篇 「任务派遣准确率达到95%以上」; 003 篇7 附件1 重点任务 「市区两级平台派件 … 按及时率*结案率结果排名」.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.dashboard.kpi import DispatchFigures, answered_on_time, dispatch_accuracy
from gridgov.oversight.logic.states import dispatch_state, notice_number, notice_state

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("dispatches", "overturned", "expected"), [
    (20, 1, 0.95),  # the seed's 95 %: one dispatch in twenty overturned by a ruling
    (4, 1, 0.75),  # three dispatches and one upheld ruling's re-dispatch; that ruling overturned one
    (7, 0, 1.0),
    (3, 3, 0.0),
    (0, 0, None),  # nothing dispatched: no rate (shown 「—」), never 0 % or 100 %
])
def test_dispatch_accuracy(dispatches, overturned, expected):
    assert dispatch_accuracy(dispatches, overturned) == expected


def test_dispatch_accuracy_refuses_more_overturned_than_dispatched():
    with pytest.raises(ValueError):
        dispatch_accuracy(2, 3)


def test_city_dispatch_figures_worked():
    # 8 派件 to a district: 6 answered in time, 5 closed → 及时率 75 %, 结案率 62.5 %, product 0.46875
    f = DispatchFigures(dispatched=8, answered_on_time=6, closed=5)
    assert (f.timely_rate, f.closed_rate, f.score) == (0.75, 0.625, 0.46875)
    assert DispatchFigures().score is None


def test_answered_on_time_is_at_or_before_the_due_time():
    due = dt.datetime(2026, 3, 20, 18, 0, tzinfo=SH)
    assert answered_on_time(due, due) is True
    assert answered_on_time(due + dt.timedelta(seconds=1), due) is False
    assert answered_on_time(None, due) is False


def test_notice_states():
    due = dt.datetime(2026, 3, 20, 18, 0, tzinfo=SH)
    before, after = due - dt.timedelta(hours=1), due + dt.timedelta(minutes=1)
    assert [notice_state(s, due, before) for s in ("issued", "rectifying", "replied", "closed")] == [
        "issued", "rectifying", "replied", "closed"]
    assert [notice_state(s, due, after) for s in ("issued", "rectifying", "replied", "closed")] == [
        "overdue", "overdue", "overdue", "closed"]
    assert notice_number("北京市", 2026, 3) == "北京市网格督〔2026〕3号"


def test_dispatch_states():
    assert dispatch_state(signed=False, returned=False, answered=False) == "waiting"
    assert dispatch_state(signed=True, returned=False, answered=False) == "signed"
    assert dispatch_state(signed=False, returned=True, answered=False) == "returned"
    assert dispatch_state(signed=True, returned=False, answered=True) == "answered"
