"""The roll-up (gridgov.analytics): three cases across a month's end built through the services at fixed times,
the per-day rows and the period figures typed by hand; a rolled-back transition leaves the roll-up as it was;
rebuild and check.

Deadlines are the shipped defaults (核实 2 工作小时, 立案 1, 派遣 1, 签收 24 自然小时, 06010's 处置 4 工作小时;
office hours 08:30–12:00, 13:30–17:30). 东华门街道 (110101001):
  A  网格员 Mon 31 March 2025 09:00 (06010); 立案 09:30; 派遣 10:00 (区环卫); 签收 11:00 (处置 due 16:30); 处置
     Tue 1 April 10:00 — LATE (7.5 work hours since 派遣); 核查 10:30; 结案 11:00.
  B  12345 热线 Mon 31 March 09:00; 派核实 09:10; 监督员 confirms 10:00; 立案 10:30 (06010); 派遣 10:40; the department
     sends it back (退回) 11:00; 派遣 again 11:10; open.
  C  网格员 Tue 1 April 09:00 (06010), settles it on the spot (自行处置) 10:00 (its own budget: due 14:30); 核查
     10:30; 结案 11:00 — on time.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction

from gridgov.accounts.models import User
from gridgov.analytics import figures, logic, periods, rollup
from gridgov.analytics.check import SYSTEM, differences, open_differences
from gridgov.analytics.models import CohortCount, DailyCount, OpenCount
from gridgov.cases.models import Case
from gridgov.cases.services.intake import intake
from gridgov.cases.services.transitions import transition
from gridgov.geo.models import Grid
from gridgov.kpi.logic import indicators as ind

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S1 = "110101001"


def at(m: int, d: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, m, d, hour, minute, tzinfo=SH)


@pytest.fixture
def three(users):
    g = Grid.objects.filter(layer__code="unit", community__code__startswith=S1).order_by("code").first()
    pt = g.shape.representative_point()
    gw = User.objects.create(username="an-gw", role="grid_worker", node_key=g.scope_key.split(".")[0])
    insp = User.objects.create(username="an-insp", role="inspector", node_key=S1)
    clerk, dispatcher, handler = users["intake"], users["dispatcher"], users["handler"]
    n = {}

    def report(name, who, source, when, matter="06010"):
        n[name] = intake(who, source=source, lon=pt.x, lat=pt.y, description="路边有暴露垃圾", matter=matter,
                         now=when, find_duplicates=False, reporter_name="李女士" if source == "hotline" else "",
                         reporter_phone="13900002222" if source == "hotline" else "").case.number

    def do(name, who, action, when, **data):
        transition(who, n[name], action, data, now=when)

    hw = {"department": "110101-HW"}
    report("A", gw, "grid_worker", at(3, 31, 9))
    do("A", clerk, "register", at(3, 31, 9, 30))
    do("A", dispatcher, "dispatch", at(3, 31, 10), **hw)
    do("A", handler, "accept", at(3, 31, 11))
    do("A", handler, "handle", at(4, 1, 10), feedback="已清运")
    do("A", insp, "inspect_pass", at(4, 1, 10, 30))
    do("A", clerk, "close", at(4, 1, 11))
    report("B", clerk, "hotline", at(3, 31, 9), matter=None)
    do("B", clerk, "assign_verify", at(3, 31, 9, 10))
    do("B", insp, "confirm", at(3, 31, 10))
    do("B", clerk, "register", at(3, 31, 10, 30), matter="06010")
    do("B", dispatcher, "dispatch", at(3, 31, 10, 40), **hw)
    do("B", handler, "return", at(3, 31, 11), reason="不属本部门")
    do("B", dispatcher, "dispatch", at(3, 31, 11, 10), **hw)
    report("C", gw, "grid_worker", at(4, 1, 9))
    do("C", gw, "self_handle", at(4, 1, 10), feedback="已现场处置")
    do("C", insp, "inspect_pass", at(4, 1, 10, 30))
    do("C", clerk, "close", at(4, 1, 11))
    return n


def street_days(first: dt.date, last: dt.date) -> dict:
    """The street's per-day counts (the grid dimension summed over the street), zeros left out."""
    out = {}
    for d in (first + dt.timedelta(days=i) for i in range((last - first).days + 1)):
        t = figures.system_tallies(S1, "street", ind.day_range(d, d)).get(S1, ind.Tally())
        out[d] = {k: v for k, v in vars(t).items() if v}
    return out


def test_the_days_of_three_cases(three):
    assert street_days(dt.date(2025, 3, 30), dt.date(2025, 4, 2)) == {
        dt.date(2025, 3, 30): {},
        dt.date(2025, 3, 31): {
            "reported": 2, "valid": 2, "registered": 2, "registered_on_time": 2, "found_own": 1, "found_other": 1,
            "dispatched": 2, "dispatched_on_time": 2, "dispatches": 3, "dispatch_misses": 1, "verified": 1,
            "verified_on_time": 1, "close_due": 2, "handle_due": 1},
        dt.date(2025, 4, 1): {
            "reported": 1, "valid": 1, "registered": 1, "registered_on_time": 1, "found_own": 1,
            "handled": 2, "handle_hours_sum": 7.5 + 1.0, "handle_hours_n": 2, "inspected": 2, "inspected_on_time": 2,
            "close_due": 1, "close_done": 1, "closed": 2, "closed_on_time": 1, "handle_due": 1, "handle_done": 1},
        dt.date(2025, 4, 2): {},
    }


