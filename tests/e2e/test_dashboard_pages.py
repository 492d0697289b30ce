"""领导看板 (/dashboard/): its numbers equal counts made independently from the database — for a small known set
of cases (with a fixed clock) and for the whole demo district (with the real clock); a street-bound leader counts
only the street; other posts get the 403 page; the number of queries does not grow with the number of cases."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.accounts.models import Department, User
from gridgov.analytics import rollup
from gridgov.cases.models import Case
from gridgov.dashboard import queries
from gridgov.geo.models import Grid, Jurisdiction

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
OPEN = ["reported", "verifying", "verified", "registered", "dispatched", "accepted", "suspended", "handled",
        "inspected"]
STREET2 = "110101002"  # a street of 东城区 where the demo replays no cases
_seq = iter(range(1, 10_000))


def at(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SH)


def make(street: str, dept: str | None = None, **fields) -> Case:
    """A case placed in a management grid of ``street`` with exactly the given times and state."""
    g = Grid.objects.filter(layer__code="management", community__code__startswith=street).order_by("code").first()
    district = Jurisdiction.objects.get(code="110101")
    defaults = {"status": "closed", "source": "grid_worker", "description": "测试", "lon": 116.4, "lat": 39.9,
                "reported_at": at(1, 9)}
    case = Case.objects.create(
        number=f"T{next(_seq):06d}", district=district, management_grid=g, community=g.community,
        scope_key=g.scope_key, assignee_department=Department.objects.get(code=dept) if dept else None,
        **{**defaults, **fields})
    rollup.added([case])  # written past the services: its per-day counts as intake would add them
    return case


@pytest.fixture
def street_leader():
    return User.objects.create(username="leader-s2", role="leader", node_key=STREET2, display_name="街道领导")


@pytest.fixture
def known():
    """The known set in 景山街道 (110101002), seen at NOW = 11月18日 15:00."""
    make(STREET2, "110101-HW", status="accepted", reported_at=at(18, 9), stage="handle",
         stage_due_at=at(18, 14), accepted_at=at(18, 9))  # a: today, overdue
    make(STREET2, "110101-ZF", status="dispatched", reported_at=at(18, 10), registered_at=at(18, 10),
         stage="accept", stage_due_at=at(19, 15))  # b: today, registered today
    make(STREET2, "110101-HW", reported_at=at(5, 9), registered_at=at(5, 10), handled_at=at(10, 10),
         handle_due_at=at(12, 10), closed_at=at(18, 11))  # c: closed today on time
    make(STREET2, "110101-HW", reported_at=at(2, 9), registered_at=at(2, 10), handled_at=at(18, 12),
         handle_due_at=at(18, 8), closed_at=at(18, 13), rework_count=1,
         late_stages=16)  # d: closed today late (its 处置 stage ended after its due time), reworked
    make(STREET2, None, reported_at=at(28, 9, 10), registered_at=at(28, 9, 10), handled_at=at(2, 9),
         closed_at=at(3, 9))  # e: 自行处置 within its own 处置 budget: on time
    make(STREET2, "110101-HW", reported_at=at(20, 9, 10), closed_at=at(25, 9, 10))  # f: last month only
    make(STREET2, "110101-HW", status="suspended", reported_at=at(15, 9, 10), stage="handle",
         stage_due_at=at(16, 9), paused_at=at(15, 12))  # g: suspended: its clock does not run
    # out of scope for the street's leader: another street, overdue and reported today
    make("110101003", "110101-HW", status="accepted", reported_at=at(18, 9), stage="handle", stage_due_at=at(18, 10))


NOW = at(18, 15)


def test_known_set_for_a_street_bound_leader(known, street_leader):
    s = queries.summary(street_leader, NOW)
    t, m = s["today"], s["month"]
    assert (t.reported, t.registered, t.closed, t.closed_on_time, t.handled, t.reworked) == (2, 1, 2, 1, 1, 1)
    assert (t.on_time_rate, t.rework_rate) == (0.5, 1.0)
    assert (m.reported, m.registered, m.closed, m.closed_on_time, m.handled, m.reworked) == (4, 3, 3, 2, 3, 1)
    assert (round(m.on_time_rate, 4), round(m.rework_rate, 4)) == (0.6667, 0.3333)
    assert (m.open, m.overdue) == (3, 1), "a, b, g open; only a overdue (g is suspended, the other street's unseen)"
    assert [r["code"] for r in s["streets"]] == [STREET2], "a street-bound leader sees only the street"
    assert s["streets"][0]["t"] == m
    depts = {r["code"]: r["t"] for r in s["departments"]}
    hw, zf, none = depts["110101-HW"], depts["110101-ZF"], depts[""]
    assert (hw.open, hw.closed, hw.closed_on_time, hw.handled, hw.reworked, hw.overdue) == (2, 2, 1, 2, 1, 1)
    assert (zf.open, zf.closed, zf.on_time_rate, zf.overdue) == (1, 0, None, 0)
    assert (none.closed, none.on_time_rate, none.rework_rate) == (1, 1.0, 0.0)
    trend = queries.trend(street_leader, NOW)
    assert trend["dates"][-1] == "2026-11-18" and len(trend["dates"]) == 30
    assert trend["reported"][-1] == 2 and trend["closed"][-1] == 2
    assert trend["dates"][-14] == "2026-11-05" and trend["reported"][-14] == 1
    assert sum(trend["reported"]) == 6, "10-20 … 11-18: a b c d e f (g was reported 10-15)"
    assert sum(trend["closed"]) == 4, "c d (today), e (11-03), f (10-25)"


# ---------------------------------------------------------------- the page against independent counts


def page_numbers(html: str) -> dict[str, str]:
    return dict(re.findall(r'<dd data-k="([^"]+)"[^>]*>([^<]*)</dd>', html))


def table_rows(html: str, table_id: str) -> dict[str, dict[str, str]]:
    body = html[html.index(f'id="{table_id}"'):]
    body = body[:body.index("</table>")]
    rows = {}
    for code, row in re.findall(r'<tr data-code="([^"]*)">(.*?)</tr>', body, re.S):
        rows[code] = dict(re.findall(r'<td data-k="([^"]+)"[^>]*>([^<]*)</td>', row))
    return rows


def pct(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{part * 100 / whole:.1f}%"


def independent(qs, start, end, now) -> dict[str, str]:
    """Each indicator counted on its own, the on-time test done in Python on the rows."""
    def within(field):
        return qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})

    closed = list(within("closed_at"))
    on_time = [c for c in closed if c.late_stages == 0]  # no stage ended late (gridgov/kpi/logic/indicators.py)
    handled = within("handled_at")
    return {
        "reported": str(within("reported_at").count()), "registered": str(within("registered_at").count()),
        "closed": str(len(closed)), "on_time_rate": pct(len(on_time), len(closed)),
        "rework_rate": pct(handled.filter(rework_count__gt=0).count(), handled.count()),
        "overdue": str(qs.filter(status__in=OPEN, stage_due_at__lte=now, paused_at__isnull=True).count()),
        "open": str(qs.filter(status__in=OPEN).count()),
    }


def test_the_page_shows_what_the_database_holds(known, client_for, time_machine):
    # the clock is frozen at the known set's NOW: "today" and "this month" must not depend on the day the suite
    # runs (on the 1st of a month, shortly after midnight, the demo's month holds nothing yet)
    time_machine.move_to(NOW, tick=False)
    r = client_for("leader").get("/dashboard/")
    assert r.status_code == 200
    html = r.content.decode()
    now = timezone.now()
    assert now == NOW
    local = now.astimezone(SH)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    everything = Case.objects.filter(scope_key__startswith="110101")
    shown = page_numbers(html)
    for label, start, end in [("today", today, today + dt.timedelta(days=1)), ("month", month, next_month)]:
        want = independent(everything, start, end, now)
        for k in ["reported", "registered", "closed", "on_time_rate", "rework_rate"]:
            assert shown[f"{label}.{k}"] == want[k], (label, k)
    want = independent(everything, month, next_month, now)
    assert shown["overdue"] == want["overdue"] and shown["open"] == want["open"]
    assert int(want["reported"]) >= 5 and int(want["closed"]) >= 3, "a b c d and the other street's; c d e"

    streets = table_rows(html, "by-street")
    assert set(streets) == set(Jurisdiction.objects.filter(level="street", code__startswith="110101")
                               .values_list("code", flat=True))
    for code in ["110101001", STREET2, "110101003"]:
        want = independent(everything.filter(scope_key__startswith=code), month, next_month, now)
        assert streets[code] == {k: want[k] for k in streets[code]}, code
    depts = table_rows(html, "by-department")
    for d in Department.objects.filter(district__code="110101"):
        want = independent(everything.filter(assignee_department=d), month, next_month, now)
        assert depts[d.code] == {k: want[k] for k in depts[d.code]}, d.code
    assert "110101-HW" in depts and depts["110101-HW"]["closed"] != "0"


def test_street_bound_leader_does_not_count_other_streets(known, street_leader, client_for, time_machine):
    time_machine.move_to(at(20, 10), tick=False)
    c = client_for(None)
    c.force_login(street_leader)
    html = c.get("/dashboard/").content.decode()
    now = timezone.now()
    want = independent(Case.objects.filter(scope_key__startswith=STREET2), now - dt.timedelta(days=400), now, now)
    shown = page_numbers(html)
    # on 11月20日 (a frozen clock) a and b are both past due; g is suspended; the other street's is unseen
    assert shown["open"] == want["open"] == "3" and shown["overdue"] == want["overdue"] == "2"
    assert set(table_rows(html, "by-street")) == {STREET2}
    assert "景山街道" in html and "东华门街道" not in html and "交道口街道" not in html


def test_map_and_trend_carry_aggregates_only(known, client_for):
    html = client_for("leader").get("/dashboard/").content.decode()
    import json

    grids = json.loads(re.search(r'<script id="grid-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    open_cases = Case.objects.filter(scope_key__startswith="110101", status__in=OPEN, management_grid__isnull=False)
    assert sum(g["n"] for g in grids) == open_cases.count()
    assert {g["code"] for g in grids} == set(open_cases.values_list("management_grid__code", flat=True))
    assert all(set(g) == {"code", "name", "community", "lon", "lat", "n", "overdue"} for g in grids)
    trend = json.loads(re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert len(trend["days"]) == 30 and len(trend["reported"]) == 30 and len(trend["closed"]) == 30
    assert "echarts.min.js" in html and "leaflet.js" in html


def test_leader_lands_on_the_dashboard_and_other_posts_get_403(client_for):
    r = client_for("leader").get("/")
    assert r.status_code == 302 and r["Location"] == "/dashboard/"
    for who in ["leader", "shift", "admin"]:
        assert client_for(who).get("/dashboard/").status_code == 200, who
    for who in ["handler", "gridworker", "inspector", "dispatcher", "resident"]:
        r = client_for(who).get("/dashboard/")
        assert r.status_code == 403 and "无权访问" in r.content.decode(), who


def test_dashboard_queries_do_not_grow_with_the_cases(known, client_for):
    c = client_for("leader")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/dashboard/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    now = timezone.now()
    for i, street in enumerate(["110101004", "110101005", "110101006"] * 10):
        make(street, "110101-SZ", status=OPEN[i % len(OPEN)], reported_at=now - dt.timedelta(hours=i),
             stage="handle", stage_due_at=now - dt.timedelta(hours=1 - i % 3))
        make(street, "110101-JT", reported_at=now - dt.timedelta(days=i % 20), closed_at=now - dt.timedelta(hours=i),
             handled_at=now - dt.timedelta(hours=i + 2), handle_due_at=now, rework_count=i % 2)
    assert count() == before


def test_generated_boundaries_are_marked_schematic_on_the_maps(client_for):
    """#11: real street names on generated shapes must say they are 示意 — on the grid map and the dashboard's map;
    once every street and community boundary is imported the note goes."""
    for who, path in (("gridleader", "/map/"), ("leader", "/dashboard/")):
        html = client_for(who).get(path).content.decode()
        assert "示意：街道、社区边界为自动生成的示意范围，不是正式边界" in html, path
    Jurisdiction.objects.filter(code__startswith="110101", level__in=["street", "community"]).update(
        boundary_source="imported")
    for who, path in (("gridleader", "/map/"), ("leader", "/dashboard/")):
        assert 'data-testid="schematic"' not in client_for(who).get(path).content.decode(), path
