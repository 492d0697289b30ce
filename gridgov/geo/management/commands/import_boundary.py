from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.geo import services
from gridgov.geo.errors import GeoError

from ._util import fail


class Command(BaseCommand):
    help = "导入 GeoJSON 边界（区、街道或社区）。可修复的自动修复并说明，无法修复的拒绝并指出要素。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON 文件")
        parser.add_argument("--name", help="只导入这个名称的要素，如 东城区")
        parser.add_argument("--code", help="只导入这个区划代码的要素，如 110101 或 110101001")

    def handle(self, file, name=None, code=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        try:
            report = services.import_boundary(path.read_bytes(), name=name, code=code)
        except GeoError as e:
            raise fail(e) from e
        for line in report.imported:
            self.stdout.write(f"已导入 {line}")
        for line in report.repaired:
            self.stdout.write(f"已修复 {line}")
        for _label, err, message in report.refused:
            self.stderr.write(f"已拒绝 {message}（{err}）")
        generated = [n for node in report.nodes for n in node.children.all()]
        if generated:
            self.stdout.write(f"下级边界：{len(generated)} 个街道/社区的边界为自动生成，可用真实边界文件替换（同一命令，按 --code）")
            self.stdout.write("网格需据新边界重新生成：gridgov generate-grids " + report.nodes[0].code[:6])
        if not report.imported:
            raise CommandError("没有导入任何边界")
