from django.core.management.base import BaseCommand

from gridgov.geo import services
from gridgov.geo.errors import GeoError

from ._util import fail


class Command(BaseCommand):
    help = ("生成区县的单元网格（约 1 万平方米，15 位编码）和管理网格（约 300 户）；已有网格的区县经调整方案重新生成，"
            "保留历史（五定、案件不丢失，新旧网格对照表）")

    def add_arguments(self, parser):
        parser.add_argument("code", help="6 位区县代码")
        parser.add_argument("--cell-m", type=float, default=None, help="单元网格边长（米），默认 100")
        parser.add_argument("--households-per-km2", type=float, default=None, help="户数密度估计（户/平方公里）")
        parser.add_argument("--dry-run", action="store_true",
                            help="只编制方案并列出影响（各新旧网格的案件、部件、五定、基础数据），不写入任何数据")

    def handle(self, code, cell_m=None, households_per_km2=None, dry_run=False, **options):
        import time

        t = time.perf_counter()
        try:
            if dry_run:
                from gridgov.geo import gridchanges

                draft = gridchanges.plan(None, node=code, kind="regenerate", cell_m=cell_m,
                                         households_per_km2=households_per_km2, dry_run=True)
                for line in gridchanges.impact_lines(draft):
                    self.stdout.write(line)
                return
            r = services.generate_grids(code, cell_m=cell_m, households_per_km2=households_per_km2)
        except GeoError as e:
            raise fail(e) from e
        self.stdout.write(
            f"{r.district.name}：{r.unit_count:,} 个单元网格，{r.management_count:,} 个管理网格，"
            f"覆盖 {r.area_m2 / 1e6:.2f} 平方公里（用时 {time.perf_counter() - t:.1f} 秒）"
        )
