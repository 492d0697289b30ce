"""`gridgov bench analytics` (a benchmark, not a test): the dashboard at 100 k … 10 M cases on PostgreSQL.

It uses a database of its own, ``gg_analytics_bench`` (next to GRIDGOV_BENCH_POSTGRES), kept between runs: a worker
process builds the minimal world (东城区, grids, the demo accounts, departments), then inserts synthetic cases over
the last three years directly in SQL (``INSERT … SELECT generate_series``, not through the services) in chunks of
500,000 — each chunk commits, so an interrupted build resumes where it stopped, and ``--keep`` reuses what is there
(more cases are added when ``--cases`` grows) —, fills the roll-up with the same kind of SQL, runs VACUUM ANALYZE,
checks that the roll-up gives the same figures as a plain GROUP BY over the cases (``analytics.check``), and times
each view through Django's test Client in-process (server time: middleware, view, SQL, template).

One case in ten carries its timeline events (派遣, 核查; one in a hundred a 退回), so the event-based counts are
exercised without tripling the build time.
"""

import datetime as dt
import json
import os
import statistics
import time

DB = os.environ.get("GRIDGOV_BENCH_DB", "gg_analytics_bench")  # another name keeps several sizes side by side
CHUNK = 500_000
SOURCES = ["grid_worker"] * 5 + ["inspector"] * 2 + ["resident", "hotline", "hotline", "sensor", "media", "leader"]


