"""(internal) `gridgov bench audit` runs this in a throw-away database of each backend."""

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from gridgov.accounts.models import User
from gridgov.audit import services


class Command(BaseCommand):
    help = "审计日志写入基准（在当前数据库中运行；请通过 gridgov bench audit 调用，它会使用临时数据库）"

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=16000)
        parser.add_argument("--per-transaction", type=int, default=8)

    def handle(self, records, per_transaction, **options):
        out = self.stdout.write

        actor = User.objects.create(username="bench", display_name="压测", role="dispatcher")
        per = per_transaction

        def run(n):
            for start in range(0, n, per):
                with transaction.atomic():
                    for i in range(start, min(n, start + per)):
                        services.record(actor, "dispatch", "case", f"C{i:08d}",
                                        before={"state": "registered", "deadline": "2025-03-01T08:00:00+08:00"},
                                        after={"state": "dispatched", "department": "D0012", "assignee": 17})

        run(min(800, records))  # warm up
        t0 = time.perf_counter()
        run(records)
        elapsed = time.perf_counter() - t0
        out(f"{connection.vendor}: {records} record() calls in transactions of {per}: "
              f"{records / elapsed:,.0f} records/s ({elapsed * 1e6 / records:.0f} µs each)")
        if connection.vendor == "postgresql":  # the same without waiting for the WAL flush at each commit
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
            t0 = time.perf_counter()
            run(records)
            relaxed = time.perf_counter() - t0
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = on")
            out(f"  with synchronous_commit=off: {records / relaxed:,.0f} records/s "
                  f"({relaxed * 1e6 / records:.0f} µs each): the WAL flush costs ≈ "
                  f"{(elapsed - relaxed) / (records / per) * 1e3:.2f} ms per commit")
        t0 = time.perf_counter()
        report = services.verify_chain()
        verify_s = time.perf_counter() - t0
        out(f"  verify: {report.count} records in {verify_s:.2f} s ({report.count / verify_s:,.0f} records/s), "
              f"ok={report.ok}")
