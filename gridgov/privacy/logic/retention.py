"""Retention periods of personal data (个人信息保存期限) — pure, no Django.

个人信息保护法 第十九条: personal information is kept no longer than the purpose needs; 第四十七条: when the period
has passed it is deleted. Each kind of data has a period in days counted from the event that ends its purpose
(a case archived, a resident moved out, a log line written). ``None`` means "kept" (no automatic deletion).

The boundary is a calendar day in the platform's time zone: data whose event fell on day ``D`` is erased from
the start of day ``D + days``. A case archived on 2026-01-10 with 180 days is still there all of 2026-07-08 and
erased on 2026-07-09. :func:`due_before` is that rule; everything else is derived from it.
"""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # 中文, for the admin and the audit record
    event: str  # what the period is counted from
    default_days: int | None
    min_days: int = 0  # a legal floor (网络安全法 第二十一条: network logs kept at least six months)


CASE_REPORTER = "case_reporter"
ACCESS_LOG = "access_log"
RESIDENT_LEFT = "resident_left"
FIELD_TRACK = "field_track"
GOVERNANCE_PARTY = "governance_party"

KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind(CASE_REPORTER, "案件上报人姓名和联系电话", "案件归档（不予立案、作废：办结）之日", 180),
    Kind(ACCESS_LOG, "个人信息访问日志", "日志记录之日", 3 * 365, min_days=180),
    Kind(RESIDENT_LEFT, "已迁出、注销人员的身份证号、手机号和姓名", "迁出或注销之日", None),
    Kind(FIELD_TRACK, "网格员巡查轨迹", "轨迹记录之日", 365),
    # 调解协议 may be disputed in court within the 3-year limitation period (民法典 第一百八十八条)
    Kind(GOVERNANCE_PARTY, "调解当事人、信访人的姓名、联系电话和人员关联", "案件归档（不予立案、作废：办结）之日", 3 * 365),
)}

MAX_DAYS = 36500  # a hundred years: longer is a typo, not a policy


def days_problem(kind: str, days: int | None) -> str | None:
    """Why ``days`` is not an acceptable period for ``kind`` (a Chinese message), or None."""
    k = KINDS.get(kind)
    if k is None:
        return "没有此类个人信息"
    if days is None:
        return None
    if days < 1 or days > MAX_DAYS:
        return f"保存期限应为 1～{MAX_DAYS} 天，或留空表示长期保存"
    if days < k.min_days:
        return f"{k.label}至少保存 {k.min_days} 天"
    return None


def due_before(today: dt.date, days: int) -> dt.date:
    """Events on a day before the returned day are due for erasure on ``today`` (days ≥ 1)."""
    return today - dt.timedelta(days=days - 1)


def erase_on(event_day: dt.date, days: int) -> dt.date:
    """The first day on which data of an event on ``event_day`` is erased."""
    return event_day + dt.timedelta(days=days)


def is_due(kind: str, event_day: dt.date, today: dt.date, policy: dict[str, int | None]) -> bool:
    """Is the data of ``kind`` whose period started on ``event_day`` due for erasure on ``today``?"""
    days = policy.get(kind, KINDS[kind].default_days)
    return days is not None and event_day < due_before(today, days)
