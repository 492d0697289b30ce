from django.core.management.base import BaseCommand, CommandError

from gridgov.errors import DomainError


class Command(BaseCommand):
    help = "构建演示数据：北京市东城区（真实街道与社区）、网格、五定人员和每个岗位一个演示账号"

    def handle(self, **options):
        from gridgov import demo

        if demo.already_built():
            self.stdout.write("演示数据已存在，直接使用（要重建：删除 gridgov.sqlite3 或换一个空数据库后再运行）")
            self._accounts(demo, demo.accounts())
            return
        try:
            accounts = demo.build(stdout=self.stdout.write)
        except DomainError as e:
            raise CommandError(f"{e.message}（{e.code}）") from e
        self._accounts(demo, accounts)

    def _anchor_key(self):
        """Demo mode: the audit chain's signing key is generated into the data folder (production: configured)."""
        from gridgov.audit import anchoring

        path = anchoring.ensure_demo_key()
        self.stdout.write(f"审计锚点签名密钥：{path}（演示用；生产环境请设置 GRIDGOV_AUDIT_SIGNING_KEY）")

    def _accounts(self, demo, accounts):
        self._anchor_key()
        self.stdout.write(f"\n演示账号（密码均为 {demo.PASSWORD}）：")
        for username, role, where in accounts:
            self.stdout.write(f"  {username:<12} {role:<10} {where}")
