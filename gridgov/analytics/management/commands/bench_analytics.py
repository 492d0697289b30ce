import json
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "（内部）gridgov bench analytics 在 gg_analytics_bench 数据库里运行的工作进程"

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--requests", type=int, default=20)

    def handle(self, cases, requests, **options):
        from django.db import connection

        from gridgov.analytics import bench
        from gridgov.analytics.check import default_periods, differences, open_differences
        from gridgov.analytics.models import DailyCount
        from gridgov.cases import bench as cases_bench
        from gridgov.cases.models import Case
        from gridgov.geo.models import Grid

        def emit(r):
            self.stdout.write(bench.format_line(r))
            self.stdout.flush()

        if not Grid.objects.exists():
            cases_bench.prepare_world()
        t = time.perf_counter()
        inserted = bench.populate(cases, lambda line: emit(json.loads(line)))
        total = Case.objects.count()
        emit({"kind": "data", "cases": total, "inserted": inserted, "seconds": time.perf_counter() - t})
        if inserted or not DailyCount.objects.exists():
            emit(bench.fill_rollup())
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        t = time.perf_counter()
        periods = default_periods()
        diffs = differences(periods) + open_differences()
        emit({"kind": "check", "periods": "、".join(p.label for p in periods) + "、在办/超期", "differences": len(diffs),
              "first": diffs[0] if diffs else "", "seconds": time.perf_counter() - t})
        for r in bench.measure(requests):
            emit(r)
