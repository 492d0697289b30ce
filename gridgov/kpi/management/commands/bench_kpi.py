import json
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "（内部）gridgov bench kpi 在一个临时数据库里运行的工作进程"

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=10)
        parser.add_argument("--open", type=int, default=10_000)
        parser.add_argument("--closed", type=int, default=100_000)

    def handle(self, requests, open, closed, **options):
        from gridgov.cases import bench as cases_bench
        from gridgov.dashboard import bench as dashboard_bench
        from gridgov.kpi import bench

        cases_bench.prepare_world()
        t = time.perf_counter()
        dashboard_bench.populate(open, closed)
        bench.mark()
        self.stdout.write(json.dumps({"kind": "data", "open": open, "closed": closed,
                                      "seconds": time.perf_counter() - t}))
        for r in bench.measure(requests):
            self.stdout.write(json.dumps(r))
