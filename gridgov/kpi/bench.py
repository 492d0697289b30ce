"""`gridgov bench kpi` (a benchmark, not a test): the KPI table (``GET /api/v1/kpi``) by street for a month and
for a year, over the leader dashboard's bench volume.

Each backend gets a throw-away database (``benchtools``); a worker process builds the minimal world and bulk-inserts
the cases of ``gridgov bench pages`` (``dashboard.bench.populate``: 100,000 closed over the last 90 days and
10,000 open), marks the late ones (handled after their handling deadline: the 处置 bit of ``late_stages``) and
gives the handled ones a handling time, runs ANALYZE, then times the API as ``leader`` (the whole district)
through Django's test Client in-process: this month, and this year (with 同比 and 环比: three periods each).
It prints p50/p95 server milliseconds and the number of SQL queries.
"""

import statistics
import time

from gridgov.benchtools import LABELS, json_results


def run(requests: int, backends: list[str], open_cases: int, closed_cases: int, out=print) -> list[dict]:
    worker = ["bench_kpi", "--requests", str(requests), "--open", str(open_cases), "--closed", str(closed_cases)]
    return json_results(backends, worker, format_line, out)


def format_line(r: dict) -> str:
    label = LABELS[r["backend"]]
    if r["kind"] == "data":
        return f"{label} data: {r['open']:,} open + {r['closed']:,} closed cases inserted in {r['seconds']:.1f} s"
    return (f"{label} {r['what']:<28}: p50 {r['p50_ms']:7.1f} ms, p95 {r['p95_ms']:7.1f} ms, {r['queries']} queries, "
            f"{r['rows']} rows ({r['n']} requests)")


def mark(seed: int = 7) -> None:
    """What the bulk insert leaves out: the 处置 bit for cases handled after their handling deadline, and a
    handling time (work hours, spread deterministically) for the handled ones."""
    from django.db import connection
    from django.db.models import F
    from django.db.models.functions import Mod

    from gridgov.cases.models import Case
    from gridgov.kpi.logic.indicators import STAGE_BITS

    Case.objects.filter(handled_at__gt=F("handle_due_at")).update(late_stages=STAGE_BITS["handle"])
    Case.objects.filter(handled_at__isnull=False).update(handle_hours=Mod(F("id"), 40) * 0.5 + 0.5)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def measure(requests: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from gridgov.accounts.models import User

    now = timezone.localtime()
    c = Client()
    c.force_login(User.objects.get(username="leader"))
    out = []
    for what, level, period in [("by street, this month", "street", f"{now:%Y-%m}"),
                                ("by street, this year", "street", str(now.year)),
                                ("by department, this month", "department", f"{now:%Y-%m}"),
                                ("by community, this year", "community", str(now.year))]:
        path = f"/api/v1/kpi?level={level}&period={period}&limit=500"
        for _ in range(2):  # warm up
            r = c.get(path)
            if r.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {r.status_code} {r.content[:300]!r}")
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(path)
        queries = len(ctx.captured_queries)
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            r = c.get(path)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out.append({"kind": "api", "what": what, "n": requests, "p50_ms": statistics.median(times),
                    "p95_ms": times[max(0, int(round(.95 * len(times))) - 1)], "queries": queries,
                    "rows": r.json()["count"]})
    return out
