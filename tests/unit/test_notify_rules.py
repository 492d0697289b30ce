"""gridgov.notify.logic.rules: quiet hours (spanning midnight), urgency, channels per kind, template filling."""

import datetime as dt
from zoneinfo import ZoneInfo

from gridgov.notify.logic import rules

SH = ZoneInfo("Asia/Shanghai")
T = dt.time


def test_quiet_hours_spanning_midnight():
    assert rules.in_quiet(T(23, 30), T(22), T(7)) and rules.in_quiet(T(6, 59), T(22), T(7))
    assert not rules.in_quiet(T(7), T(22), T(7)) and not rules.in_quiet(T(12), T(22), T(7))
    assert rules.in_quiet(T(13), T(12), T(14)) and not rules.in_quiet(T(14), T(12), T(14))
    assert not rules.in_quiet(T(23), None, None) and not rules.in_quiet(T(23), T(22), T(22))


def test_held_until_the_end_of_the_quiet_hours():
    late = dt.datetime(2026, 12, 3, 23, 15, tzinfo=SH)
    assert rules.quiet_until(late, T(22), T(7)) == dt.datetime(2026, 12, 4, 7, 0, tzinfo=SH)
    early = dt.datetime(2026, 12, 4, 5, 0, tzinfo=SH)
    assert rules.quiet_until(early, T(22), T(7)) == dt.datetime(2026, 12, 4, 7, 0, tzinfo=SH)
    assert rules.quiet_until(dt.datetime(2026, 12, 4, 9, 0, tzinfo=SH), T(22), T(7)) is None


def test_urgent_kinds_and_channels_per_group():
    assert rules.is_urgent("case.urge") and rules.is_urgent("case.red") and rules.is_urgent("oversight.notice")
    assert not rules.is_urgent("case.yellow") and rules.is_urgent("case.yellow", frozenset({"case.yellow"}))
    assert rules.wanted("case.dispatch", None, ["sms", "wecom"]) == ["sms", "wecom"]
    assert rules.wanted("case.dispatch", {"case": ["wecom"]}, ["sms", "wecom"]) == ["wecom"]
    assert rules.wanted("task.assigned", {"case": ["wecom"]}, ["sms"]) == ["sms"]
    assert rules.wanted("case.dispatch", {"case": []}, ["sms", "wecom"]) == []


def test_template_filling_leaves_unknown_placeholders():
    assert rules.render("【网格】{title}：{body}（{number}）{x}", "派遣", "垃圾", "C1") == "【网格】派遣：垃圾（C1）{x}"
