"""The roll-up's definition — pure, no Django import: what one case (its row and its timeline) adds to the
per-day counts.

The roll-up holds the ``Tally`` counts of ``gridgov.kpi.logic.indicators`` (each field's definition is there) per
local day (Asia/Shanghai) and per group, so that a period's tally is a SUM over its days instead of a GROUP BY over
every case of the period. A case adds to the day of each of its timestamps (上报 → ``reported``, 立案 → ``registered``
…) and each of its timeline events (核实, 核查, 派遣, 退回, 改派). The two cohort counts (结案率's 应结案/已结案 and
处理率's 应处理/已处理) depend on the period's end as well as its start: they are kept apart, per start day and the
month the case was done (``cohort``), which answers every period that ends on a month boundary exactly; the part of
a last, partial month is counted from the case table (``gridgov.analytics.figures``).

Groups (``DIMS``): the management grid (its community's code is the row's area, so district → street → community →
grid are prefixes of it), the 主办部门, the matter's major class (大类) and the source, each of these three within its
street (area = the street's code), and the areas themselves — the community and the street (key '') — so that a
period by street or community reads a row per area, not one per grid. Each row also carries the matter's restricted
right (信访, 治安 …: hidden from posts without it). A case change is applied as ``contribution(after) − contribution(before)`` in the same
transaction as the change (``gridgov.analytics.rollup``), so the roll-up always equals a GROUP BY over the cases.

Every count is kept twice: on its day (grain "d") and in its month (grain "m", dated the 1st), so a period reads
one row per group and whole month, and day rows only for the days of a partial month at either end.
"""

import datetime as dt
from collections import defaultdict

from gridgov.cases.logic.lifecycle import OPEN_STATES
from gridgov.kpi.logic import indicators as ind

SHANGHAI = ind.SHANGHAI

# the groups: dim → how long its area code is (the community's 12 digits for the grid dim, the street's 9 for the
# department, class and source dims); the two area dims have no key
DIMS = {"grid": 12, "department": 9, "major": 9, "source": 9, "community": 12, "street": 9}
AREA_DIMS = ("street", "community")  # the coarsest first

# the Tally fields kept per day (every one but the two cohorts)
COHORT_FIELDS = ("close_due", "close_done", "handle_due", "handle_done")
DAILY_FIELDS = tuple(f for f in ind.COUNT_FIELDS if f not in COHORT_FIELDS)

VERIFY = frozenset(ind.VERIFY_ACTIONS)  # 核实: confirm / refute
INSPECT = frozenset(ind.INSPECT_ACTIONS)  # 核查: inspect_pass / inspect_fail
DISPATCH_EVENTS = frozenset({"dispatch", "rule_uphold"})  # each 派遣, and the re-dispatch of an upheld 责任争议
# an undone dispatch: sent back (退回) by the department's handler, or a 责任争议 upheld (改派)
COUNTED_EVENTS = VERIFY | INSPECT | DISPATCH_EVENTS | {"return"}


def day(t: dt.datetime) -> dt.date:
    """The local calendar day (Asia/Shanghai) of an aware timestamp."""
    return t.astimezone(SHANGHAI).date()


def month_number(t: dt.datetime | None) -> int:
    """yyyymm of the local month of ``t``; 0 for none (not done)."""
    if t is None:
        return 0
    d = day(t)
    return d.year * 100 + d.month


def misses(action: str, role: str) -> bool:
    """The event undoes a dispatch (派遣准确率): 退回 by a department's handler, or 争议成立 (改派)."""
    return action == "rule_uphold" or (action == "return" and role == "handler")


def groups(case: dict) -> list[tuple[str, str, str, str]]:
    """(dim, key, area, restricted) of each group the case belongs to. ``case`` holds ``grid`` (management grid
    code or ''), ``department`` (id or None), ``major`` ('' for none), ``source``, ``scope_key`` and
    ``restricted`` (the matter's restricted right, '' for none)."""
    scope, restricted = case["scope_key"] or "", case["restricted"] or ""
    dept = case["department"]
    keys = {"grid": case["grid"] or "", "department": "" if dept is None else str(dept), "major": case["major"] or "",
            "source": case["source"] or "", "community": "", "street": ""}
    return [(dim, keys[dim], scope[:n], restricted) for dim, n in DIMS.items()]


