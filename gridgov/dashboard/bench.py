"""`gridgov bench pages` (a benchmark, not a test): server time of the busiest pages over a realistic volume.

Each backend gets a throw-away database (``benchtools.backend_database``: a temporary SQLite file, or a
temporary PostgreSQL database next to GRIDGOV_BENCH_POSTGRES). A worker process builds the minimal world
(东城区, grids, the demo accounts, departments, routing rules), bulk-inserts 10,000 open and 100,000 closed
cases spread over the district's management grids and the last 90 days, runs ANALYZE, then renders, through
Django's test Client in-process (session, middleware, views, templates — no network):

- the command centre's live queue ``/cases/`` as ``dispatcher``;
- the leader dashboard ``/dashboard/`` as ``leader``;
- the department inbox ``/cases/inbox/`` as ``handler`` (区环境卫生服务中心, a few thousand open cases).

It prints p50/p95 server milliseconds and the number of SQL queries per page and backend. Target: < 300 ms.
"""

import datetime as dt
import random
import statistics
import time

from gridgov.benchtools import LABELS, json_results

PAGES = [("/cases/", "dispatcher", "command-centre queue"), ("/dashboard/", "leader", "leader dashboard"),
         ("/cases/inbox/", "handler", "department inbox")]


def run(requests: int, backends: list[str], open_cases: int, closed_cases: int, out=print) -> list[dict]:
    worker = ["bench_pages", "--requests", str(requests), "--open", str(open_cases), "--closed", str(closed_cases)]
    return json_results(backends, worker, format_line, out)


def format_line(r: dict) -> str:
    label = LABELS[r["backend"]]
    if r["kind"] == "data":
        return (f"{label} data: {r['open']:,} open + {r['closed']:,} closed cases inserted in {r['seconds']:.1f} s")
    verdict = "ok" if r["p95_ms"] < 300 else "OVER 300 ms"
    return (f"{label} {r['path']:<14} {r['page']:<20} as {r['user']:<10}: p50 {r['p50_ms']:6.1f} ms, "
            f"p95 {r['p95_ms']:6.1f} ms, {r['queries']} queries, {r['kb']:.0f} kB ({r['n']} requests) {verdict}")


# ---------------------------------------------------------------- the worker (its own database)


