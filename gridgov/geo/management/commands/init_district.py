from django.core.management.base import BaseCommand

from gridgov.geo import services
from gridgov.geo.errors import GeoError
from gridgov.geo.models import Level

from ._util import fail


class Command(BaseCommand):
    help = "按国家统计局区划代码创建区县及其全部街道、社区，例如 gridgov init-district 110101"

    def add_arguments(self, parser):
        parser.add_argument("code", help="6 位区县代码")

    def handle(self, code, **options):
        try:
            district = services.init_district(code)
        except GeoError as e:
            raise fail(e) from e
        streets = services.descendants(district, Level.STREET).count()
        communities = services.descendants(district, Level.COMMUNITY).count()
        self.stdout.write(f"已创建 {district.parent.name} {district.name}（{district.code}）：{streets} 个街道，{communities} 个社区")