def test_periods_across_the_month_end(three):
    def street(p):
        return figures.system_tallies(S1, "street", p)[S1]

    march = street(ind.month(2025, 3))
    assert (march.close_due, march.close_done) == (2, 0), "A was closed in April, after March ended"
    april = street(ind.month(2025, 4))
    assert (april.close_due, april.close_done, april.closed) == (1, 1, 2)
    both = street(periods.parse("range", "2025-03-31", "2025-04-01"))
    assert (both.reported, both.close_due, both.close_done, both.closed) == (3, 3, 2, 2)
    week = street(periods.of("week", dt.date(2025, 4, 2)))  # Monday 31 March … Sunday 6 April
    assert (week.reported, week.registered, week.dispatches, week.closed, week.close_done) == (3, 3, 3, 2, 2)
    dept = figures.system_tallies(S1, "department", ind.month(2025, 3))
    hw = next(k for k in dept if k is not None)
    assert (dept[hw].reported, dept[hw].dispatches, dept[hw].dispatch_misses) == (2, 3, 1)
    by_source = figures.system_tallies(S1, "source", periods.parse("range", "2025-03-31", "2025-04-01"))
    assert {k: t.reported for k, t in by_source.items()} == {"grid_worker": 2, "hotline": 1}
    by_major = figures.system_tallies(S1, "major", ind.month(2025, 4))
    assert {k: t.closed for k, t in by_major.items()} == {"matter-06": 2}


def test_the_roll_up_matches_the_case_table_and_survives_a_rebuild(three):
    ps = [ind.month(2025, 3), ind.month(2025, 4), periods.parse("range", "2025-03-31", "2025-04-01")]
    assert differences(ps) == []
    def rows():  # the two days' rows with something in them (a case that moved leaves a row of zeros behind)
        got = DailyCount.objects.filter(day__range=(dt.date(2025, 3, 31), dt.date(2025, 4, 1)))
        return sorted(r for r in got.values_list("dim", "day", "area", "key", *logic.DAILY_FIELDS) if any(r[4:]))

    before = rows()
    rollup.rebuild(dt.date(2025, 3, 31), dt.date(2025, 4, 1))
    assert rows() == before
    DailyCount.objects.filter(day=dt.date(2025, 4, 1), dim="street").update(closed=0)  # damage it
    assert "2025-04 street 110101001 closed: 汇总 0 ≠ 案件表 2" in differences([ind.month(2025, 4)], ["street"])
    call_command("analytics", "rebuild", "--from", "2025-04-01", "--to", "2025-04-01")
    call_command("analytics", "check", "--period", "2025-04", "--period", "2025-03-31~2025-04-01")
    assert figures.tallies(SYSTEM, "street", ind.month(2025, 4))[S1].closed == 2


def test_a_rolled_back_transition_leaves_the_roll_up_as_it_was(three, users):
    def snapshot():
        return (sorted(DailyCount.objects.values_list("dim", "day", "area", "key", "restricted", "handled",
                                                      "handle_hours_n", "dispatch_misses")),
                sorted(CohortCount.objects.values_list("kind", "dim", "start", "area", "key", "done_month", "n")),
                sorted(OpenCount.objects.filter(n__gt=0).values_list("area", "grid", "department", "due_month", "n")))

    before = snapshot()
    with pytest.raises(RuntimeError), transaction.atomic():
        transition(users["handler"], three["B"], "accept", {}, now=at(4, 2, 9))
        transition(users["handler"], three["B"], "handle", {"feedback": "已清运"}, now=at(4, 2, 10))
        assert snapshot() != before, "the roll-up changes in the transition's own transaction"
        raise RuntimeError("the caller's transaction fails")
    assert snapshot() == before


def test_the_roll_up_answers_the_leader_and_the_street(users):
    assert figures.scope_of(users["leader"], "grid") is not None
    assert figures.scope_of(users["handler"], "street") is None, "a department's handlers: from the cases"


