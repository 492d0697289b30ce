from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "扫描一次案件时限：变黄、变红的案件发预警并督办（每个环节每级只发一次，可反复运行）"

    def handle(self, **options):
        from gridgov.cases.services import scan

        result = scan()
        self.stdout.write(f"时限扫描完成：黄灯预警 {result['yellow']} 件，红灯超期 {result['red']} 件")
