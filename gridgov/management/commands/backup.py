from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "备份：数据库与文件（照片、文档）一起写入一个归档文件（含校验和清单）"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="归档文件路径，如 gridgov-20261203.tar.gz")

    def handle(self, archive, **options):
        from gridgov.ops.backup import BackupError, backup

        try:
            backup(archive, out=self.stdout.write)
        except BackupError as e:
            raise CommandError(str(e)) from e
