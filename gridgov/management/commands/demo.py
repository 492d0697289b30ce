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

    def _accounts(self, demo, accounts):
        self.stdout.write(f"\n演示账号（密码均为 {demo.PASSWORD}）：")
        for username, role, where in accounts:
            self.stdout.write(f"  {username:<12} {role:<10} {where}")