def database_url() -> str:
    from urllib.parse import urlparse, urlunparse

    base = os.environ.get("GRIDGOV_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    return urlunparse(urlparse(base)._replace(path=f"/{DB}"))


def run(cases: int, requests: int, keep: bool, out=print) -> None:
    """Create (or with ``keep`` reuse) the bench database and run the worker in it; print its lines."""
    import subprocess
    import sys
    import tempfile
    from urllib.parse import urlparse, urlunparse

    import psycopg

    url = database_url()
    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if exists and not keep:
            c.execute(f'DROP DATABASE "{DB}" WITH (FORCE)')
            exists = None
        if not exists:
            c.execute(f'CREATE DATABASE "{DB}"')
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-") as folder:
        env = {**os.environ, "GRIDGOV_DATABASE_URL": url, "GRIDGOV_DATA_DIR": folder, "GRIDGOV_SCAN_INTERVAL_S": "0"}
        p = subprocess.Popen([sys.executable, "-m", "gridgov.cli", "bench_analytics", "--cases", str(cases),
                              "--requests", str(requests)], env=env, stdout=subprocess.PIPE, text=True)
        for line in p.stdout:
            out(line.rstrip())
        if p.wait() != 0:
            raise RuntimeError("bench_analytics failed (its error output is above)")


# ---------------------------------------------------------------- the worker (in the bench database)


def _literal(field):
    from django.db import connection

    v = field.get_default()
    return field.get_db_prep_value(v, connection)


def populate(target: int, out) -> int:
    """Insert cases until there are ``target`` (in chunks; resumable). Returns how many were inserted now."""
    from django.db import connection, transaction

    from gridgov.accounts.models import Department
    from gridgov.cases.demo import ROUTES
    from gridgov.cases.models import Case
    from gridgov.catalog.models import CatalogItem
    from gridgov.geo.models import Grid, Jurisdiction

    have = Case.objects.count()
    if have >= target:
        restore_indexes(out)
        return 0
    district = Jurisdiction.objects.get(code="110101")
    grids = list(Grid.objects.filter(layer__code="management", community__code__startswith="110101")
                 .order_by("code").values_list("id", "community_id", "scope_key"))
    items = {i.code: i.pk for i in CatalogItem.objects.filter(kind="matter", code__in=ROUTES)}
    depts = {d.code: d.pk for d in Department.objects.filter(district=district)}
    matters = [(items[code], depts[dept]) for code, (dept, w) in ROUTES.items() if code in items for _ in range(w)]
    explicit = {
        "number": "'990000-' || lpad((g / 1000000)::text, 8, '0') || '-' || lpad((g %% 1000000)::text, 6, '0')", "district_id": "%(district)s::bigint",
        "status": "CASE WHEN declined THEN 'declined' WHEN closed THEN 'closed' ELSE 'accepted' END",
        "source": "(%(sources)s::text[])[1 + (h3 %% %(nsources)s::int)]", "description": "'路边有暴露垃圾'", "address": "'东城区某胡同'",
        "lon": "116.40 + (h1 %% 1000) / 100000.0", "lat": "39.90 + (h2 %% 1000) / 100000.0",
        "management_grid_id": "(%(grid_ids)s::bigint[])[1 + gi]", "community_id": "(%(grid_comms)s::bigint[])[1 + gi]",
        "scope_key": "(%(grid_keys)s::text[])[1 + gi]", "matter_id": "(%(matter_ids)s::bigint[])[1 + mi]",
        "assignee_department_id": "CASE WHEN dispatched THEN (%(matter_depts)s::bigint[])[1 + mi] END",
        "reported_at": "rep", "registered_at": "CASE WHEN NOT declined THEN rep + interval '20 minutes' END",
        "dispatched_at": "CASE WHEN dispatched THEN rep + interval '40 minutes' END",
        "accepted_at": "CASE WHEN dispatched THEN rep + interval '70 minutes' END",
        "handle_due_at": "CASE WHEN NOT declined THEN rep + interval '1 day' END",
        "handled_at": "CASE WHEN closed THEN rep + took END",
        "inspected_at": "CASE WHEN closed THEN rep + took + interval '1 hour' END",
        "closed_at": "CASE WHEN closed THEN rep + took + interval '2 hours' END",
        "late_stages": "(CASE WHEN closed AND took > interval '1 day' THEN 16 ELSE 0 END) "
                       "| (CASE WHEN h4 %% 33 = 0 THEN 2 ELSE 0 END)",
        "handle_hours": "CASE WHEN closed THEN extract(epoch FROM took) / 3600.0 * 0.4 END",
        "rework_count": "CASE WHEN closed AND h4 %% 12 = 0 THEN 1 ELSE 0 END",
        "satisfaction": "CASE WHEN closed AND h5 %% 10 < 3 THEN 1 + h5 %% 5 END",
        "stage": "CASE WHEN closed OR declined THEN '' ELSE 'handle' END",
        "stage_due_at": "CASE WHEN closed OR declined THEN NULL ELSE rep + interval '1 day' END",
        "stage_started_at": "CASE WHEN closed OR declined THEN NULL ELSE rep + interval '70 minutes' END",
        "updated_at": "now()",
    }
    cols, exprs, params = [], [], {}
    for f in Case._meta.concrete_fields:
        if f.column == "id":
            continue
        if f.attname in explicit:
            cols.append(f.column)
            exprs.append(explicit[f.attname])
        elif not f.null:
            cols.append(f.column)
            exprs.append(f"%(d_{f.column})s::{f.db_type(connection)}")
            v = _literal(f)
            params[f"d_{f.column}"] = json.dumps(v) if isinstance(v, list | dict) else v
    params.update(district=district.pk, sources=SOURCES, nsources=len(SOURCES),
                  grid_ids=[g[0] for g in grids], grid_comms=[g[1] for g in grids], grid_keys=[g[2] for g in grids],
                  matter_ids=[m[0] for m in matters], matter_depts=[m[1] for m in matters])
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    span = 3 * 365 * 86400
    inserted = 0
    start = have
    if target - have >= BULK:  # a big build: the secondary indexes are dropped and built again at the end
        drop_indexes(out)
    while start < target:
        stop = min(target, start + CHUNK)
        sql = f"""
        INSERT INTO cases_case ({", ".join(cols)})
        SELECT {", ".join(exprs)} FROM (
          SELECT g, h1, h2, h3, h4, h5, rep, took, gi, mi,
                 (h4 %% 20 = 0) AS declined,
                 (h4 %% 20 <> 0 AND h1 %% 7 <> 0) AS dispatched,
                 (h4 %% 20 <> 0 AND rep + took + interval '2 hours' < %(now)s::timestamptz AND h2 %% 50 <> 0) AS closed
          FROM (
            SELECT g, h1, h2, h3, h4, h5,
                   %(now)s::timestamptz - make_interval(secs => (%(span)s::float8 * (%(total)s::bigint - g) / %(total)s::bigint)) AS rep,
                   make_interval(secs => 3600 * (2 + (h5 %% 70))) AS took,
                   h1 %% %(ngrids)s::int AS gi, h2 %% %(nmatters)s::int AS mi
            FROM (
              SELECT g, (g * 2654435761) %% 1000003 AS h1, (g * 40503) %% 999983 AS h2, (g * 69069) %% 65537 AS h3,
                     (g * 1103515245 + 12345) %% 2147483647 %% 1000 AS h4, (g * 214013 + 2531011) %% 32749 AS h5
              FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g) a) b) c
        """
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SELECT coalesce(max(id), 0) FROM cases_case")
            before = cur.fetchone()[0]
            cur.execute(sql, {**params, "now": now, "span": span, "total": target, "ngrids": len(grids),
                              "nmatters": len(matters), "lo": start + 1, "hi": stop})
            cur.execute("""
              INSERT INTO cases_caseevent (case_id, action, from_state, to_state, actor_id, actor_name, role, at, data)
              SELECT c.id, e.action, '', '', NULL, '系统', e.role, e.at, '{}'::jsonb
              FROM cases_case c CROSS JOIN LATERAL (VALUES
                ('dispatch', 'dispatcher', c.dispatched_at), ('inspect_pass', 'inspector', c.inspected_at),
                ('return', CASE WHEN c.id %% 100 = 0 THEN 'handler' END, c.dispatched_at + interval '10 minutes')
              ) AS e(action, role, at)
              WHERE c.id > %s::bigint AND c.id %% 10 = 0 AND e.at IS NOT NULL AND e.role IS NOT NULL""", [before])
        inserted += stop - start
        out(json.dumps({"kind": "progress", "cases": stop}))
        start = stop
    restore_indexes(out)
    return inserted


BULK = 2_000_000  # from this many new cases on, inserting without the secondary indexes and building them after pays


def drop_indexes(out) -> None:
    """Drop the cases' and events' secondary indexes (not the keys), their definitions kept in a table of the bench
    database, so an interrupted build still gets them back (``restore_indexes`` on the next run)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_dropped_index (name text PRIMARY KEY, definition text)")
        cur.execute("""SELECT i.indexname, i.indexdef FROM pg_indexes i
                       JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
                       WHERE i.tablename IN ('cases_case', 'cases_caseevent') AND NOT x.indisprimary
                         AND NOT x.indisunique""")
        rows = cur.fetchall()
        for name, definition in rows:
            cur.execute("INSERT INTO bench_dropped_index VALUES (%s, %s) ON CONFLICT DO NOTHING", [name, definition])
            cur.execute(f'DROP INDEX "{name}"')
    out(json.dumps({"kind": "indexes", "action": "dropped", "n": len(rows), "seconds": 0}))


def restore_indexes(out) -> None:
    """Build again the indexes ``drop_indexes`` dropped (if any)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_dropped_index') IS NOT NULL")
        if not cur.fetchone()[0]:
            return
        cur.execute("SELECT name, definition FROM bench_dropped_index ORDER BY name")
        rows = cur.fetchall()
        t = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET max_parallel_maintenance_workers = 2")
        for name, definition in rows:
            cur.execute("SELECT to_regclass(%s) IS NULL", [name])
            if cur.fetchone()[0]:
                cur.execute(definition)
            cur.execute("DELETE FROM bench_dropped_index WHERE name = %s", [name])
        cur.execute("DROP TABLE bench_dropped_index")
    out(json.dumps({"kind": "indexes", "action": "built", "n": len(rows), "seconds": time.perf_counter() - t}))


def fill_rollup() -> dict:
    """The roll-up of every case in SQL (what ``rollup.rebuild`` computes case by case in Python, set-based for
    ten million cases; the benchmark then checks it against the plain GROUP BY)."""
    from django.db import connection, transaction

    from . import logic
    from .models import CohortCount, DailyCount

    own, other = sorted(logic.ind.OWN_SOURCES), sorted(logic.ind.OTHER_SOURCES)
    zero = {f: "0" for f in logic.DAILY_FIELDS}
    kinds = [
        ("c.reported_at", {"reported": "1", "valid": "(c.registered_at IS NOT NULL)::int"}),
        ("c.registered_at", {"registered": "1", "registered_on_time": "((c.late_stages & 2) = 0)::int",
                             "found_own": "(c.source = ANY(%(own)s::text[]))::int",
                             "found_other": "(c.source = ANY(%(other)s::text[]))::int"}),
        ("c.dispatched_at", {"dispatched": "1", "dispatched_on_time": "((c.late_stages & 4) = 0)::int"}),
        ("c.handled_at", {"handled": "1", "reworked": "(c.rework_count > 0)::int",
                          "handle_hours_sum": "coalesce(c.handle_hours, 0)",
                          "handle_hours_n": "(c.handle_hours IS NOT NULL)::int"}),
        ("c.closed_at", {"closed": "1", "closed_on_time": "(c.late_stages = 0)::int",
                         "followed": "(c.satisfaction IS NOT NULL)::int", "satisfaction_sum": "coalesce(c.satisfaction, 0)",
                         "satisfied": "coalesce(c.satisfaction >= 4, false)::int"}),
    ]
    fields = list(logic.DAILY_FIELDS)
    values = []
    for at, got in kinds:
        row = {**zero, **got}
        values.append(f"({at}, " + ", ".join(row[f] for f in fields) + ")")
    event = {**zero, "verified": "(e.action IN ('confirm', 'refute'))::int",
             "verified_on_time": "(e.action IN ('confirm', 'refute') AND (c.late_stages & 1) = 0)::int",
             "inspected": "(e.action IN ('inspect_pass', 'inspect_fail'))::int",
             "inspected_on_time": "(e.action IN ('inspect_pass', 'inspect_fail') AND (c.late_stages & 32) = 0)::int",
             "dispatches": "(e.action IN ('dispatch', 'rule_uphold'))::int",
             "dispatch_misses": "(e.action = 'rule_uphold' OR (e.action = 'return' AND e.role = 'handler'))::int"}
    groups = ("coalesce(g.code, '') AS grid, left(c.scope_key, 12) AS a12, "
              "coalesce(c.assignee_department_id::text, '') AS dept, "
              "coalesce(m.kind || '-' || m.major_code, '') AS major, c.source AS source, "
              "coalesce(m.restricted_right, '') AS restricted")
    joins = ("FROM cases_case c LEFT JOIN geo_grid g ON g.id = c.management_grid_id "
             "LEFT JOIN catalog_catalogitem m ON m.id = c.matter_id")
    sums = ", ".join(f"sum({f}) AS {f}" for f in fields)
    local = "(x.at AT TIME ZONE 'Asia/Shanghai')::date"
    sql_fine = f"""
      CREATE TEMP TABLE fine AS
      SELECT grid, a12, dept, major, source, restricted, day, {sums} FROM (
        SELECT {groups}, {local.replace('x.at', 'x.at')} AS day, x.*
        {joins} CROSS JOIN LATERAL (VALUES {", ".join(values)}) AS x(at, {", ".join(fields)})
        WHERE x.at IS NOT NULL
        UNION ALL
        SELECT {groups}, (e.at AT TIME ZONE 'Asia/Shanghai')::date AS day, e.at,
               {", ".join(f"{event[f]}" for f in fields)}
        {joins} JOIN cases_caseevent e ON e.case_id = c.id
        WHERE e.action IN ('confirm', 'refute', 'inspect_pass', 'inspect_fail', 'dispatch', 'rule_uphold', 'return')
      ) y GROUP BY grid, a12, dept, major, source, restricted, day"""
    dims = {"grid": ("grid", "a12"), "department": ("dept", "left(a12, 9)"), "major": ("major", "left(a12, 9)"),
            "source": ("source", "left(a12, 9)"), "community": ("''", "a12"), "street": ("''", "left(a12, 9)")}

    def by(key: str) -> str:  # the group key in GROUP BY (the area dims' constant '' is not grouped by)
        return "" if key == "''" else f"{key}, "

    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '1GB'")
        DailyCount.objects.all().delete()
        CohortCount.objects.all().delete()
        cur.execute("DROP TABLE IF EXISTS fine")
        cur.execute(sql_fine, {"own": own, "other": other})
        for dim, (key, area) in dims.items():
            for grain, day in (("d", "day"), ("m", "date_trunc('month', day)::date")):
                cur.execute(f"""INSERT INTO analytics_dailycount (dim, grain, key, area, restricted, day,
                                                                  {", ".join(fields)})
                                SELECT %s, %s, {key}, {area}, restricted, {day}, {sums} FROM fine
                                GROUP BY {by(key)}{area}, restricted, {day}""", [dim, grain])
        cur.execute("DROP TABLE fine")
        for kind, start, done in (("close", "c.registered_at", "c.closed_at"),
                                  ("handle", "c.handle_due_at", "c.handled_at")):
            cur.execute(f"""CREATE TEMP TABLE cfine AS
              SELECT {groups}, ({start} AT TIME ZONE 'Asia/Shanghai')::date AS start,
                     coalesce(to_char({done} AT TIME ZONE 'Asia/Shanghai', 'YYYYMM')::int, 0) AS done_month,
                     count(*) AS n
              {joins} WHERE {start} IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8""")
            for dim, (key, area) in dims.items():
                for grain, st in (("d", "start"), ("m", "date_trunc('month', start)::date")):
                    cur.execute(f"""INSERT INTO analytics_cohortcount (kind, dim, grain, key, area, restricted,
                                                                       start, done_month, n)
                                    SELECT %s, %s, %s, {key}, {area}, restricted, {st}, done_month, sum(n)
                                    FROM cfine GROUP BY {by(key)}{area}, restricted, {st}, done_month""",
                                [kind, dim, grain])
            cur.execute("DROP TABLE cfine")
        from django.utils import timezone

        from .rollup import fold_open, rebuild_open

        opened = rebuild_open()  # the open cases' counts (few: through the services' own definition)
        fold_open(timezone.now())  # as the deadline scan keeps them
    return {"kind": "rollup", "daily_rows": DailyCount.objects.count(), "cohort_rows": CohortCount.objects.count(),
            "open_rows": opened, "seconds": time.perf_counter() - t0}


def views(today: dt.date) -> list[tuple[str, str, str]]:
    """(path, account, what) of each view timed."""
    year, month = today.year, f"{today:%Y-%m}"
    last_q = f"{today.year - (today.month <= 3)}-Q{((today.month - 1) // 3 - 1) % 4 + 1}"
    return [
        ("/dashboard/", "leader", "leader dashboard (today, this month, trend, map)"),
        (f"/dashboard/figures/?kind=month&date={today}&level=street", "leader", "figures: this month by street"),
        (f"/dashboard/figures/?kind=quarter&date={last_q}&level=department", "leader", "figures: last quarter by dept"),
        (f"/dashboard/figures/?kind=year&date={year - 1}&level=street", "leader", "figures: last year by street"),
        (f"/dashboard/figures/?kind=year&date={year - 1}&level=community&within=110101001", "leader",
         "figures: last year, a street's communities"),
        (f"/dashboard/figures/?kind=range&date={today - dt.timedelta(days=44)}&until={today}&level=grid"
         "&within=110101001001", "leader", "figures: 45 days, a community's grids"),
        (f"/dashboard/figures/?kind=week&date={today}&level=source", "leader", "figures: this week by source"),
        (f"/kpi/?level=street&period={month}", "leader", "KPI page: this month by street"),
        (f"/kpi/?level=street&period={year - 1}", "leader", "KPI page: last year by street"),
        ("/cases/?all=1", "dispatcher", "queue: 全部 tab"),
        ("/cases/", "dispatcher", "queue: first tab"),
        ("/cases/overdue/", "dispatcher", "overdue board"),
        (f"/api/v1/cases?status=closed&source=hotline&date_from={today - dt.timedelta(days=90)}", "leader",
         "case list, filtered (the export's first page)"),
    ]


def measure(requests: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from gridgov.accounts.models import User

    out = []
    for path, username, name in views(timezone.localdate()):
        c = Client()
        c.force_login(User.objects.get(username=username))
        r = c.get(path)
        if r.status_code != 200:
            out.append({"kind": "view", "path": path, "view": name, "error": r.status_code})
            continue
        seen = []  # (CaptureQueriesContext sees none: each request resets the connection's query log)

        def count(execute, sql, params, many, context, seen=seen):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            c.get(path)
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            c.get(path)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out.append({"kind": "view", "path": path, "view": name, "n": requests, "queries": len(seen),
                    "p50_ms": statistics.median(times), "p95_ms": times[max(0, int(round(.95 * len(times))) - 1)]})
    return out


def format_line(r: dict) -> str:
    if r["kind"] == "indexes":
        return f"  secondary indexes {r['action']}: {r['n']}" + (f" in {r['seconds']:.0f} s" if r["seconds"] else "")
    if r["kind"] == "progress":
        return f"  … {r['cases']:,} cases"
    if r["kind"] == "data":
        return f"data: {r['cases']:,} cases ({r['inserted']:,} inserted now in {r['seconds']:.0f} s)"
    if r["kind"] == "rollup":
        return (f"roll-up: {r['daily_rows']:,} daily rows, {r['cohort_rows']:,} cohort rows, filled in "
                f"{r['seconds']:.0f} s")
    if r["kind"] == "check":
        return (f"check against a plain GROUP BY ({r['periods']}): "
                + ("same figures" if not r["differences"] else f"{r['differences']} DIFFERENCES: {r['first']}")
                + f" ({r['seconds']:.0f} s)")
    if "error" in r:
        return f"{r['view']:<48} HTTP {r['error']}"
    verdict = "ok" if r["p95_ms"] <= 100 else "OVER 100 ms"
    return (f"{r['view']:<48} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  {r['queries']:3d} queries  "
            f"{verdict}")
