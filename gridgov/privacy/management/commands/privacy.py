"""``gridgov privacy purge``: erase the personal data past its retention period (as `gridgov serve` does daily)."""

from django.core.management.base import BaseCommand

from gridgov.privacy import services
from gridgov.privacy.logic.retention import KINDS


class Command(BaseCommand):
    help = "个人信息：gridgov privacy purge 删除超过保存期限的个人信息（每类的条数记入审计日志；可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["purge"], help="purge：按保存期限删除")

    def handle(self, action, **options):
        done = services.purge()
        periods = services.policies()
        for kind, k in KINDS.items():
            days = periods[kind]
            if kind not in done:
                what = "长期保存，不删除" if days is None else f"保存 {days} 天，尚无此类数据"
            else:
                what = f"保存 {days} 天，本次删除 {done[kind]} 条"
            self.stdout.write(f"{k.label}：{what}")
