"""gridgov evaluation-notices [--period 2026-11] --district 110101 — send each department its month's 满意度回访 and
双向评价 figures (站内消息; default: the last complete month). Meant for a monthly timer; the 值班长 can do the same from
the figures page."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.errors import DomainError
from gridgov.evaluation import services


class Command(BaseCommand):
    help = "把某月的满意度回访与双向评价结果发送给各部门（默认上个月）"

    def add_arguments(self, parser):
        parser.add_argument("--period", default="", help="月份 YYYY-MM（默认上个月）")
        parser.add_argument("--district", required=True, help="区县代码，如 110101")

    def handle(self, *args, period: str = "", district: str = "", **options):
        period = period or services.previous_period()
        try:
            n = services.send_notices(None, period, district)
        except DomainError as e:
            raise CommandError(e.message) from None
        self.stdout.write(f"{period}：已向 {n} 个部门发送满意度与评价结果")
