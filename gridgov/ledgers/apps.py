from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "gridgov.ledgers"
    label = "ledgers"
    verbose_name = "考评台账（数量分配、倒查、抽查、培训、系统运行、宣传）"
