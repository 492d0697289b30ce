from django.core.management.base import BaseCommand, CommandError

from gridgov.errors import DomainError


class Command(BaseCommand):
    help = "构建演示数据：北京市东城区（真实街道与社区）、网格、五定人员和每个岗位一个演示账号"

    def handle(self, **options):
        from gridgov import demo

        try:
            accounts = demo.build(stdout=self.stdout.write)
        except DomainError as e:
            raise CommandError(f"{e.message}（{e.code}）") from e
        self.stdout.write(f"\n演示账号（密码均为 {demo.PASSWORD}）：")
        for username, role, where in accounts:
            self.stdout.write(f"  {username:<12} {role:<10} {where}")
