"""Which channels a message takes and when (pure: no Django).

- A kind's group is its part before the dot ("case.dispatch" → "case"); a person's preferences name the channels
  per group (a group not named: every channel that can reach the person).
- Urgent kinds (督办, 紧急, 超期) go at once, quiet hours or not; the others wait for the quiet hours to end.
- Quiet hours are local wall-clock times (Asia/Shanghai); start after end spans midnight (22:00–07:00).
"""

import datetime as dt

# 督办 (a case urged, the city's 督办通知书), 紧急案件, red light (已超期), 应急预案, a task past its deadline
URGENT_KINDS = frozenset({"case.urge", "case.urgent", "case.red", "duty.plan", "oversight.notice", "task.overdue",
                          "notices.urgent"})  # notices: a 橙色/红色 预警 goes at once, quiet hours or not

GROUP_LABELS = {"case": "案件", "task": "专项任务", "oversight": "市区督办", "duty": "值班应急",
                "meeting": "会议", "evaluation": "回访评价", "notices": "通知公告"}  # notices


def group_of(kind: str) -> str:
    return kind.split(".", 1)[0]


def is_urgent(kind: str, extra: frozenset[str] = frozenset()) -> bool:
    return kind in URGENT_KINDS or kind in extra


def wanted(kind: str, prefs: dict[str, list[str]] | None, reachable: list[str]) -> list[str]:
    """The channels (in the order of ``reachable``) a message of ``kind`` takes for one person."""
    chosen = (prefs or {}).get(group_of(kind))
    if chosen is None:
        return list(reachable)
    return [c for c in reachable if c in chosen]


def in_quiet(local: dt.time, start: dt.time | None, end: dt.time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_until(now_local: dt.datetime, start: dt.time | None, end: dt.time | None) -> dt.datetime | None:
    """When the quiet hours around ``now_local`` (an aware local datetime) end; None when not quiet now."""
    if not in_quiet(now_local.timetz().replace(tzinfo=None), start, end):
        return None
    until = now_local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= now_local:
        until += dt.timedelta(days=1)
    return until


def render(text: str, title: str, body: str, number: str) -> str:
    """Fill a template's {title} {body} {number}; an unknown placeholder is left as typed (never raises)."""
    out = text
    for name, value in (("title", title), ("body", body), ("number", number)):
        out = out.replace("{" + name + "}", value)
    return out
