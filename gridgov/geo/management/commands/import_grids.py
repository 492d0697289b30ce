from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.geo import services
from gridgov.geo.errors import GeoError

from ._util import fail


class Command(BaseCommand):
    help = "导入专题网格图层（环保、消防、园区…），GeoJSON 要素需有 code 属性；全部正确才写入"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--layer", required=True, help="图层编码，如 env-l4")
        parser.add_argument("--name", help="图层名称，如 环保四级网格")

    def handle(self, file, layer, name=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        try:
            r = services.import_grids(None, layer, name, path.read_bytes())
        except GeoError as e:
            raise fail(e) from e
        self.stdout.write(f"图层 {r['name']}（{r['layer']}）：已导入 {r['grids']} 个网格")
