"""``gridgov audit verify``: check the whole audit hash chain; exit 1 naming the first tampered record."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.audit import services


class Command(BaseCommand):
    help = "审计日志：gridgov audit verify 校验整条哈希链，发现篡改时指出第一条被篡改的记录并以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"], help="verify：校验审计链")
        parser.add_argument("--batch", type=int, default=5000, help="每批读取的记录数（默认 5000）")

    def handle(self, action, batch, **options):
        if services.guard_active() is False:
            self.stderr.write("警告：数据库的审计保护触发器缺失或被停用（见迁移 audit 0002）")
        report = services.verify_chain(batch=batch)
        if not report.ok:
            raise CommandError(services.describe(report))
        self.stdout.write(services.describe(report))
