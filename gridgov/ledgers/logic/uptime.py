"""系统运行 (003 篇7 附件1): hours of fault and of upgrade within a window — pure.

Each kind's periods are clipped to the window and merged where they overlap (two reports of one outage count
once); a period still open (no end) runs to the window's end. ``upgrades`` counts the upgrade periods that start
in the window. The scorer then applies the rule (allowance 240 h; upgrade hours beyond 720 count as faults).
"""

import datetime as dt


def hours(periods: list[tuple[dt.datetime, dt.datetime | None]], start: dt.datetime, end: dt.datetime) -> float:
    clipped = sorted((max(a, start), min(b or end, end)) for a, b in periods)
    total, cur_a, cur_b = 0.0, None, None
    for a, b in clipped:
        if b <= a:
            continue
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += (cur_b - cur_a).total_seconds()
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += (cur_b - cur_a).total_seconds()
    return round(total / 3600, 2)


def system_uptime(faults, upgrades, start: dt.datetime, end: dt.datetime, usable: bool = True) -> dict:
    return {"fault_hours": hours(faults, start, end), "upgrade_hours": hours(upgrades, start, end),
            "upgrades": sum(1 for a, _ in upgrades if start <= a < end), "usable": usable}
