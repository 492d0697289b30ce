"""gridgov open311 key create NAME | gridgov open311 key revoke NAME | gridgov open311 key list"""

from django.core.management.base import BaseCommand, CommandError

from gridgov.errors import DomainError


class Command(BaseCommand):
    help = "Open311 api keys: key create NAME (prints the key once), key revoke NAME, key list"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["key"])
        parser.add_argument("verb", choices=["create", "revoke", "list"])
        parser.add_argument("name", nargs="?", default="")

    def handle(self, *args, what, verb, name, **options):
        from gridgov.open311 import services
        from gridgov.open311.models import ApiKey

        try:
            if verb == "create":
                row, key = services.create_key(None, name)  # the command line: the system, as the administrator
                self.stdout.write(f"已为「{row.name}」签发 Open311 api_key（只显示这一次）：\n{key}")
            elif verb == "revoke":
                row = ApiKey.objects.filter(name=name).first()
                if row is None:
                    raise CommandError(f"没有客户端「{name}」的密钥")
                services.revoke_key(None, row.pk)
                self.stdout.write(f"已停用「{row.name}」的密钥")
            else:
                for row in ApiKey.objects.order_by("name"):
                    state = "有效" if row.active else "已停用"
                    self.stdout.write(f"{row.name}\t{row.prefix}…\t{state}\t{row.created_at:%Y-%m-%d}")
        except DomainError as e:
            raise CommandError(e.message) from None
