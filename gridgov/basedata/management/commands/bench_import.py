"""gridgov bench-import: import 100,000 synthetic residents from a CSV into a throw-away state, print rows/s.

Everything happens inside one transaction that is rolled back at the end, so the database is left as it was
(run it on an empty or a demo database alike). A synthetic building set is created first (no grids needed).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "基准测试（不是测试）：导入 10 万名合成实有人口（CSV），输出每秒行数；结束后回滚，不留数据"

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--bad", type=int, default=0, help="其中的错误行数（校验位错误）")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")

    def handle(self, rows, bad, format, **options):
        from django.db import connection

        from gridgov.basedata import importing
        from gridgov.basedata.logic.synthetic import resident_file

        if rows < 1 or bad < 0 or bad > rows:
            raise CommandError("--rows 须为正整数，--bad 介于 0 与 --rows 之间")
        self.stdout.write(f"bench import: {rows:,} residents ({bad} bad rows), {format}, {connection.vendor}")

        class Rollback(Exception):
            pass

        try:
            with transaction.atomic():
                codes = _bench_dwellings(max(1, rows // 25))
                t = time.perf_counter()
                bad_rows = set(list(range(7, rows, max(1, rows // bad)))[:bad]) if bad else set()
                data = resident_file(rows, codes, bad=bad_rows, fmt=format)
                gen = time.perf_counter() - t
                self.stdout.write(f"  file: {len(data) / 1e6:.1f} MB generated in {gen:.2f} s")
                last = [0.0]

                def progress(phase, done, total):
                    now = time.perf_counter()
                    if now - last[0] > 0.5 or done == total:
                        last[0] = now
                        self.stdout.write(f"\r  {phase:<10} {done:>9,}/{total:,}", ending="")
                        self.stdout.flush()

                t = time.perf_counter()
                report = importing.run_import("residents", None, data, f"bench.{format}", skip_bad=True,
                                              on_progress=progress)
                _check_constraints()  # deferred foreign-key checks run now, as at a real commit
                first = time.perf_counter() - t
                self.stdout.write("")
                t = time.perf_counter()
                again = importing.run_import("residents", None, data, f"bench.{format}", skip_bad=True)
                second = time.perf_counter() - t
                self.stdout.write(f"  import:    {report.created:,} created, {report.skipped} bad rows skipped in "
                                  f"{first:.2f} s → {rows / first:,.0f} rows/s")
                self.stdout.write(f"  re-import: {again.unchanged:,} unchanged, {again.created} created in "
                                  f"{second:.2f} s → {rows / second:,.0f} rows/s")
                raise Rollback()
        except Rollback:
            self.stdout.write("  (rolled back: the database is unchanged)")


def _check_constraints() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cur.execute("PRAGMA foreign_key_check")


def _bench_dwellings(n: int) -> list[str]:
    from django.utils import timezone

    from gridgov.basedata.fastsql import db_datetime, insert_rows
    from gridgov.basedata.models import Building, Dwelling

    key = "999999999999W999.999999999999999"
    b = Building.objects.create(code="BENCH-B", address="基准测试楼", lon=0, lat=0, unit_grid="999999999999999",
                                scope_key=key)
    now = db_datetime(timezone.now())
    insert_rows(Dwelling, ["code", "building_id", "unit_no", "floor", "room", "use", "created_at", "updated_at",
                           "scope_key"],
                [(f"BENCH-{i}", b.pk, "1", 1, str(i), "owner", now, now, key) for i in range(n)])
    return [f"BENCH-{i}" for i in range(n)]
