"""``gridgov analytics check``: the roll-up's figures against the plain GROUP BY over the cases
(``kpi.queries.live_tallies``), for every level and the given periods — the same numbers or a list of differences."""

import datetime as dt
from dataclasses import fields
from types import SimpleNamespace

from django.utils import timezone

from gridgov.kpi.logic import indicators as ind

from . import figures

# a reader of everything (the check is the system's own read, not a person's page)
SYSTEM = SimpleNamespace(is_authenticated=True, is_superuser=True, pk=None, role="admin", department_id=None,
                         node_key="")
LEVELS = ("district", "street", "community", "grid", "department", "major", "source")


def default_periods(today: dt.date | None = None) -> list[ind.Period]:
    """This year, last year, this month, and the days of this month so far (a period ending inside a month)."""
    today = today or timezone.localdate()
    out = [ind.year(today.year), ind.year(today.year - 1), ind.month(today.year, today.month)]
    out.append(ind.day_range(today.replace(day=1), today))
    return out


def differences(periods: list[ind.Period], levels=LEVELS) -> list[str]:
    """Each (period, level, group, count) where the roll-up and the case table disagree."""
    from gridgov.kpi.queries import live_tallies

    out = []
    for p in periods:
        for level in levels:
            fast = figures.tallies(SYSTEM, level, p)
            slow = live_tallies(SYSTEM, level, p)
            for key in sorted(set(fast) | set(slow), key=str):
                a, b = fast.get(key, ind.Tally()), slow.get(key, ind.Tally())
                for f in fields(ind.Tally):
                    x, y = getattr(a, f.name), getattr(b, f.name)
                    if abs(x - y) > 1e-6:
                        out.append(f"{p.label} {level} {key} {f.name}: 汇总 {x} ≠ 案件表 {y}")
    return out


def open_differences(now: dt.datetime | None = None) -> list[str]:
    """Each (street, department, grid, count) where the open counts and the open cases disagree at ``now``."""
    from gridgov.dashboard.queries import open_from_cases

    now = now or timezone.now()

    def keyed(rows):
        return {(r["street"], r["dept"], r["grid"]): (r["open"], r["overdue"]) for r in rows if r["open"] or r["overdue"]}

    fast, slow = keyed(figures.open_counts(SYSTEM, now)), keyed(open_from_cases(SYSTEM, now))
    out = []
    for key in sorted(set(fast) | set(slow), key=str):
        a, b = fast.get(key, (0, 0)), slow.get(key, (0, 0))
        for name, x, y in (("在办", a[0], b[0]), ("超期", a[1], b[1])):
            if x != y:
                out.append(f"在办 {key[0]} 部门 {key[1]} 网格 {key[2]} {name}: 汇总 {x} ≠ 案件表 {y}")
    return out