def counts(case: dict, events) -> tuple[dict, dict]:
    """What one case adds: ``daily`` {day: {field: n}} and ``cohort`` {(kind, start day, done month): n}.

    ``case`` holds the Case row's timestamps and counts (``reported_at``, ``registered_at``, ``dispatched_at``,
    ``handled_at``, ``closed_at``, ``handle_due_at``, ``late_stages``, ``source``, ``rework_count``,
    ``handle_hours``, ``satisfaction``); ``events``: (action, role, at) of its timeline (others are ignored)."""
    daily: dict = defaultdict(lambda: defaultdict(int))
    mask = case["late_stages"] or 0

    def add(t, **fields):
        if t is None:
            return
        row = daily[day(t)]
        for k, v in fields.items():
            if v:
                row[k] += v

    registered = case["registered_at"]
    add(case["reported_at"], reported=1, valid=int(registered is not None))
    source = case["source"]
    add(registered, registered=1, registered_on_time=int(not ind.late(mask, "register")),
        found_own=int(source in ind.OWN_SOURCES), found_other=int(source in ind.OTHER_SOURCES))
    add(case["dispatched_at"], dispatched=1, dispatched_on_time=int(not ind.late(mask, "dispatch")))
    hours = case["handle_hours"]
    add(case["handled_at"], handled=1, reworked=int((case["rework_count"] or 0) > 0),
        handle_hours_sum=hours or 0.0, handle_hours_n=int(hours is not None))
    score = case["satisfaction"]
    add(case["closed_at"], closed=1, closed_on_time=int(ind.on_time_closed(True, mask)),
        followed=int(score is not None), satisfaction_sum=score or 0, satisfied=int(score is not None and score >= 4))
    for action, role, at in events:
        if action in VERIFY:
            add(at, verified=1, verified_on_time=int(not ind.late(mask, "verify")))
        elif action in INSPECT:
            add(at, inspected=1, inspected_on_time=int(not ind.late(mask, "inspect")))
        if action in DISPATCH_EVENTS:
            add(at, dispatches=1)
        if misses(action, role):
            add(at, dispatch_misses=1)
    cohort: dict = defaultdict(int)
    if registered is not None:  # 应结案: registered in the period; done: closed (still) by its end
        cohort[("close", day(registered), month_number(case["closed_at"]))] += 1
    if case["handle_due_at"] is not None:  # 应处理: handling due in the period; done: handled by its end
        cohort[("handle", day(case["handle_due_at"]), month_number(case["handled_at"]))] += 1
    return {d: dict(v) for d, v in daily.items()}, dict(cohort)


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def difference(before: tuple | None, after: tuple | None) -> tuple[dict, dict]:
    """after − before, per row key: ``before``/``after`` are (case dict, events) or None (no case).

    Keys: daily ((dim, key, area, restricted), grain, day) and cohort ((dim, key, area, restricted), grain,
    (kind, start, done month)); each count goes to its day (grain "d") and to its month (grain "m", the day being
    the month's first), so a period of whole months sums a row per month and group."""
    daily: dict = defaultdict(lambda: defaultdict(float))
    cohort: dict = defaultdict(int)
    for sign, side in ((-1, before), (1, after)):
        if side is None:
            continue
        case, events = side
        days, kinds = counts(case, events)
        for group in groups(case):
            for d, fields in days.items():
                for row in (daily[(group, "d", d)], daily[(group, "m", month_start(d))]):
                    for k, v in fields.items():
                        row[k] += sign * v
            for (kind, start, done), n in kinds.items():
                cohort[(group, "d", (kind, start, done))] += sign * n
                cohort[(group, "m", (kind, month_start(start), done))] += sign * n
    out_daily = {}
    for key, fields in daily.items():
        kept = {k: v for k, v in fields.items() if v}
        if kept:
            out_daily[key] = kept
    return out_daily, {k: n for k, n in cohort.items() if n}


# ---------------------------------------------------------------- the open cases now (the dashboard's 在办 / 超期)


def open_key(case: dict) -> tuple[str, int, int, str, int] | None:
    """The open-count row (``models.OpenCount``) an open case adds one to: (its community's code — the scope key's
    first 12 digits —, management grid id or 0, 主办部门 id or 0, the matter's restricted right or '', the local
    month (yyyymm) its running stage is due, 0 when no clock runs); None for a case no longer open.

    A clock runs as ``gridgov.cases.services.lights.running_q`` says: an open case with a current stage, not paused
    (挂账). Red (超期) at ``now`` is then: due in a month before now's (the rows), or due since that month began and
    before ``now`` (the few cases the due-time index gives) — so the rows never depend on the clock."""
    if case["status"] not in OPEN_STATES:
        return None
    running = bool(case["stage"]) and case["paused_at"] is None
    return ((case["scope_key"] or "")[:12], case["management_grid_id"] or 0, case["assignee_department_id"] or 0,
            case["restricted"] or "", month_number(case["stage_due_at"]) if running else 0)


def open_difference(before: dict | None, after: dict | None) -> dict:
    """after − before of the open counts: {open_key: ±1} (nothing when the case stays in the same row)."""
    out: dict = defaultdict(int)
    for sign, case in ((-1, before), (1, after)):
        key = open_key(case) if case is not None else None
        if key is not None:
            out[key] += sign
    return {k: n for k, n in out.items() if n}