def populate(open_cases: int, closed_cases: int, seed: int = 7) -> None:
    """Bulk-insert cases over the district's management grids: closed ones over the last 90 days, open ones
    mostly recent, in every open state, some of them overdue."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gridgov.accounts.models import Department
    from gridgov.cases.demo import ROUTES
    from gridgov.cases.models import Case
    from gridgov.catalog.models import CatalogItem
    from gridgov.geo.models import Grid, Jurisdiction

    rng = random.Random(seed)
    now = timezone.now()
    district = Jurisdiction.objects.get(code="110101")
    grids = list(Grid.objects.filter(layer__code="management", community__code__startswith="110101")
                 .values_list("id", "community_id", "scope_key", "min_lon", "min_lat", "max_lon", "max_lat"))
    items = {i.code: i.pk for i in CatalogItem.objects.filter(kind="matter", code__in=ROUTES)}
    depts = {d.code: d.pk for d in Department.objects.filter(district=district)}
    matters = [(items[code], depts[dept]) for code, (dept, w) in ROUTES.items() if code in items for _ in range(w)]
    seq: dict[str, int] = {}
    hour = dt.timedelta(hours=1)

    def base(reported_at):
        gid, community, key, x0, y0, x1, y1 = rng.choice(grids)
        day = reported_at.astimezone(dt.UTC).strftime("%Y%m%d")
        seq[day] = seq.get(day, 0) + 1
        matter, dept = rng.choice(matters)
        return dict(number=f"110101-{day}-{seq[day]:05d}", district=district, source=rng.choice(
            ["grid_worker", "grid_worker", "inspector", "hotline", "resident"]), urgency="normal", matter_id=matter,
            description="路边有暴露垃圾", address="东城区某胡同", lon=rng.uniform(x0, x1), lat=rng.uniform(y0, y1),
            management_grid_id=gid, community_id=community, scope_key=key, reported_at=reported_at,
            handler_ids=[], stage_pauses=[]), dept

    rows = []
    for _ in range(closed_cases):
        closed_at = now - dt.timedelta(seconds=rng.uniform(0, 90 * 86400))
        took = rng.uniform(4, 120)
        reported = closed_at - took * hour
        fields, dept = base(reported)
        self_handled = rng.random() < 0.15
        handled = closed_at - rng.uniform(1, 4) * hour
        accepted = reported + min(took * 0.2, 6) * hour
        fields.update(status="archived" if closed_at < now - dt.timedelta(days=7) and rng.random() < .5 else "closed",
                      registered_at=reported + .3 * hour, handled_at=handled, inspected_at=closed_at - .5 * hour,
                      closed_at=closed_at, rework_count=int(rng.random() < .08))
        if self_handled:
            fields.update(assignee_node=fields["scope_key"])
        else:
            fields.update(assignee_department_id=dept, dispatched_at=reported + .5 * hour, accepted_at=accepted,
                          handle_due_at=accepted + rng.choice([24, 48, 72]) * hour)
        rows.append(Case(**fields))
    states = [("reported", 10), ("registered", 10), ("dispatched", 20), ("accepted", 37), ("suspended", 3),
              ("handled", 12), ("inspected", 8)]
    weighted = [s for s, w in states for _ in range(w)]
    stage_of = {"reported": "register", "registered": "dispatch", "dispatched": "accept", "accepted": "handle",
                "suspended": "handle", "handled": "inspect", "inspected": "close"}
    for _ in range(open_cases):
        reported = now - dt.timedelta(seconds=rng.uniform(0, 30 * 86400) if rng.random() < .9 else rng.uniform(0, 90 * 86400))
        fields, dept = base(reported)
        status = rng.choice(weighted)
        started = reported + rng.uniform(0, (now - reported).total_seconds() / 3600) * hour
        due = started + rng.choice([2, 8, 24, 48, 120]) * hour
        fields.update(status=status, stage=stage_of[status], stage_seq=3, stage_started_at=started,
                      stage_amount=8, stage_unit="work_hours", stage_due_at=due, stage_yellow_at=due - hour,
                      registered_at=None if status == "reported" else reported + .3 * hour)
        if status in ("dispatched", "accepted", "suspended", "handled", "inspected"):
            fields.update(assignee_department_id=dept, dispatched_at=reported + .5 * hour)
        if status in ("accepted", "suspended", "handled", "inspected"):
            fields.update(accepted_at=reported + hour, handle_due_at=due)
        if status == "suspended":
            fields.update(paused_at=started + hour, pending_request="")
        if status == "accepted" and rng.random() < .05:
            fields.update(pending_request="extension", pending_amount=8)
        if status in ("handled", "inspected"):
            fields.update(handled_at=min(now, started))
        rows.append(Case(**fields))
    rng.shuffle(rows)  # rows arrive in no particular order, as they would over months
    with transaction.atomic():
        Case.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cur:
        # statistics for the planner, and on PostgreSQL the visibility map that index-only scans need — what
        # autovacuum does on its own a little after such a bulk load
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def measure(requests: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gridgov.accounts.models import User

    out = []
    for path, username, name in PAGES:
        c = Client()
        c.force_login(User.objects.get(username=username))
        for _ in range(2):  # warm up: templates compiled, connections open
            r = c.get(path)
            if r.status_code != 200:
                raise RuntimeError(f"{path} as {username}: HTTP {r.status_code}")
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(path)
        queries = len(ctx.captured_queries)  # now: the next request clears the connection's query log
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            r = c.get(path)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        times.sort()
        out.append({"kind": "page", "path": path, "page": name, "user": username, "n": requests,
                    "p50_ms": statistics.median(times), "p95_ms": times[max(0, int(round(.95 * len(times))) - 1)],
                    "queries": queries, "kb": len(r.content) / 1024})
    return out
