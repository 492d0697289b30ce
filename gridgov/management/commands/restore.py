from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "恢复：把 gridgov backup 的归档恢复到一个空数据库（先核对每个文件的校验和）"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="gridgov backup 写出的归档文件")

    def handle(self, archive, **options):
        from gridgov.ops.backup import BackupError, restore

        try:
            restore(archive, out=self.stdout.write)
        except BackupError as e:
            raise CommandError(str(e)) from e
