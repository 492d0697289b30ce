import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = ("基准测试（不是测试）：在当前数据库（如 gridgov demo 建好的东城区）上编制并实施一次网格调整方案，"
            "计时后回滚，不留任何改动。默认以另一户数密度重新生成整个区的管理网格（每个管理网格都变）")

    def add_arguments(self, parser):
        parser.add_argument("--node", default="110101", help="范围：区、街道或社区代码（默认东城区）")
        parser.add_argument("--households-per-km2", type=float, default=9000.0,
                            help="重新生成时的户数密度（与现状不同，才会有调整）")
        parser.add_argument("--parts", type=int, default=None, help="给出人数时改为按工作量划分（社区）")

    def handle(self, node, households_per_km2, parts, **options):
        from gridgov.errors import DomainError
        from gridgov.geo import gridchanges

        kind = "workload" if parts else "regenerate"
        try:
            with transaction.atomic():
                t0 = time.perf_counter()
                change = gridchanges.plan(None, node=node, kind=kind, parts=parts,
                                          households_per_km2=None if parts else households_per_km2)
                t1 = time.perf_counter()
                change = gridchanges.apply(None, change.pk)
                t2 = time.perf_counter()
                c = change.counts
                self.stdout.write(
                    f"bench gridchange {node} ({kind}): plan {t1 - t0:.2f} s, apply {t2 - t1:.2f} s; "
                    f"retired {c['retired_management']:,} / new {c['new_management']:,} management grids, "
                    f"rows re-keyed {sum(c['rekeyed'].values()):,} (cases {c['rekeyed'].get('cases.Case.scope_key', 0):,}), "
                    f"foreign keys {sum(c['repointed'].values()):,}, 五定 carried {c['duties_carried']:,} "
                    f"copied {c['duties_copied']:,} merged {c['duties_merged']:,}")
                raise _Rollback
        except _Rollback:
            self.stdout.write("(rolled back: the database is as before)")
        except DomainError as e:
            raise CommandError(f"{e.code}: {e.message}") from None
