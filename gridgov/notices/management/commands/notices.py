"""`gridgov notices digest [--date YYYY-MM-DD]`: send the residents' daily digest of a day (default: yesterday)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "通知公告：digest 发送订阅居民的社区每日摘要（默认昨天；同一天每人只发一次，重复运行不会重发）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["digest"], help="digest：发送每日摘要")
        parser.add_argument("--date", help="日期 YYYY-MM-DD（默认昨天）")

    def handle(self, action, date=None, **options):
        from gridgov.notices.services import digest

        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError as e:
                raise CommandError("日期格式应为 YYYY-MM-DD，例如 2026-12-03") from e
        else:
            day = timezone.localdate() - dt.timedelta(days=1)
        sent = digest(day)
        self.stdout.write(f"{day:%Y-%m-%d} 社区每日摘要：发送 {sent} 份")
