from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "生成个人信息加密主密钥（GRIDGOV_DATA_KEY，32 字节的 base64）；--from-secret-key：给出未设置它时所用的派生密钥"

    def add_arguments(self, parser):
        parser.add_argument("--from-secret-key", action="store_true",
                            help="输出由当前 GRIDGOV_SECRET_KEY 派生的密钥（未设置 GRIDGOV_DATA_KEY 时存入的个人信息用它加密）")

    def handle(self, from_secret_key=False, **options):
        from gridgov import keys

        self.stdout.write(keys.data_key_from_secret_key() if from_secret_key else keys.new_data_key())
