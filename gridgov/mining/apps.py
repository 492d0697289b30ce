from django.apps import AppConfig


class MiningConfig(AppConfig):
    name = "gridgov.mining"
    label = "mining"
    verbose_name = "数据挖掘"

    def ready(self):
        from . import jobs  # noqa: F401  registers the background job
