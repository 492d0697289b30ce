import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "弄虚作假核查：gridgov integrity scan [--since YYYY-MM-DD] 运行一次全部检测（每条线索只记一次，可反复运行）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="检测照片位置/时间、照片重复使用、移动速度、重复结案与短期重办")
        scan.add_argument("--since", help="从该日起（YYYY-MM-DD，默认最近 35 天）")

    def handle(self, action, since=None, **options):
        import zoneinfo

        from django.conf import settings

        from gridgov.integrity import services
        from gridgov.integrity.logic.items import KINDS

        start = None
        if since:
            try:
                start = dt.datetime.combine(dt.date.fromisoformat(since), dt.time.min,
                                            zoneinfo.ZoneInfo(settings.TIME_ZONE))
            except ValueError:
                raise CommandError(f"--since 应为日期 YYYY-MM-DD：{since}") from None
        counts = services.scan(since=start)
        parts = "，".join(f"{KINDS[k]} {n}" for k, n in counts.items())
        self.stdout.write(f"弄虚作假核查完成：新线索 {sum(counts.values())} 条（{parts}）")