def test_a_period_ending_late_in_a_month_counts_the_cohort_from_the_month_less_its_rest(three, users):
    """应结案 / 已结案 of a period ending inside a month: done in that month before the end. Counted from the month's
    cohort rows less what was done after the end when that side is shorter (here 21–30 April), from the cases
    before it otherwise (1–5 April)."""
    insp = User.objects.get(username="an-insp")
    transition(users["handler"], three["B"], "accept", {}, now=at(4, 25, 9))
    transition(users["handler"], three["B"], "handle", {"feedback": "已清运"}, now=at(4, 25, 10))
    transition(insp, three["B"], "inspect_pass", {}, now=at(4, 25, 10, 30))
    transition(users["intake"], three["B"], "close", {}, now=at(4, 25, 11))

    def close(first, last):
        t = figures.system_tallies(S1, "street", periods.parse("range", first, last))[S1]
        return t.close_due, t.close_done

    # A and B registered on 31 March, C on 1 April; A and C closed on 1 April, B on 25 April
    assert close("2025-03-31", "2025-04-20") == (3, 2), "B closed after the end (the month less its rest)"
    assert close("2025-03-31", "2025-04-05") == (3, 2), "B closed after the end (the first days from the cases)"
    assert close("2025-03-31", "2025-04-27") == (3, 3)
    assert close("2025-04-01", "2025-04-27") == (1, 1), "A and B started before the period"
    ps = [periods.parse("range", "2025-03-31", a) for a in ("2025-04-05", "2025-04-20", "2025-04-24", "2025-04-25")]
    assert differences(ps) == []


def test_the_open_counts_follow_the_cases_and_turn_red_with_the_clock(three, users):
    """Open and 超期 now per (street, department, grid) from the open counts: B's share (dispatched again on 31 March
    at 11:10, its 签收 clock running) typed by hand — what closing it takes away, at several moments (the demo's
    other open cases stay as they are) —, and the same as the plain GROUP BY at any moment."""
    b = Case.objects.get(number=three["B"])
    assert (b.status, b.stage, b.paused_at) == ("dispatched", "accept", None)
    due = b.stage_due_at
    key = (S1, b.assignee_department_id, b.management_grid_id)
    moments = {"at the due time (red strictly after)": due, "a second later (this month's: from the cases)":
               due + dt.timedelta(seconds=1), "next month (from the rows)": at(5, 2, 9), "before": at(3, 1, 9)}

    def seen(now):
        return {(r["street"], r["dept"], r["grid"]): (r["open"], r["overdue"])
                for r in figures.open_counts(SYSTEM, now) if r["open"] or r["overdue"]}

    with_b = {name: seen(now) for name, now in moments.items()}
    for now in (*moments.values(), at(4, 1, 0)):
        assert open_differences(now) == []
    transition(users["handler"], three["B"], "accept", {}, now=at(4, 2, 9))
    transition(users["handler"], three["B"], "handle", {"feedback": "已清运"}, now=at(4, 2, 10))
    transition(User.objects.get(username="an-insp"), three["B"], "inspect_pass", {}, now=at(4, 2, 10, 30))
    transition(users["intake"], three["B"], "close", {}, now=at(4, 2, 11))
    share = {}
    for name, now in moments.items():
        after = seen(now)
        assert set(after) | {key} == set(with_b[name]) | {key}, "only B's group changes"
        a, w = after.get(key, (0, 0)), with_b[name][key]
        share[name] = (w[0] - a[0], w[1] - a[1])
        assert open_differences(now) == []
    assert share == {"at the due time (red strictly after)": (1, 0),
                     "a second later (this month's: from the cases)": (1, 1),
                     "next month (from the rows)": (1, 1), "before": (1, 0)}


def test_the_open_counts_are_rebuilt_from_the_cases(three):
    kept = sorted(OpenCount.objects.filter(n__gt=0).values_list("area", "grid", "department", "due_month", "n"))
    OpenCount.objects.update(n=0)  # damage them
    assert open_differences(at(4, 15, 9)) != []
    rollup.rebuild_open()
    assert open_differences(at(4, 15, 9)) == []
    assert sorted(OpenCount.objects.filter(n__gt=0).values_list("area", "grid", "department", "due_month", "n")) == kept


def test_folding_long_past_due_months_keeps_every_figure(three, users):
    """The deadline scan merges the open counts of due months before now's month less two into one row per group
    (due month 1): B (due on 31 March or 1 April 2025) is folded by a scan in July 2025, not by one in May; its
    figures stay the same for any moment from then on, and the next case change still lands right."""
    b = Case.objects.get(number=three["B"])
    due_month = b.stage_due_at.astimezone(SH).year * 100 + b.stage_due_at.astimezone(SH).month
    key = (S1, b.assignee_department_id, b.management_grid_id)

    def b_rows():
        return sorted(OpenCount.objects.filter(area=b.scope_key[:12], grid=b.management_grid_id,
                                               department=b.assignee_department_id, n__gt=0)
                      .values_list("due_month", flat=True))

    def seen(now):
        return {(r["street"], r["dept"], r["grid"]): (r["open"], r["overdue"])
                for r in figures.open_counts(SYSTEM, now)}.get(key)

    assert due_month in b_rows()
    before = {now: seen(now) for now in (at(7, 1, 9), at(8, 15, 9))}
    rollup.fold_open(at(5, 20, 9))
    assert due_month in b_rows(), "May: March and April are kept (two months back)"
    rollup.fold_open(at(7, 1, 9))
    assert due_month not in b_rows() and 1 in b_rows(), "July: folded into the long-past row"
    assert {now: seen(now) for now in before} == before
    assert open_differences(at(7, 1, 9)) == []
    transition(users["handler"], three["B"], "accept", {}, now=at(7, 2, 9))  # B leaves its folded row
    assert open_differences(at(7, 2, 10)) == []
