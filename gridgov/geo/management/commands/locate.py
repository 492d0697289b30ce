import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.geo import locating
from gridgov.geo.errors import GeoError
from gridgov.spreadsheets import CsvWriter

from ._util import fail


class Command(BaseCommand):
    help = "定位：经纬度 → 单元网格、管理网格、社区、街道、区县。gridgov locate 116.41 39.91 或 --csv 文件"

    def add_arguments(self, parser):
        parser.add_argument("lon", nargs="?")
        parser.add_argument("lat", nargs="?")
        parser.add_argument("--csv", help="含 lon,lat（或 经度,纬度）列的 CSV 文件；结果写到标准输出或 --out")
        parser.add_argument("--out", help="结果 CSV 文件")

    def handle(self, lon=None, lat=None, csv=None, out=None, **options):
        try:
            if csv:
                path = Path(csv)
                if not path.is_file():
                    raise CommandError(f"找不到文件 {csv}")
                rows, lons, lats = locating.read_points_csv(path.read_text(encoding="utf-8-sig"))
                results = locating.locate_many(lons, lats)
                f = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout
                w = CsvWriter(f)  # cells defused against formula injection
                w.writerow((list(rows[0].keys()) if rows else ["lon", "lat"]) + locating.CSV_RESULT_COLUMNS)
                for row, r in zip(rows, results, strict=True):
                    w.writerow(list(row.values()) + locating.csv_result(r))
                if out:
                    f.close()
                    inside = sum(1 for r in results if r["inside"])
                    self.stdout.write(f"已定位 {len(results):,} 个点，{inside:,} 个在辖区内，结果写入 {out}")
                return
            if lon is None or lat is None:
                raise CommandError("请给出经度和纬度，如 gridgov locate 116.41 39.91，或用 --csv 文件")
            r = locating.locate(lon, lat)
        except GeoError as e:
            raise fail(e) from e
        if not r["inside"]:
            self.stdout.write(f"({lon}, {lat}) 不在辖区范围内")
            return
        self.stdout.write(
            f"单元网格 {r['unit_grid'] or '—'}　管理网格 {r['management_grid'] or '—'}\n"
            f"{r['district']['name']} {r['street']['name']} {r['community']['name']}（{r['community']['code']}）"
        )
