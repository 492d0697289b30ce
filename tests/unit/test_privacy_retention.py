"""Retention periods (个人信息保存期限), pure: which day data is erased on, the legal floor of the access log."""

import datetime as dt

import pytest

from gridgov.privacy.logic import retention

D = dt.date


def test_a_case_archived_on_10_january_with_180_days_is_kept_until_8_july_and_erased_on_9_july():
    policy = {"case_reporter": 180}
    assert retention.erase_on(D(2026, 1, 10), 180) == D(2026, 7, 9)
    assert retention.is_due("case_reporter", D(2026, 1, 10), D(2026, 7, 8), policy) is False
    assert retention.is_due("case_reporter", D(2026, 1, 10), D(2026, 7, 9), policy) is True
    assert retention.is_due("case_reporter", D(2026, 1, 10), D(2026, 7, 10), policy) is True


def test_due_before_is_the_first_day_whose_data_is_still_kept():
    # on 2026-07-09 with 180 days: days up to 2026-01-10 are due, 2026-01-11 is kept
    assert retention.due_before(D(2026, 7, 9), 180) == D(2026, 1, 11)
    # one day: yesterday's data goes today
    assert retention.due_before(D(2026, 3, 1), 1) == D(2026, 3, 1)
    # across a leap day: 2028-02-29 exists
    assert retention.erase_on(D(2028, 2, 28), 2) == D(2028, 3, 1)


def test_defaults_are_used_when_the_policy_does_not_name_the_kind():
    # case reporters: 180 days by default
    assert retention.is_due("case_reporter", D(2026, 1, 10), D(2026, 7, 9), {}) is True
    assert retention.is_due("case_reporter", D(2026, 1, 10), D(2026, 7, 8), {}) is False
    # access log: 1,095 days by default — from 2023-01-01 that is 365 + 366 (2024 is a leap year) + 364 days
    assert retention.is_due("access_log", D(2023, 1, 1), D(2025, 12, 30), {}) is False
    assert retention.is_due("access_log", D(2023, 1, 1), D(2025, 12, 31), {}) is True


def test_a_kind_kept_without_a_period_is_never_due():
    assert retention.is_due("resident_left", D(1990, 1, 1), D(2026, 7, 9), {"resident_left": None}) is False
    assert retention.is_due("resident_left", D(1990, 1, 1), D(2026, 7, 9), {}) is False  # default: kept
    assert retention.is_due("case_reporter", D(2020, 1, 1), D(2026, 7, 9), {"case_reporter": None}) is False


@pytest.mark.parametrize(("kind", "days", "problem"), [
    ("case_reporter", 180, None),
    ("case_reporter", None, None),
    ("case_reporter", 1, None),
    ("case_reporter", 0, "保存期限应为 1～36500 天，或留空表示长期保存"),
    ("case_reporter", -5, "保存期限应为 1～36500 天，或留空表示长期保存"),
    ("case_reporter", 36501, "保存期限应为 1～36500 天，或留空表示长期保存"),
    ("access_log", 179, "个人信息访问日志至少保存 180 天"),
    ("access_log", 180, None),
    ("nonsense", 30, "没有此类个人信息"),
])
def test_days_problem(kind, days, problem):
    assert retention.days_problem(kind, days) == problem


def test_the_kinds_and_their_defaults():
    assert {k: v.default_days for k, v in retention.KINDS.items()} == {
        "case_reporter": 180, "access_log": 1095, "resident_left": None, "field_track": 365,
        "governance_party": 1095}
